import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { actorOf } from './index.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };

type ErrorBody = { error: { code: string } };

/**
 * Organisation service keys: a program of another administration acts for an organisation, with its own
 * service account, its organisation's grants (never all agents'), no administration, and it outlives its
 * creator until revoked.
 */
describe('Organisation service keys', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let ministryA: string;
  let ministryB: string;
  const notes: Record<'organisationA' | 'allAgents' | 'organisationB', string> = {
    organisationA: '',
    allAgents: '',
    organisationB: '',
  };

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
    app = await buildApp(environment.config);
    const { authz } = app.platform;
    authz.defineResourceType({
      type: 'test.note',
      roles: ['reader', 'editor', 'owner'],
      actions: { read: 'reader', edit: 'editor', share: 'owner' },
    });
    app.http.get('/api/test/notes/:id', { schema: { params: z.object({ id: z.uuid() }) } }, async (request) => {
      const subject = await app.identity.subjectOf(request);
      await authz.assertCan(subject, 'read', { type: 'test.note', id: request.params.id }, { actor: actorOf(request) });
      return { id: request.params.id };
    });
    await app.migrate();

    const directory = app.identity.directory;
    ministryA = (await directory.createOrganisation({ name: 'Ministère A', domains: ['a.gouv.fr'] }, system)).id;
    ministryB = (await directory.createOrganisation({ name: 'Ministère B', domains: ['b.gouv.fr'] }, system)).id;
    const adminA = await directory.createUser({ email: 'admin@a.gouv.fr', password }, system);
    await directory.addOrganisationAdmin(ministryA, adminA.id, system);
    const adminB = await directory.createUser({ email: 'admin@b.gouv.fr', password }, system);
    await directory.addOrganisationAdmin(ministryB, adminB.id, system);
    await directory.createUser({ email: 'agent@a.gouv.fr', password }, system);

    for (const [name, principal] of [
      ['organisationA', { kind: 'organisation', id: ministryA }],
      ['allAgents', { kind: 'all_agents' }],
      ['organisationB', { kind: 'organisation', id: ministryB }],
    ] as const) {
      const id = app.platform.newId();
      notes[name] = id;
      await authz.registerResource({ type: 'test.note', id });
      await authz.grant({ resource: { type: 'test.note', id }, principal, role: 'reader' }, { actor: system });
    }
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  const signIn = (email: string) => signInHeaders(app, { email, password, publicUrl });

  async function createKey(headers: Record<string, string>, organisationId: string, body: object) {
    return app.http.inject({
      method: 'POST',
      url: `/api/admin/organisations/${organisationId}/service-keys`,
      headers,
      payload: body,
    });
  }

  it('acts for its organisation: its grants, never all agents’ nor another organisation’s, and no administration', async () => {
    const admin = await signIn('admin@a.gouv.fr');
    const created = await createKey(admin, ministryA, { name: 'Logiciel RH de la préfecture', scopes: ['docs:read'] });
    expect(created.statusCode).toBe(201);
    const { secret, serviceKey } = created.json<{
      secret: string;
      serviceKey: { id: string; organisationId: string; serviceUserId: string; scopes: string[]; prefix: string };
    }>();
    expect(secret).toMatch(/^bk_[A-Za-z0-9]{12}_/);
    expect(serviceKey).toMatchObject({ organisationId: ministryA, scopes: ['docs:read'] });
    const bearer = { authorization: `Bearer ${secret}` };

    const me = await app.http.inject({ url: '/api/me', headers: bearer });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      id: serviceKey.serviceUserId,
      kind: 'service',
      displayName: 'Logiciel RH de la préfecture',
      organisation: { id: ministryA },
      isInstanceAdmin: false,
      authenticatedBy: 'api-key',
      scopes: ['docs:read'],
    });

    const read = (id: string) => app.http.inject({ url: `/api/test/notes/${id}`, headers: bearer });
    expect((await read(notes.organisationA)).statusCode).toBe(200);
    expect((await read(notes.allAgents)).statusCode).toBe(404);
    expect((await read(notes.organisationB)).statusCode).toBe(404);

    // A program never administers: no admin scope to ask for, and admin routes refuse the key.
    const adminScope = await createKey(admin, ministryA, { name: 'Trop puissant', scopes: ['admin'] });
    expect(adminScope.statusCode).toBe(400);
    const organisations = await app.http.inject({ url: '/api/admin/organisations', headers: bearer });
    expect(organisations.statusCode).toBe(403);
    // Nor does it create keys of its own.
    const ownKey = await app.http.inject({
      method: 'POST',
      url: '/api/me/api-keys',
      headers: bearer,
      payload: { name: 'x', scopes: ['docs:read'] },
    });
    expect(ownKey.statusCode).toBe(403);
  });

  it('is managed by the organisation’s administrators only, lists without secrets, outlives its creator, and stops at once when revoked', async () => {
    const adminA = await signIn('admin@a.gouv.fr');
    expect(
      (await createKey(await signIn('agent@a.gouv.fr'), ministryA, { name: 'x', scopes: ['ai'] })).statusCode,
    ).toBe(403);
    expect(
      (await createKey(await signIn('admin@b.gouv.fr'), ministryA, { name: 'x', scopes: ['ai'] })).statusCode,
    ).toBe(403);
    const past = await createKey(adminA, ministryA, {
      name: 'x',
      scopes: ['ai'],
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(past.statusCode).toBe(400);
    expect(past.json<ErrorBody>().error.code).toBe('IDENTITY_EXPIRY_IN_PAST');

    const created = await createKey(adminA, ministryA, { name: 'Passerelle Albert', scopes: ['ai', 'docs:read'] });
    const { secret, serviceKey } = created.json<{
      secret: string;
      serviceKey: { id: string; serviceUserId: string };
    }>();

    const listed = await app.http.inject({
      url: `/api/admin/organisations/${ministryA}/service-keys`,
      headers: adminA,
    });
    expect(listed.statusCode).toBe(200);
    const items = listed.json<{ items: Array<Record<string, unknown>> }>().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: serviceKey.id, name: 'Passerelle Albert', scopes: ['ai', 'docs:read'] });
    expect(JSON.stringify(items)).not.toContain(secret.slice(-20));
    const otherList = await app.http.inject({
      url: `/api/admin/organisations/${ministryA}/service-keys`,
      headers: await signIn('admin@b.gouv.fr'),
    });
    expect(otherList.statusCode).toBe(403);

    // Service accounts are not people: not in the directory nor in the default list of users.
    const directory = await app.http.inject({ url: '/api/directory/users?limit=100', headers: adminA });
    expect(directory.json<{ items: Array<{ id: string }> }>().items.map((item) => item.id)).not.toContain(
      serviceKey.serviceUserId,
    );
    const services = await app.identity.directory.listUsers({ limit: 10, kinds: ['service'] });
    expect(services.map((user) => user.id)).toEqual([serviceKey.serviceUserId]);

    // The key belongs to the organisation: deactivating its creator does not stop it.
    const creator = await app.identity.directory.listUsers({ limit: 10, search: 'admin@a.gouv.fr' });
    await app.identity.directory.deactivateUser(creator[0]?.id ?? '', system);
    const bearer = { authorization: `Bearer ${secret}` };
    expect((await app.http.inject({ url: '/api/me', headers: bearer })).statusCode).toBe(200);

    // Another administrator of the organisation revokes it: refused at once, its account deactivated.
    const admin2 = await app.identity.directory.createUser({ email: 'admin2@a.gouv.fr', password }, system);
    await app.identity.directory.addOrganisationAdmin(ministryA, admin2.id, system);
    const revoke = await app.http.inject({
      method: 'DELETE',
      url: `/api/admin/organisations/${ministryA}/service-keys/${serviceKey.id}`,
      headers: await signIn('admin2@a.gouv.fr'),
    });
    expect(revoke.statusCode).toBe(204);
    expect((await app.http.inject({ url: '/api/me', headers: bearer })).statusCode).toBe(401);
    expect((await app.identity.directory.getUser(serviceKey.serviceUserId)).status).toBe('deactivated');
    const again = await app.http.inject({
      method: 'DELETE',
      url: `/api/admin/organisations/${ministryA}/service-keys/${serviceKey.id}`,
      headers: await signIn('admin2@a.gouv.fr'),
    });
    expect(again.statusCode).toBe(404);

    const audit = await app.platform.audit.query({ organisationIds: [ministryA], limit: 50 });
    const actions = audit.items.map((event) => event.action);
    expect(actions).toContain('identity.service_key.created');
    expect(actions).toContain('identity.service_key.revoked');
  });
});
