import { createServer, type AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { startTestOpenIdProvider, type TestAccount, type TestOpenIdProvider } from '../../testing/oidc-provider.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';

const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };
const ministrySiret = '11000001300015';
const directionSiret = '13002526500013';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

/**
 * A browser as far as the protocol goes: a cookie jar (host and path scoped, like a browser's, so that
 * Bureau and the provider on 127.0.0.1 share it as real browsers do across ports) and redirects
 * followed one by one.
 */
class Browser {
  readonly cookies: StoredCookie[] = [];

  cookie(name: string): string | undefined {
    return this.cookies.find((cookie) => cookie.name === name)?.value;
  }

  forget(name: string): void {
    const index = this.cookies.findIndex((cookie) => cookie.name === name);
    if (index >= 0) this.cookies.splice(index, 1);
  }

  private cookieHeader(url: URL): string {
    return this.cookies
      .filter(
        (cookie) =>
          cookie.host === url.hostname &&
          (url.pathname === cookie.path ||
            url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`)),
      )
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  private store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      let isExpired = false;
      for (const attribute of attributes) {
        const [key = '', attributeValue = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = attributeValue;
        if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) isExpired = true;
        if (key.toLowerCase() === 'expires' && new Date(attributeValue).getTime() < Date.now()) isExpired = true;
      }
      const existing = this.cookies.findIndex(
        (cookie) => cookie.name === name && cookie.host === url.hostname && cookie.path === path,
      );
      if (existing >= 0) this.cookies.splice(existing, 1);
      if (!isExpired) this.cookies.push({ name, value, host: url.hostname, path });
    }
  }

  async request(
    address: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Response> {
    const url = new URL(address);
    const cookie = this.cookieHeader(url);
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    this.store(url, response);
    return response;
  }

  /**
   * Navigates like a browser, following redirects and the provider's self-submitting forms (form_post
   * pages), until `stopAt` says to stop or a page answers.
   */
  async navigate(
    address: string,
    stopAt: (url: URL) => boolean = () => false,
  ): Promise<{ url: string; response: Response | undefined; visited: string[] }> {
    const visited: string[] = [];
    let url = address;
    let form: string | undefined;
    for (let hop = 0; hop < 20; hop += 1) {
      visited.push(url);
      if (hop > 0 && stopAt(new URL(url))) return { url, response: undefined, visited };
      const response = await this.request(url, {
        headers: {
          accept: 'text/html,application/xhtml+xml',
          ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(form === undefined ? {} : { method: 'POST', body: form }),
      });
      form = undefined;
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url).href;
        continue;
      }
      const page = response.headers.get('content-type')?.startsWith('text/html') ? await response.clone().text() : '';
      const action = /document\.forms\[0\]\.submit\(\)[\s\S]*<form method="post" action="([^"]+)"/.exec(page)?.[1];
      if (action) {
        const fields = [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)];
        form = new URLSearchParams(
          fields.map((field): [string, string] => [field[1] ?? '', field[2] ?? '']),
        ).toString();
        url = new URL(action, url).href;
        continue;
      }
      return { url, response, visited };
    }
    throw new Error(`too many redirects: ${visited.join(' -> ')}`);
  }
}

describe('Identity: OIDC single sign-on against a real OpenID provider', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let op: TestOpenIdProvider;
  let publicUrl: string;
  let ministryId: string;
  let directionId: string;

  const agnes: TestAccount = {
    sub: 'agnes-sub',
    email: 'agnes.dupont@tests.gouv.fr',
    given_name: 'Agnès',
    usual_name: 'Dupont',
    uid: 'agnes',
    idp_id: 'idp-ministere',
  };

  /** Bureau on the port of `publicUrl`, with the test provider as its OpenID provider. */
  async function startBureau(env: Record<string, string> = {}) {
    environment = await createTestEnvironment({
      BUREAU_PUBLIC_URL: publicUrl,
      BUREAU_HOST: '127.0.0.1',
      BUREAU_PORT: new URL(publicUrl).port,
      BUREAU_RATE_LIMIT: '100000',
      BUREAU_JOB_CONCURRENCY: '0',
      BUREAU_OIDC_ISSUER: op.issuer,
      BUREAU_OIDC_CLIENT_ID: op.clientId,
      BUREAU_OIDC_CLIENT_SECRET: op.clientSecret,
      ...env,
    });
    app = await buildApp(environment.config);
    await app.listen();
    const ministry = await app.identity.directory.createOrganisation(
      { name: 'Ministère des Tests', siret: ministrySiret, domains: ['tests.gouv.fr'] },
      system,
    );
    const direction = await app.identity.directory.createOrganisation(
      { name: 'Direction des essais', parentId: ministry.id, siret: directionSiret },
      system,
    );
    ministryId = ministry.id;
    directionId = direction.id;
  }

  beforeEach(async () => {
    // The public URL (hence the port) must be known before the provider registers the client.
    publicUrl = `http://127.0.0.1:${await freePort()}`;
    op = await startTestOpenIdProvider({
      redirectUri: `${publicUrl}/auth/oidc/callback`,
      postLogoutRedirectUri: `${publicUrl}/`,
      backchannelLogoutUri: `${publicUrl}/auth/oidc/backchannel-logout`,
    });
    await startBureau();
  });
  afterEach(async () => {
    await app.close();
    await op.close();
    await environment.destroy();
  });

  const isBureauPage = (url: URL) => url.origin === publicUrl && !url.pathname.startsWith('/auth/oidc/');

  /** Signs in at Bureau through the provider (as `account` when the provider asks who). */
  async function signIn(browser: Browser, account: TestAccount | undefined, query = '') {
    if (account) op.signInNextAs(account);
    return browser.navigate(`${publicUrl}/auth/oidc/login${query}`, isBureauPage);
  }

  async function api(browser: Browser, path: string, init: { method?: string; body?: unknown } = {}) {
    const response = await browser.request(`${publicUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        origin: publicUrl,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> | null };
  }

  async function me(browser: Browser) {
    return api(browser, '/api/me');
  }

  async function auditActions(prefix: string) {
    const page = await app.platform.audit.query({ actionPrefix: prefix, limit: 100 });
    return page.items;
  }

  it('tells the sign-in page that single sign-on is available', async () => {
    const response = await api(new Browser(), '/api/auth/providers');
    expect(response).toEqual({
      status: 200,
      body: { password: true, oidc: { name: 'OpenID', loginUrl: '/auth/oidc/login' } },
    });
  });

  it('creates the account at the first sign-in, an agent of the organisation owning the e-mail domain, and links the identity', async () => {
    const browser = new Browser();
    const landing = await signIn(browser, agnes, `?returnTo=${encodeURIComponent('/documents?dossier=1')}`);
    expect(landing.url).toBe(`${publicUrl}/documents?dossier=1`);
    const flowCookie = browser.cookie('bureau_oidc_flow');
    expect(flowCookie).toBeUndefined();

    const current = await me(browser);
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({
      email: 'agnes.dupont@tests.gouv.fr',
      displayName: 'Agnès Dupont',
      kind: 'agent',
      organisation: { id: ministryId },
      authenticatedBy: 'session',
    });
    const sessions = await api(browser, '/api/me/sessions');
    expect(sessions.body?.items).toMatchObject([{ method: 'oidc', isCurrent: true }]);

    const userId = String(current.body?.id);
    const linked = await auditActions('identity.oidc_identity.');
    expect(linked.map((event) => [event.action, event.target?.id, event.details?.proof])).toEqual([
      ['identity.oidc_identity.linked', userId, 'new-account'],
    ]);
    expect(linked[0]?.details).toMatchObject({ issuer: op.issuer, subject: 'agnes-sub' });
    const logins = await auditActions('identity.login.');
    expect(logins.map((event) => [event.action, event.details?.method])).toEqual([
      ['identity.login.succeeded', 'oidc'],
    ]);
    expect((await auditActions('identity.user.created')).map((event) => event.target?.id)).toEqual([userId]);
  });

  it('places a new account by its SIRET first, and makes it external when no organisation matches', async () => {
    const fromDirection = new Browser();
    await signIn(fromDirection, { sub: 'sub-bruno', email: 'bruno@tests.gouv.fr', siret: directionSiret });
    expect((await me(fromDirection)).body).toMatchObject({ kind: 'agent', organisation: { id: directionId } });

    const partner = new Browser();
    await signIn(partner, {
      sub: 'sub-lea',
      email: 'lea@partenaire.example.fr',
      given_name: 'Léa',
      usual_name: 'Fontaine',
    });
    expect((await me(partner)).body).toMatchObject({
      email: 'lea@partenaire.example.fr',
      displayName: 'Léa Fontaine',
      kind: 'external',
      organisation: null,
    });
  });

  it('finds the account by issuer and subject at the next sign-in, even when the e-mail changed at the provider', async () => {
    const first = new Browser();
    await signIn(first, agnes);
    const id = (await me(first)).body?.id;

    const second = new Browser();
    const landing = await signIn(second, { ...agnes, email: 'agnes.martin@tests.gouv.fr', usual_name: 'Martin' });
    expect(landing.url).toBe(`${publicUrl}/`);
    const current = await me(second);
    expect(current.body).toMatchObject({ id, email: 'agnes.dupont@tests.gouv.fr' });
    expect((await app.identity.directory.listUsers({ limit: 10 })).length).toBe(1);
  });

  it('never links an identity to the existing account with its e-mail until the password proves that account', async () => {
    const existing = await app.identity.directory.createUser(
      { email: 'agnes.dupont@tests.gouv.fr', password, displayName: 'Agnès Dupont' },
      system,
    );
    const browser = new Browser();
    const landing = await signIn(browser, agnes, '?returnTo=/messagerie');
    expect(landing.url).toBe(`${publicUrl}/connexion?lier=1`);
    expect((await me(browser)).status).toBe(401);
    expect(await api(browser, '/api/auth/oidc/link')).toEqual({
      status: 200,
      body: { email: 'agnes.dupont@tests.gouv.fr', displayName: 'Agnès Dupont', provider: 'OpenID' },
    });

    // Another browser has nothing to link.
    const elsewhere = await api(new Browser(), '/api/auth/oidc/link', { method: 'POST', body: { password } });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toMatchObject({ error: { code: 'IDENTITY_OIDC_NO_PENDING_LINK' } });

    const wrong = await api(browser, '/api/auth/oidc/link', { method: 'POST', body: { password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'IDENTITY_INVALID_CREDENTIALS' } });
    expect((await me(browser)).status).toBe(401);

    const linked = await api(browser, '/api/auth/oidc/link', { method: 'POST', body: { password } });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ user: { id: existing.id }, redirectTo: '/messagerie' });
    expect((await me(browser)).body).toMatchObject({ id: existing.id });
    expect((await api(browser, '/api/me/sessions')).body?.items).toMatchObject([{ method: 'oidc' }]);

    // From now on the identity leads straight to the account.
    const later = new Browser();
    expect((await signIn(later, agnes)).url).toBe(`${publicUrl}/`);
    expect((await me(later)).body).toMatchObject({ id: existing.id });

    const events = await auditActions('identity.oidc_identity.');
    expect(events.map((event) => [event.action, event.outcome, event.details?.proof]).reverse()).toEqual([
      ['identity.oidc_identity.link_pending', 'denied', undefined],
      ['identity.oidc_identity.linked', 'success', 'password'],
    ]);
    const failures = await auditActions('identity.login.failed');
    expect(failures.map((event) => event.details?.reason)).toEqual(['wrong-password']);
  });

  it('links a second identity of the same person when they prove the account by signing in with the first', async () => {
    const first = new Browser();
    await signIn(first, agnes);
    const id = (await me(first)).body?.id;

    // The same agent arrives through another identity provider: another subject, the same e-mail.
    const other: TestAccount = { ...agnes, sub: 'agnes-other-idp', idp_id: 'idp-autre' };
    const browser = new Browser();
    expect((await signIn(browser, other)).url).toBe(`${publicUrl}/connexion?lier=1`);
    const proven = await signIn(browser, agnes, '?prompt=login&returnTo=/agenda');
    expect(proven.url).toBe(`${publicUrl}/agenda`);
    expect((await me(browser)).body).toMatchObject({ id });

    const later = new Browser();
    await signIn(later, other);
    expect((await me(later)).body).toMatchObject({ id });
    const events = await auditActions('identity.oidc_identity.linked');
    expect(events.map((event) => event.details?.proof)).toEqual(['oidc', 'new-account']);
  });

  it('signs in silently when the provider has a session, and answers sso=unavailable without a loop when it has none', async () => {
    const browser = new Browser();
    await signIn(browser, agnes);
    const id = (await me(browser)).body?.id;
    browser.forget('bureau_session');
    const before = op.authorizationRequests;
    const silent = await browser.navigate(`${publicUrl}/auth/oidc/login?prompt=none&returnTo=/agenda`, isBureauPage);
    expect(silent.url).toBe(`${publicUrl}/agenda`);
    expect(silent.visited.some((url) => url.includes('/interaction/'))).toBe(false);
    expect(op.authorizationRequests).toBe(before + 1);
    expect((await me(browser)).body).toMatchObject({ id });

    const stranger = new Browser();
    const first = await stranger.navigate(`${publicUrl}/auth/oidc/login?prompt=none&returnTo=/agenda`, isBureauPage);
    expect(first.url).toBe(`${publicUrl}/agenda?sso=unavailable`);
    expect(op.authorizationRequests).toBe(before + 2);
    expect(stranger.cookie('bureau_oidc_silent')).toBeDefined();
    // The second attempt does not reach the provider: no loop between the web app and the provider.
    const second = await stranger.navigate(`${publicUrl}/auth/oidc/login?prompt=none&returnTo=/agenda`, isBureauPage);
    expect(second.url).toBe(`${publicUrl}/agenda?sso=unavailable`);
    expect(second.visited).toHaveLength(2);
    expect(op.authorizationRequests).toBe(before + 2);
    expect((await me(stranger)).status).toBe(401);

    // Signing in on purpose clears the marker.
    await signIn(stranger, { sub: 'sub-bruno', email: 'bruno@tests.gouv.fr' });
    expect(stranger.cookie('bureau_oidc_silent')).toBeUndefined();
    expect((await me(stranger)).status).toBe(200);
  });

  it('refuses a tampered state and a callback carried to another browser', async () => {
    const isCallback = (url: URL) => url.href.startsWith(`${publicUrl}/auth/oidc/callback`);
    const browser = new Browser();
    op.signInNextAs(agnes);
    const reached = await browser.navigate(`${publicUrl}/auth/oidc/login`, isCallback);
    const tampered = new URL(reached.url);
    expect(tampered.searchParams.get('code')).toBeTruthy();
    tampered.searchParams.set('state', 'forged-state');
    const refused = await browser.navigate(tampered.href, isBureauPage);
    expect(refused.url).toBe(`${publicUrl}/connexion?erreur=sso&code=IDENTITY_OIDC_STATE_MISMATCH`);
    expect((await me(browser)).status).toBe(401);

    // Login CSRF: a valid callback (code and state) opened in a browser that did not start the flow.
    const attacker = new Browser();
    const stolen = await attacker.navigate(`${publicUrl}/auth/oidc/login`, isCallback);
    const victim = new Browser();
    const response = await victim.request(stolen.url);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('IDENTITY_OIDC_STATE_MISMATCH');
    expect(body.error.message).toContain('recommencez la connexion');
    expect((await me(victim)).status).toBe(401);

    const failures = await auditActions('identity.login.failed');
    expect(failures.map((event) => [event.outcome, event.details?.reason, event.details?.cause])).toEqual([
      ['denied', 'state-mismatch', 'no-flow-cookie'],
      ['denied', 'state-mismatch', 'state-differs'],
    ]);
  });

  it('refuses an ID token issued for another nonce', async () => {
    const browser = new Browser();
    op.signInNextAs(agnes);
    const start = await browser.request(`${publicUrl}/auth/oidc/login`);
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.origin).toBe(op.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('scope')).toBe('openid email given_name usual_name siret uid idp_id');
    authorize.searchParams.set('nonce', 'nonce-of-the-attacker');
    const landing = await browser.navigate(authorize.href, isBureauPage);
    expect(landing.url).toBe(`${publicUrl}/connexion?erreur=sso&code=IDENTITY_OIDC_TOKEN_REJECTED`);
    expect((await me(browser)).status).toBe(401);
    const failures = await auditActions('identity.login.failed');
    expect(failures[0]?.details).toMatchObject({ method: 'oidc', reason: 'token-rejected' });
    expect(String(failures[0]?.details?.error)).toContain('nonce');
  });

  it('ignores a returnTo that leaves Bureau', async () => {
    for (const returnTo of ['https://evil.example/phishing', '//evil.example/phishing', '/\\evil.example']) {
      const browser = new Browser();
      const landing = await signIn(browser, agnes, `?returnTo=${encodeURIComponent(returnTo)}`);
      expect(landing.url).toBe(`${publicUrl}/`);
    }
  });

  it('asks for the configured authentication level and refuses a lower one', async () => {
    await app.close();
    await environment.destroy();
    await startBureau({ BUREAU_OIDC_ACR_VALUES: 'eidas2 eidas3' });
    const browser = new Browser();
    op.signInNextAs(agnes);
    const start = await browser.request(`${publicUrl}/auth/oidc/login`);
    expect(new URL(start.headers.get('location') ?? '').searchParams.get('acr_values')).toBe('eidas2 eidas3');
    expect((await browser.navigate(start.headers.get('location') ?? '', isBureauPage)).url).toBe(`${publicUrl}/`);
    expect((await me(browser)).status).toBe(200);

    op.authenticateWithAcr('eidas1');
    const weaker = await signIn(new Browser(), { ...agnes, sub: 'weak', email: 'weak@tests.gouv.fr' });
    expect(weaker.url).toBe(`${publicUrl}/connexion?erreur=sso&code=IDENTITY_OIDC_TOKEN_REJECTED`);
    const failures = await auditActions('identity.login.failed');
    expect(failures[0]?.details).toMatchObject({
      reason: 'token-rejected',
      error: 'acr "eidas1" not in eidas2 eidas3',
    });
  });

  it('answers sso=unavailable to a silent sign-in, and the sign-in page an error, when the provider is unreachable', async () => {
    await op.close();
    const browser = new Browser();
    const silent = await browser.navigate(`${publicUrl}/auth/oidc/login?prompt=none&returnTo=/agenda`);
    expect(silent.url).toBe(`${publicUrl}/agenda?sso=unavailable`);
    const interactive = await browser.navigate(`${publicUrl}/auth/oidc/login`);
    expect(interactive.url).toBe(`${publicUrl}/connexion?erreur=sso&code=IDENTITY_OIDC_UNAVAILABLE`);
    const program = await new Browser().request(`${publicUrl}/auth/oidc/login`);
    expect(program.status).toBe(503);
  });

  it('refuses to sign in to a deactivated account', async () => {
    const browser = new Browser();
    await signIn(browser, agnes);
    const id = String((await me(browser)).body?.id);
    await app.identity.directory.deactivateUser(id, system);
    const again = await signIn(new Browser(), agnes);
    expect(again.url).toBe(`${publicUrl}/connexion?erreur=sso&code=IDENTITY_OIDC_ACCOUNT_DEACTIVATED`);
  });

  it('logs out at the provider too: the answer is its end-session URL with id_token_hint, and the local session ends', async () => {
    const browser = new Browser();
    await signIn(browser, agnes);
    const logout = await api(browser, '/api/auth/logout', { method: 'POST' });
    expect(logout.status).toBe(200);
    const redirectTo = new URL(String(logout.body?.redirectTo));
    expect(`${redirectTo.origin}${redirectTo.pathname}`).toBe(`${op.issuer}/session/end`);
    expect(redirectTo.searchParams.get('post_logout_redirect_uri')).toBe(`${publicUrl}/`);
    expect(redirectTo.searchParams.get('state')).toBeTruthy();
    expect(decodeJwt(redirectTo.searchParams.get('id_token_hint') ?? '')).toMatchObject({
      iss: op.issuer,
      sub: agnes.sub,
      aud: op.clientId,
    });
    expect((await me(browser)).status).toBe(401);
    // Silent sign-in must not undo the logout before the browser reaches the provider.
    expect(browser.cookie('bureau_oidc_silent')).toBeDefined();

    // The browser goes there and confirms; the provider ends its session and comes back to Bureau.
    const page = await browser.request(redirectTo.href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const confirmed = await browser.request(`${op.issuer}/session/end/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toMatch(new RegExp(`^${publicUrl}/\\?state=`));
    expect(op.backchannelLogouts).toEqual([{ ok: true }]);

    // A new silent attempt (after the marker expires) finds no provider session.
    browser.forget('bureau_oidc_silent');
    const silent = await browser.navigate(`${publicUrl}/auth/oidc/login?prompt=none`, isBureauPage);
    expect(silent.url).toBe(`${publicUrl}/?sso=unavailable`);
    const logouts = await auditActions('identity.logout');
    expect(logouts.map((event) => event.action)).toContain('identity.logout');
  });

  it('ends the Bureau session at once when the provider calls back-channel logout, and only that one', async () => {
    const laptop = new Browser();
    await signIn(laptop, agnes);
    const phone = new Browser();
    await signIn(phone, agnes);
    expect((await me(laptop)).status).toBe(200);

    // The user signs out at the provider from the laptop (e.g. from another application).
    const page = await laptop.request(`${op.issuer}/session/end`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const confirmed = await laptop.request(`${op.issuer}/session/end/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(confirmed.status).toBe(303);
    expect(op.backchannelLogouts).toEqual([{ ok: true }]);

    expect((await me(laptop)).status).toBe(401);
    expect((await me(phone)).status).toBe(200);
    const events = await auditActions('identity.logout.backchannel');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'success', details: { issuer: op.issuer, subject: agnes.sub } });
    expect(events[0]?.details?.sessionIds).toHaveLength(1);
  });

  it('refuses a forged logout token, and an ID token posted as one', async () => {
    const browser = new Browser();
    await signIn(browser, agnes);
    const post = (body: Record<string, string>) =>
      fetch(`${publicUrl}/auth/oidc/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });

    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({
      sub: agnes.sub,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      jti: 'forged',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key-1', typ: 'logout+jwt' })
      .setIssuer(op.issuer)
      .setAudience(op.clientId)
      .setIssuedAt()
      .setExpirationTime('2 minutes')
      .sign(privateKey);
    const refused = await post({ logout_token: forged });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'IDENTITY_OIDC_LOGOUT_TOKEN_INVALID' } });

    // A genuine ID token of the provider is not a logout token.
    const other = new Browser();
    await signIn(other, { sub: 'sub-bruno', email: 'bruno@tests.gouv.fr' });
    const logout = await api(other, '/api/auth/logout', { method: 'POST' });
    const idToken = new URL(String(logout.body?.redirectTo)).searchParams.get('id_token_hint') ?? '';
    expect((await post({ logout_token: idToken })).status).toBe(400);
    expect((await post({})).status).toBe(400);

    expect((await me(browser)).status).toBe(200);
    const failures = await auditActions('identity.logout.backchannel');
    expect(failures.map((event) => event.outcome)).toEqual(['failure', 'failure', 'failure']);
  });
});

describe('Identity: sign-in methods without an OpenID provider', () => {
  it('offers the password only', async () => {
    const environment = await createTestEnvironment();
    const app = await buildApp(environment.config);
    try {
      await app.migrate();
      const response = await app.http.inject({ url: '/api/auth/providers' });
      expect(response.json()).toEqual({ password: true, oidc: null });
      expect((await app.http.inject({ url: '/auth/oidc/login' })).statusCode).toBe(404);
    } finally {
      await app.close();
      await environment.destroy();
    }
  });
});
