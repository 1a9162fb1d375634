import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createManualClock, type ManualClock } from '../../platform/clock.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { demoPassword } from './index.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };

interface Signed {
  cookie: string;
  csrfToken: string;
}

describe('Identity: sign-in, sessions, CSRF, API keys', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let clock: ManualClock;
  let organisationId: string;

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_RATE_LIMIT: '100000' });
    clock = createManualClock('2026-11-29T08:00:00.000Z');
    app = await buildApp(environment.config, { clock });
    await app.migrate();
    const ministry = await app.identity.directory.createOrganisation(
      { name: 'Ministère des Tests', domains: ['tests.gouv.fr'] },
      system,
    );
    const direction = await app.identity.directory.createOrganisation(
      { name: 'Direction des essais', parentId: ministry.id },
      system,
    );
    organisationId = direction.id;
    await app.identity.directory.createUser(
      { email: 'Agent@Tests.gouv.fr', password, displayName: 'Agnès Agent', organisationId: direction.id },
      system,
    );
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  async function login(email = 'agent@tests.gouv.fr', secret = password) {
    return app.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: publicUrl },
      payload: { email, password: secret },
    });
  }

  async function signIn(email?: string, secret?: string): Promise<Signed> {
    const response = await login(email, secret);
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((candidate) => candidate.name === 'bureau_session');
    if (!cookie) throw new Error('no session cookie');
    return {
      cookie: `bureau_session=${cookie.value}`,
      csrfToken: response.json<{ user: { csrfToken: string } }>().user.csrfToken,
    };
  }

  const me = (headers: Record<string, string>) => app.http.inject({ url: '/api/me', headers });

  it('signs in with e-mail and password, whatever the case of the address, and says who is signed in', async () => {
    const response = await login('AGENT@tests.gouv.fr');
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((candidate) => candidate.name === 'bureau_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();

    const current = await me({ cookie: `bureau_session=${cookie?.value ?? ''}` });
    expect(current.statusCode).toBe(200);
    expect(current.json()).toMatchObject({
      email: 'agent@tests.gouv.fr',
      displayName: 'Agnès Agent',
      kind: 'agent',
      organisation: { id: organisationId, name: 'Direction des essais' },
      authenticatedBy: 'session',
      isInstanceAdmin: false,
    });
  });

  it('refuses a wrong password and an unknown address alike, and audits both', async () => {
    const wrong = await login('agent@tests.gouv.fr', 'not-the-password-at-all');
    const unknown = await login('nobody@tests.gouv.fr', password);
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('IDENTITY_INVALID_CREDENTIALS');
    }
    expect((await me({})).statusCode).toBe(401);
    const page = await app.platform.audit.query({ action: 'identity.login.failed', limit: 10 });
    expect(page.items.map((event) => event.details?.reason).sort()).toEqual(['unknown-email', 'wrong-password']);
  });

  it('locks the account after five failures, then lets the right password in once the lock ends', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await login('agent@tests.gouv.fr', 'wrong-password-again')).statusCode).toBe(401);
    }
    const locked = await login();
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({
      error: { code: 'IDENTITY_ACCOUNT_LOCKED', details: { retryAfterSeconds: 60 } },
    });
    clock.advance(61_000);
    expect((await login()).statusCode).toBe(200);
  });

  it('refuses a cross-site state change made with the session cookie', async () => {
    const { cookie, csrfToken } = await signIn();
    const create = (headers: Record<string, string>) =>
      app.http.inject({
        method: 'POST',
        url: '/api/me/api-keys',
        headers: { cookie, ...headers },
        payload: { name: 'Script', scopes: ['ai'] },
      });
    const forged = await create({ origin: 'https://evil.example' });
    expect(forged.statusCode).toBe(403);
    expect(forged.json<{ error: { code: string } }>().error.code).toBe('IDENTITY_CSRF_REJECTED');
    expect((await create({})).statusCode).toBe(403);
    expect((await create({ 'x-csrf-token': 'guessed' })).statusCode).toBe(403);
    expect((await create({ 'x-csrf-token': csrfToken })).statusCode).toBe(201);
    expect((await create({ origin: publicUrl })).statusCode).toBe(201);
  });

  it('refuses a sign-in posted from another site', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example' },
      payload: { email: 'agent@tests.gouv.fr', password },
    });
    expect(response.statusCode).toBe(403);
  });

  it('creates an API key shown once, accepts it as a bearer token, and stops it at once when revoked', async () => {
    const { cookie } = await signIn();
    const created = await app.http.inject({
      method: 'POST',
      url: '/api/me/api-keys',
      headers: { cookie, origin: publicUrl },
      payload: { name: 'Mon script', scopes: ['ai', 'docs:read'] },
    });
    expect(created.statusCode).toBe(201);
    const { apiKey, secret } = created.json<{ apiKey: { id: string; prefix: string }; secret: string }>();
    expect(secret).toMatch(new RegExp(`^bk_${apiKey.prefix}_`));

    const asProgram = await me({ authorization: `Bearer ${secret}` });
    expect(asProgram.json()).toMatchObject({
      authenticatedBy: 'api-key',
      scopes: ['ai', 'docs:read'],
      csrfToken: null,
    });

    const listed = await app.http.inject({ url: '/api/me/api-keys', headers: { cookie } });
    expect(listed.body).not.toContain(secret.slice(16));
    expect(listed.json<{ items: Array<{ name: string }> }>().items.map((item) => item.name)).toEqual(['Mon script']);

    // A program may not mint keys for itself, nor act as an administrator without the scope.
    const minted = await app.http.inject({
      method: 'POST',
      url: '/api/me/api-keys',
      headers: { authorization: `Bearer ${secret}` },
      payload: { name: 'Autre', scopes: ['ai'] },
    });
    expect(minted.statusCode).toBe(403);

    const revoked = await app.http.inject({
      method: 'DELETE',
      url: `/api/me/api-keys/${apiKey.id}`,
      headers: { cookie, origin: publicUrl },
    });
    expect(revoked.statusCode).toBe(204);
    expect((await me({ authorization: `Bearer ${secret}` })).statusCode).toBe(401);
    expect(
      (await me({ authorization: 'Bearer bk_tampered0000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' })).statusCode,
    ).toBe(401);
  });

  it('lists the sessions and ends another one at once', async () => {
    const laptop = await signIn();
    const phone = await signIn();
    const listed = await app.http.inject({ url: '/api/me/sessions', headers: { cookie: laptop.cookie } });
    const sessions = listed.json<{ items: Array<{ id: string; isCurrent: boolean }> }>().items;
    expect(sessions).toHaveLength(2);
    const other = sessions.find((session) => !session.isCurrent);
    const ended = await app.http.inject({
      method: 'DELETE',
      url: `/api/me/sessions/${other?.id ?? ''}`,
      headers: { cookie: laptop.cookie, origin: publicUrl },
    });
    expect(ended.statusCode).toBe(204);
    expect((await me({ cookie: phone.cookie })).statusCode).toBe(401);
    expect((await me({ cookie: laptop.cookie })).statusCode).toBe(200);
  });

  it('ends a session after two idle hours, and after twelve hours even when used', async () => {
    const idle = await signIn();
    clock.advance(2 * 3_600_000 + 1000);
    expect((await me({ cookie: idle.cookie })).statusCode).toBe(401);

    const busy = await signIn();
    for (let hour = 0; hour < 12; hour += 1) {
      expect((await me({ cookie: busy.cookie })).statusCode).toBe(200);
      clock.advance(3_600_000);
    }
    expect((await me({ cookie: busy.cookie })).statusCode).toBe(401);
  });

  it('logs out: the cookie is cleared and its session no longer works', async () => {
    const { cookie } = await signIn();
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, origin: publicUrl },
    });
    expect(response.statusCode).toBe(204);
    expect(response.cookies.find((candidate) => candidate.name === 'bureau_session')?.value).toBe('');
    expect((await me({ cookie })).statusCode).toBe(401);
  });

  it('deactivation revokes sessions and API keys at once and forbids signing in', async () => {
    const admin = await app.identity.directory.createUser(
      { email: 'admin@tests.gouv.fr', password, isInstanceAdmin: true },
      system,
    );
    const agent = await signIn();
    const key = await app.http.inject({
      method: 'POST',
      url: '/api/me/api-keys',
      headers: { cookie: agent.cookie, origin: publicUrl },
      payload: { name: 'Script', scopes: ['chat'] },
    });
    const { secret } = key.json<{ secret: string }>();
    const adminSession = await signIn('admin@tests.gouv.fr');

    const agentId = (await me({ cookie: agent.cookie })).json<{ id: string }>().id;
    const refused = await app.http.inject({
      method: 'POST',
      url: `/api/admin/users/${agentId}/deactivate`,
      headers: { cookie: agent.cookie, origin: publicUrl },
    });
    expect(refused.statusCode).toBe(403);

    const deactivated = await app.http.inject({
      method: 'POST',
      url: `/api/admin/users/${agentId}/deactivate`,
      headers: { cookie: adminSession.cookie, origin: publicUrl },
    });
    expect(deactivated.statusCode).toBe(204);
    expect((await me({ cookie: agent.cookie })).statusCode).toBe(401);
    expect((await me({ authorization: `Bearer ${secret}` })).statusCode).toBe(401);
    expect((await login()).statusCode).toBe(401);
    const audit = await app.platform.audit.query({ action: 'identity.user.deactivated', limit: 5 });
    expect(audit.items[0]).toMatchObject({ actor: { userId: admin.id }, target: { id: agentId } });
  });

  it('shows administrators the audit log, filtered and paginated, and exports it as JSON Lines', async () => {
    await app.identity.directory.createUser({ email: 'admin@tests.gouv.fr', password, isInstanceAdmin: true }, system);
    await login('agent@tests.gouv.fr', 'wrong-password-again');
    const agent = await signIn();
    const admin = await signIn('admin@tests.gouv.fr');

    expect((await app.http.inject({ url: '/api/admin/audit', headers: { cookie: agent.cookie } })).statusCode).toBe(
      403,
    );

    const failures = await app.http.inject({
      url: '/api/admin/audit?actionPrefix=identity.login.&outcome=failure',
      headers: { cookie: admin.cookie },
    });
    expect(failures.statusCode).toBe(200);
    const page = failures.json<{ items: Array<{ action: string; actor: { label: string; ip: string } }> }>();
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ action: 'identity.login.failed', actor: { label: 'agent@tests.gouv.fr' } });

    const paged = await app.http.inject({ url: '/api/admin/audit?limit=2', headers: { cookie: admin.cookie } });
    expect(paged.json<{ nextCursor: string | null }>().nextCursor).not.toBeNull();

    const exported = await app.http.inject({
      url: '/api/admin/audit/export?actionPrefix=identity.login.',
      headers: { cookie: admin.cookie },
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('application/x-ndjson');
    const lines = exported.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string });
    expect(lines.map((line) => line.action)).toEqual([
      'identity.login.failed',
      'identity.login.succeeded',
      'identity.login.succeeded',
    ]);
  });

  it('shows an organisation administrator only the audit events of their organisations', async () => {
    const directory = app.identity.directory;
    const other = await directory.createOrganisation({ name: 'Autre ministère', domains: ['autre.gouv.fr'] }, system);
    await directory.createUser({ email: 'someone@autre.gouv.fr', password }, system);
    const head = await directory.createUser({ email: 'chef@tests.gouv.fr', password, organisationId }, system);
    await directory.addOrganisationAdmin(organisationId, head.id, system);
    await signIn('someone@autre.gouv.fr');
    const { cookie } = await signIn('chef@tests.gouv.fr');
    const response = await app.http.inject({ url: '/api/admin/audit?limit=100', headers: { cookie } });
    expect(response.statusCode).toBe(200);
    const organisations = response
      .json<{ items: Array<{ organisationId: string | null }> }>()
      .items.map((event) => event.organisationId);
    expect(organisations.length).toBeGreaterThan(0);
    expect(organisations).not.toContain(other.id);
    expect(new Set(organisations)).toEqual(new Set([organisationId]));
  });

  it('lets instance administrators list users, page by page', async () => {
    await app.identity.directory.createUser({ email: 'admin@tests.gouv.fr', password, isInstanceAdmin: true }, system);
    for (let index = 0; index < 3; index += 1) {
      await app.identity.directory.createUser({ email: `agent${index}@tests.gouv.fr` }, system);
    }
    const { cookie } = await signIn('admin@tests.gouv.fr');
    const first = await app.http.inject({ url: '/api/admin/users?limit=3', headers: { cookie } });
    const page = first.json<{ items: Array<{ email: string }>; nextCursor: string | null }>();
    expect(page.items).toHaveLength(3);
    const second = await app.http.inject({
      url: `/api/admin/users?limit=3&cursor=${page.nextCursor ?? ''}`,
      headers: { cookie },
    });
    const rest = second.json<{ items: Array<{ email: string }>; nextCursor: string | null }>();
    expect([...page.items, ...rest.items].map((user) => user.email).sort()).toEqual([
      'admin@tests.gouv.fr',
      'agent0@tests.gouv.fr',
      'agent1@tests.gouv.fr',
      'agent2@tests.gouv.fr',
      'agent@tests.gouv.fr',
    ]);
    expect(rest.nextCursor).toBeNull();
  });
});

