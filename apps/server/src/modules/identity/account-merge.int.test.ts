import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import type { Subject } from '../../platform/authz/index.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import type { UserRow } from './directory.repository.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };
const issuer = 'https://proconnect.example.gouv.fr';

type ErrorBody = { error: { code: string } };

/**
 * An administrator merges the duplicate account a first single sign-on created (Bureau never links by
 * e-mail alone) into the person's existing account.
 */
describe('Merging two accounts of one person', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let ministry: string;
  let existing: UserRow;
  let duplicate: UserRow;

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
    app = await buildApp(environment.config);
    app.platform.authz.defineResourceType({
      type: 'test.note',
      roles: ['reader', 'editor', 'owner'],
      actions: { read: 'reader', edit: 'editor', share: 'owner' },
    });
    await app.migrate();
    const directory = app.identity.directory;
    ministry = (await directory.createOrganisation({ name: 'Ministère', domains: ['m.gouv.fr'] }, system)).id;
    await directory.createUser({ email: 'admin@m.gouv.fr', password, isInstanceAdmin: true }, system);
    await directory.createUser({ email: 'agent@m.gouv.fr', password }, system);
    // The person's first account (no password: created for single sign-on), and the duplicate with one.
    existing = await directory.createUser({ email: 'camille@m.gouv.fr', displayName: 'Camille' }, system);
    duplicate = await directory.createUser(
      { email: 'camille.durand@m.gouv.fr', displayName: 'Camille D.', password },
      system,
    );
    const { executor } = app.platform.database;
    await executor
      .withTables<{
        identity_identities: {
          issuer: string;
          subject: string;
          user_id: string;
          email: string | null;
          created_at: string;
          last_login_at: string | null;
        };
      }>()
      .insertInto('identity_identities')
      .values({
        issuer,
        subject: 'sub-duplicate',
        user_id: duplicate.id,
        email: duplicate.email,
        created_at: new Date().toISOString(),
        last_login_at: null,
      })
      .execute();
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  const signIn = (email: string) => signInHeaders(app, { email, password, publicUrl });

  function merge(headers: Record<string, string>, targetId: string, sourceUserId: string) {
    return app.http.inject({
      method: 'POST',
      url: `/api/admin/users/${targetId}/merge`,
      headers,
      payload: { sourceUserId },
    });
  }

  async function subjectOf(userId: string): Promise<Subject> {
    return app.identity.directory.resolveSubject(await app.identity.directory.getUser(userId));
  }

  it('moves identities, groups, organisation roles, grants and the password, then retires the duplicate', async () => {
    const { directory } = app.identity;
    const { authz, newId } = app.platform;
    const team = await directory.createGroup({ name: 'Équipe' }, existing.id, system);
    const project = await directory.createGroup({ name: 'Projet' }, duplicate.id, system);
    await directory.setGroupMember(team.id, existing.id, 'member', system);
    await directory.setGroupMember(team.id, duplicate.id, 'manager', system);
    await directory.setGroupMember(project.id, duplicate.id, 'member', system);
    await directory.addOrganisationAdmin(ministry, duplicate.id, system);

    const onlyDuplicate = newId();
    const both = newId();
    const onlyExisting = newId();
    for (const id of [onlyDuplicate, both, onlyExisting]) await authz.registerResource({ type: 'test.note', id });
    const give = (id: string, userId: string, role: string) =>
      authz.grant(
        { resource: { type: 'test.note', id }, principal: { kind: 'user', id: userId }, role },
        { actor: system },
      );
    await give(onlyDuplicate, duplicate.id, 'editor');
    await give(both, duplicate.id, 'owner');
    await give(both, existing.id, 'reader');
    await give(onlyExisting, existing.id, 'editor');

    const duplicateSession = await signIn(duplicate.email);
    const merged: Array<{ sourceUserId: string; targetUserId: string }> = [];
    app.platform.events.subscribe('identity.user.merged', (event) => {
      merged.push(event.payload);
    });

    const adminHeaders = await signIn('admin@m.gouv.fr');
    const response = await merge(adminHeaders, existing.id, duplicate.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      user: { id: existing.id, status: 'active' },
      moved: { identities: 1, groups: 2, administeredOrganisations: 1, grants: 2, passwordMoved: true },
    });

    // Single sign-on with the duplicate's identity now opens the existing account.
    const identities = await app.platform.database.executor
      .withTables<{ identity_identities: { issuer: string; subject: string; user_id: string } }>()
      .selectFrom('identity_identities')
      .select('user_id')
      .where('subject', '=', 'sub-duplicate')
      .execute();
    expect(identities).toEqual([{ user_id: existing.id }]);

    // The password the person used on the duplicate now signs in to the existing account.
    await signIn(existing.email);
    const me = await app.http.inject({ url: '/api/me', headers: await signIn(existing.email) });
    expect(me.json()).toMatchObject({ id: existing.id, administeredOrganisationIds: [ministry] });

    // Groups: the higher role where in both, the other group joined.
    const members = await directory.groupMembers(team.id);
    expect(members.map((member) => [member.id, member.role])).toEqual([[existing.id, 'manager']]);
    expect((await directory.groupMembers(project.id)).map((member) => member.id)).toEqual([existing.id]);

    // Grants: moved, and the higher role where both had one.
    const subject = await subjectOf(existing.id);
    expect(await authz.effectiveRole(subject, { type: 'test.note', id: onlyDuplicate })).toBe('editor');
    expect(await authz.effectiveRole(subject, { type: 'test.note', id: both })).toBe('owner');
    expect(await authz.effectiveRole(subject, { type: 'test.note', id: onlyExisting })).toBe('editor');
    expect(await authz.listGrants({ type: 'test.note', id: both })).toHaveLength(1);

    // The duplicate: deactivated, its session ended at once, pointing to its target.
    const retired = await directory.getUser(duplicate.id);
    expect(retired).toMatchObject({ status: 'deactivated', merged_into: existing.id, password_hash: null });
    expect((await app.http.inject({ url: '/api/me', headers: duplicateSession })).statusCode).toBe(401);
    const seen = await app.http.inject({ url: `/api/admin/users/${duplicate.id}`, headers: adminHeaders });
    expect(seen.json()).toMatchObject({ id: duplicate.id, status: 'deactivated' });
    expect(await authz.effectiveRole(await subjectOf(duplicate.id), { type: 'test.note', id: both })).toBeNull();

    await app.platform.events.drain();
    expect(merged).toEqual([{ sourceUserId: duplicate.id, targetUserId: existing.id }]);
    const audit = await app.platform.audit.query({ action: 'identity.user.merged', limit: 5 });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      target: { id: existing.id },
      details: { sourceUserId: duplicate.id, grants: 2, localSignInMoved: true },
    });
  });

  it('is for instance administrators, and refuses a merge into itself, of a merged account, or of a service', async () => {
    const agent = await signIn('agent@m.gouv.fr');
    expect((await merge(agent, existing.id, duplicate.id)).statusCode).toBe(403);

    const admin = await signIn('admin@m.gouv.fr');
    const itself = await merge(admin, existing.id, existing.id);
    expect(itself.statusCode).toBe(400);
    expect(itself.json<ErrorBody>().error.code).toBe('IDENTITY_MERGE_SAME_ACCOUNT');
    const unknown = await merge(admin, existing.id, app.platform.newId());
    expect(unknown.statusCode).toBe(404);

    const { serviceUser } = await app.identity.serviceKeys.create(
      ministry,
      { name: 'Programme', scopes: ['ai'] },
      existing,
      system,
    );
    const service = await merge(admin, existing.id, serviceUser.id);
    expect(service.statusCode).toBe(409);
    expect(service.json<ErrorBody>().error.code).toBe('IDENTITY_MERGE_NOT_ALLOWED');

    expect((await merge(admin, existing.id, duplicate.id)).statusCode).toBe(200);
    expect((await merge(admin, existing.id, duplicate.id)).statusCode).toBe(409);
    // Nothing can be merged into the retired account either.
    const third = await app.identity.directory.createUser({ email: 'tiers@m.gouv.fr', password }, system);
    expect((await merge(admin, duplicate.id, third.id)).statusCode).toBe(409);
  });
});
