import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };

/** The organisation's default sensitivity label: set by its administrators, given to what is created in it. */
describe('Organisation default labels', () => {
  let environment: TestEnvironment;
  let app: BureauApp;

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
    app = await buildApp(environment.config);
    app.platform.authz.defineResourceType({
      type: 'test.folder',
      roles: ['reader', 'editor', 'owner'],
      actions: { read: 'reader', edit: 'editor', share: 'owner' },
      parentTypes: ['test.folder'],
    });
    await app.migrate();
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  const signIn = (email: string) => signInHeaders(app, { email, password, publicUrl });

  it('is set by the organisation’s administrators, inherited by new sub-organisations, and labels new resources', async () => {
    const { directory } = app.identity;
    const { authz, newId } = app.platform;
    const defence = await directory.createOrganisation({ name: 'Défense', domains: ['defense.gouv.fr'] }, system);
    const culture = await directory.createOrganisation({ name: 'Culture', domains: ['culture.gouv.fr'] }, system);
    const admin = await directory.createUser({ email: 'admin@defense.gouv.fr', password }, system);
    await directory.addOrganisationAdmin(defence.id, admin.id, system);
    await directory.createUser({ email: 'agent@defense.gouv.fr', password }, system);
    const adminHeaders = await signIn('admin@defense.gouv.fr');

    const patch = (id: string, headers: Record<string, string>, payload: object) =>
      app.http.inject({ method: 'PATCH', url: `/api/admin/organisations/${id}`, headers, payload });
    expect(
      (await patch(defence.id, await signIn('agent@defense.gouv.fr'), { defaultLabel: 'sensitive' })).statusCode,
    ).toBe(403);
    expect((await patch(culture.id, adminHeaders, { defaultLabel: 'public' })).statusCode).toBe(403);
    expect((await patch(defence.id, adminHeaders, { defaultLabel: 'secret' })).statusCode).toBe(400);
    expect((await patch(defence.id, adminHeaders, {})).statusCode).toBe(400);
    const updated = await patch(defence.id, adminHeaders, { defaultLabel: 'sensitive' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ id: defence.id, defaultLabel: 'sensitive', domains: ['defense.gouv.fr'] });

    const created = await app.http.inject({
      method: 'POST',
      url: '/api/admin/organisations',
      headers: adminHeaders,
      payload: { name: 'Direction du renseignement', parentId: defence.id },
    });
    expect(created.statusCode).toBe(201);
    const direction = created.json<{ id: string; defaultLabel: string }>();
    expect(direction.defaultLabel).toBe('sensitive');

    // What a module creates in the organisation gets its default; children inherit; an explicit default wins.
    const folder = newId();
    const child = newId();
    const elsewhere = newId();
    const explicit = newId();
    await authz.registerResource({ type: 'test.folder', id: folder, organisationId: direction.id });
    await authz.registerResource({ type: 'test.folder', id: child, parent: { type: 'test.folder', id: folder } });
    await authz.registerResource({ type: 'test.folder', id: elsewhere, organisationId: culture.id });
    await authz.registerResources([
      { type: 'test.folder', id: explicit, organisationId: defence.id, defaultLabel: 'restricted' },
    ]);
    expect(await authz.effectiveLabel({ type: 'test.folder', id: folder })).toBe('sensitive');
    expect(await authz.effectiveLabel({ type: 'test.folder', id: child })).toBe('sensitive');
    expect(await authz.effectiveLabel({ type: 'test.folder', id: elsewhere })).toBe('internal');
    expect(await authz.effectiveLabel({ type: 'test.folder', id: explicit })).toBe('restricted');

    const listed = await app.http.inject({ url: '/api/admin/organisations', headers: adminHeaders });
    expect(listed.json<{ items: Array<{ id: string; defaultLabel: string }> }>().items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: defence.id, defaultLabel: 'sensitive' })]),
    );
    const audit = await app.platform.audit.query({ action: 'identity.organisation.updated', limit: 5 });
    expect(audit.items[0]).toMatchObject({
      target: { id: defence.id },
      details: { default_label: { from: 'internal', to: 'sensitive' } },
    });
  });
});