describe('Identity: directory', () => {
  let environment: TestEnvironment;
  let app: BureauApp;

  beforeEach(async () => {
    environment = await createTestEnvironment();
    app = await buildApp(environment.config);
    await app.migrate();
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  it('puts an agent in the organisation owning the domain of their address', async () => {
    const ministry = await app.identity.directory.createOrganisation(
      { name: 'Ministère', domains: ['ministere.gouv.fr'] },
      system,
    );
    const user = await app.identity.directory.createUser({ email: 'jean@ministere.gouv.fr' }, system);
    expect(user.organisation_id).toBe(ministry.id);
    await expect(app.identity.directory.createUser({ email: 'jean@ailleurs.fr' }, system)).rejects.toMatchObject({
      code: 'IDENTITY_AGENT_NEEDS_ORGANISATION',
    });
    await expect(app.identity.directory.createUser({ email: 'JEAN@ministere.gouv.fr' }, system)).rejects.toMatchObject({
      code: 'IDENTITY_EMAIL_TAKEN',
    });
  });

  it('refuses weak passwords with the reason', async () => {
    await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['m.gouv.fr'] }, system);
    for (const weak of ['court', 'motdepasse123', 'aaaaaaaaaaaaaaaa', 'jeanne@m.gouv.fr']) {
      await expect(
        app.identity.directory.createUser({ email: 'jeanne@m.gouv.fr', password: weak }, system),
      ).rejects.toMatchObject({ code: 'IDENTITY_WEAK_PASSWORD' });
    }
  });

  it('describes a user to the permission model with their groups and organisation ancestors', async () => {
    const directory = app.identity.directory;
    const ministry = await directory.createOrganisation({ name: 'Ministère', domains: ['m.gouv.fr'] }, system);
    const direction = await directory.createOrganisation({ name: 'Direction', parentId: ministry.id }, system);
    const service = await directory.createOrganisation({ name: 'Service', parentId: direction.id }, system);
    const agent = await directory.createUser({ email: 'a@m.gouv.fr', organisationId: service.id }, system);
    const partner = await directory.createUser({ email: 'p@partenaire.fr', kind: 'external' }, system);
    const team = await directory.createGroup({ name: 'Équipe' }, agent.id, system);
    await directory.setGroupMember(team.id, partner.id, 'member', system);

    expect(await directory.resolveSubject(agent)).toEqual({
      userId: agent.id,
      kind: 'agent',
      groupIds: [team.id],
      organisationPath: [service.id, direction.id, ministry.id],
    });
    expect(await directory.resolveSubject(partner)).toEqual({
      userId: partner.id,
      kind: 'external',
      groupIds: [team.id],
      organisationPath: [],
    });
  });

  it('seeds the demo administration once, whose agents can sign in', async () => {
    const demo = await createTestEnvironment({ BUREAU_DEMO: '1', BUREAU_PUBLIC_URL: publicUrl });
    const demoApp = await buildApp(demo.config);
    try {
      await demoApp.migrate();
      await demoApp.identity.start?.();
      await demoApp.identity.start?.();
      const users = await demoApp.identity.directory.listUsers({ limit: 100 });
      expect(users).toHaveLength(11);
      expect(users.filter((user) => user.kind === 'external')).toHaveLength(1);
      const response = await demoApp.http.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'claire.martin@demo.gouv.fr', password: demoPassword },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ user: { isInstanceAdmin: true, displayName: 'Claire Martin' } });
    } finally {
      await demoApp.close();
      await demo.destroy();
    }
  });

  it('creates the instance administrator named by the configuration at first start only', async () => {
    const configured = await createTestEnvironment({
      BUREAU_ADMIN_EMAIL: 'root@instance.gouv.fr',
      BUREAU_ADMIN_PASSWORD: 'A-long-admin-password-1',
    });
    const configuredApp = await buildApp(configured.config);
    try {
      await configuredApp.migrate();
      await configuredApp.identity.start?.();
      await configuredApp.identity.start?.();
      const admin = await configuredApp.identity.directory.findUserByEmail('root@instance.gouv.fr');
      expect(Boolean(admin?.is_instance_admin)).toBe(true);
      expect(await configuredApp.identity.directory.countInstanceAdmins()).toBe(1);
    } finally {
      await configuredApp.close();
      await configured.destroy();
    }
  });
});
