import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { actorOf } from './index.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };

/**
 * The identity module and the permission model together, as a content module will use them: the
 * request's subject from identity, the check from platform/authz, refusals in the audit log.
 */
describe('Identity with the permission model', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let noteId: string;

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
    const ministry = await directory.createOrganisation({ name: 'Ministère A', domains: ['a.gouv.fr'] }, system);
    await directory.createOrganisation({ name: 'Ministère B', domains: ['b.gouv.fr'] }, system);
    const author = await directory.createUser({ email: 'auteur@a.gouv.fr', password }, system);
    await directory.createUser({ email: 'collegue@a.gouv.fr', password }, system);
    await directory.createUser({ email: 'voisin@b.gouv.fr', password }, system);
    const partner = await directory.createUser({ email: 'partenaire@exemple.fr', password, kind: 'external' }, system);
    const team = await directory.createGroup({ name: 'Équipe' }, author.id, system);
    await directory.setGroupMember(team.id, partner.id, 'member', system);

    noteId = app.platform.newId();
    await authz.registerResource({ type: 'test.note', id: noteId, organisationId: ministry.id });
    await authz.grant(
      { resource: { type: 'test.note', id: noteId }, principal: { kind: 'user', id: author.id }, role: 'owner' },
      { actor: system },
    );
    await authz.grant(
      {
        resource: { type: 'test.note', id: noteId },
        principal: { kind: 'organisation', id: ministry.id },
        role: 'reader',
      },
      { actor: system },
    );
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  async function read(email: string | undefined) {
    let cookie = '';
    if (email) {
      const login = await app.http.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: publicUrl },
        payload: { email, password },
      });
      cookie = `bureau_session=${login.cookies.find((candidate) => candidate.name === 'bureau_session')?.value ?? ''}`;
    }
    return app.http.inject({ url: `/api/test/notes/${noteId}`, headers: cookie ? { cookie } : {} });
  }

  it('lets the organisation read a resource shared with it, and no one else, and audits every refusal', async () => {
    expect((await read('auteur@a.gouv.fr')).statusCode).toBe(200);
    expect((await read('collegue@a.gouv.fr')).statusCode).toBe(200);

    const neighbour = await read('voisin@b.gouv.fr');
    expect(neighbour.statusCode).toBe(404);
    expect(neighbour.json<{ error: { code: string } }>().error.code).toBe('AUTHZ_NOT_FOUND');
    // An external partner of the author's team still does not get what is shared with the organisation.
    expect((await read('partenaire@exemple.fr')).statusCode).toBe(404);
    expect((await read(undefined)).statusCode).toBe(404);

    const denied = await app.platform.audit.query({ action: 'authz.access.denied', limit: 10 });
    expect(denied.items).toHaveLength(3);
    expect(denied.items.map((event) => event.actor.label).sort()).toEqual(
      ['partenaire@exemple.fr', 'voisin@b.gouv.fr', null].sort(),
    );
    expect(denied.items[0]).toMatchObject({ outcome: 'denied', target: { type: 'test.note', id: noteId } });
    expect(denied.items.every((event) => typeof event.actor.ip === 'string')).toBe(true);
  });
});
