/**
 * The chat's Matrix session, without matrix-js-sdk: the shell imports this file (sign-out), so it must stay
 * tiny. The SDK lives in the chat module's own chunk.
 *
 * Where the access token is kept: **localStorage**, bound to the Bureau account that obtained it.
 * - One Matrix device per browser, not one per tab: sessionStorage would open a new device (a new SSO login)
 *   in every tab, and closing a tab does not revoke its token on the server, so devices would pile up,
 *   still valid, in the person's device list.
 * - Signing out of Bureau in any tab revokes the device (`POST /_matrix/client/v3/logout`) and forgets the
 *   token in every tab (the `storage` event stops their sync loops).
 * - The token is only used behind Bureau's own session check (the chat pages are inside RequireSession), and
 *   it is discarded (and its device logged out) when another Bureau account signs in on this browser.
 * An XSS could read either storage; the CSP (`script-src 'self'`, no inline script) is the defence there.
 */

/** What `POST /_matrix/client/v3/login` returned, and whose Bureau session obtained it. */
export interface ChatCredentials {
  userId: string;
  deviceId: string;
  accessToken: string;
  /** The Bureau account (`GET /api/me` id) signed in when the token was issued. */
  bureauUserId: string;
}

const storageKey = 'bureau.chat.session';
const matrixClientApi = '/_matrix/client/v3';

/** Where the single sign-on comes back to, with `?loginToken=`. */
export const ssoCallbackPath = '/messagerie/connexion';

function isCredentials(value: unknown): value is ChatCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['userId', 'deviceId', 'accessToken', 'bureauUserId'].every((key) => typeof record[key] === 'string');
}

