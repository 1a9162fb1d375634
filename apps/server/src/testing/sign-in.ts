import type { BureauApp } from '../app.ts';

/**
 * Signs in with a password over HTTP, as a browser on `publicUrl` would, and returns the headers of a
 * cookie-authenticated request from that browser (the session cookie and a matching `Origin`, which the
 * CSRF check accepts). Throws when the sign-in is refused, so a test never goes on signed out.
 */
export async function signInHeaders(
  app: BureauApp,
  credentials: { email: string; password: string; publicUrl: string },
): Promise<Record<string, string>> {
  const login = await app.http.inject({
    method: 'POST',
    url: '/api/auth/login',
    headers: { origin: credentials.publicUrl },
    payload: { email: credentials.email, password: credentials.password },
  });
  if (login.statusCode !== 200) {
    throw new Error(`sign-in of ${credentials.email} answered ${login.statusCode}: ${login.body}`);
  }
  const session = login.cookies.find((cookie) => cookie.name === 'bureau_session')?.value ?? '';
  return { cookie: `bureau_session=${session}`, origin: credentials.publicUrl };
}