export function readChatCredentials(): ChatCredentials | undefined {
  try {
    const stored = window.localStorage.getItem(storageKey);
    const parsed: unknown = stored ? JSON.parse(stored) : undefined;
    return isCredentials(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function storeChatCredentials(credentials: ChatCredentials): void {
  try {
    window.localStorage.setItem(storageKey, JSON.stringify(credentials));
  } catch {
    // Storage disabled: the session lasts as long as the page (the next visit signs in again).
  }
}

/** Where a device's end-to-end encryption keys are kept (IndexedDB, one store per Matrix device). */
export function cryptoStorePrefix(deviceId: string): string {
  return `${cryptoStoreStem}${deviceId}`;
}

const cryptoStoreStem = 'bureau-chat-crypto-';

/**
 * Deletes the encryption stores of this browser's Matrix devices but `keptDeviceId`'s: a device signed out,
 * revoked or replaced leaves no keys behind.
 */
export async function forgetCryptoStores(keptDeviceId?: string): Promise<void> {
  try {
    const kept = keptDeviceId === undefined ? undefined : cryptoStorePrefix(keptDeviceId);
    for (const { name } of await window.indexedDB.databases()) {
      if (name?.startsWith(cryptoStoreStem) && (kept === undefined || !name.startsWith(`${kept}::`))) {
        window.indexedDB.deleteDatabase(name);
      }
    }
  } catch {
    // No IndexedDB (private browsing in some browsers): nothing was stored.
  }
}

export function forgetChatCredentials(): void {
  try {
    window.localStorage.removeItem(storageKey);
  } catch {
    // Nothing stored.
  }
}

/** How many times the person signed out (here or in another tab) since the page loaded. */
let signOutCount = 0;

/**
 * A mark to compare with later: a sign-in started before a sign-out must not finish (it would open a
 * device nobody signs out of).
 */
export function signOutEpoch(): number {
  return signOutCount;
}

/** Calls `listener` when the person signs out, in this tab or another. */
export function onChatSessionEnded(listener: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === storageKey && event.newValue === null) {
      signOutCount += 1;
      listener();
    }
  };
  endListeners.add(listener);
  window.addEventListener('storage', onStorage);
  return () => {
    endListeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

const endListeners = new Set<() => void>();

/** Logs the device out on the homeserver (best effort: a revoked or unknown token is already out). */
export async function logoutDevice(accessToken: string): Promise<void> {
  try {
    await fetch(`${matrixClientApi}/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: '{}',
      cache: 'no-store',
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    // Offline or timed out: the token is forgotten here anyway.
  }
}

/**
 * Ends the chat session of this browser: stops the running client (its long-poll would otherwise fail
 * with 401), forgets the token, logs the Matrix device out. Called by the shell's sign-out; never throws.
 */
export async function signOutOfChat(): Promise<void> {
  signOutCount += 1;
  const credentials = readChatCredentials();
  for (const listener of [...endListeners]) {
    try {
      listener();
    } catch {
      // A listener's failure does not keep the device signed in.
    }
  }
  forgetChatCredentials();
  if (credentials) await logoutDevice(credentials.accessToken);
  // The device's encryption keys go with it (the running client released them above).
  await forgetCryptoStores();
}

/** Discards a session obtained by another Bureau account on this browser (shared computer). */
export async function discardForeignSession(bureauUserId: string): Promise<void> {
  const credentials = readChatCredentials();
  if (!credentials || credentials.bureauUserId === bureauUserId) return;
  forgetChatCredentials();
  await logoutDevice(credentials.accessToken);
  await forgetCryptoStores();
}

/** Bureau's single sign-on for Matrix clients, coming back to the chat's callback page. */
export function ssoRedirectUrl(returnPath: string): string {
  const callback = new URL(ssoCallbackPath, window.location.origin);
  callback.searchParams.set('retour', returnPath);
  return `${matrixClientApi}/login/sso/redirect?redirectUrl=${encodeURIComponent(callback.toString())}`;
}

/**
 * Obtains a login token through Bureau's single sign-on. The session cookie is same-origin, so the
 * redirect can be followed by fetch: its final address carries `loginToken` and the page stays as it is.
 * When it does not (the Bureau session ended, a confirmation page), the browser goes through the flow
 * itself (full page load) and comes back to the callback page; the promise then never settles.
 */
export async function obtainLoginToken(returnPath: string): Promise<string> {
  const epoch = signOutCount;
  const url = ssoRedirectUrl(returnPath);
  try {
    // The server answers the callback page (the web app) only to a request asking for HTML.
    const response = await fetch(url, {
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'follow',
      headers: { accept: 'text/html' },
    });
    const token = new URL(response.url).searchParams.get('loginToken');
    if (response.ok && token && new URL(response.url).pathname === ssoCallbackPath) return token;
  } catch {
    // Fall back to the browser's own navigation below.
  }
  // Signed out meanwhile: the sign-in page is on its way; do not start another sign-in.
  if (signOutCount === epoch) window.location.assign(url);
  return new Promise<string>(() => undefined);
}

/** An error answered by the homeserver: `{ errcode, error }`. */
export class MatrixLoginError extends Error {
  readonly errcode: string;
  readonly status: number;

  constructor(status: number, errcode: string, message: string) {
    super(message);
    this.name = 'MatrixLoginError';
    this.status = status;
    this.errcode = errcode;
  }
}

/** Exchanges a single sign-on login token for an access token (`m.login.token`). */
export async function loginWithToken(
  token: string,
  deviceDisplayName: string,
): Promise<Omit<ChatCredentials, 'bureauUserId'>> {
  const response = await fetch(`${matrixClientApi}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'm.login.token', token, initial_device_display_name: deviceDisplayName }),
    cache: 'no-store',
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new MatrixLoginError(
      response.status,
      typeof body.errcode === 'string' ? body.errcode : 'M_UNKNOWN',
      typeof body.error === 'string' ? body.error : `login: ${response.status}`,
    );
  }
  return {
    userId: String(body.user_id),
    deviceId: String(body.device_id),
    accessToken: body.access_token,
  };
}

/** Whether the stored token still works, and for whom (`GET /account/whoami`). */
export async function checkAccessToken(credentials: ChatCredentials): Promise<'valid' | 'invalid'> {
  const response = await fetch(`${matrixClientApi}/account/whoami`, {
    headers: { authorization: `Bearer ${credentials.accessToken}` },
    cache: 'no-store',
  });
  if (response.status === 401 || response.status === 403) return 'invalid';
  if (!response.ok) throw new MatrixLoginError(response.status, 'M_UNKNOWN', `whoami: ${response.status}`);
  const body = (await response.json()) as { user_id?: string };
  return body.user_id === credentials.userId ? 'valid' : 'invalid';
}
