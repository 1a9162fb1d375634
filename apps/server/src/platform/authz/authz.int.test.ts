import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import type { AuditEventInput, AuditLog } from '../audit/audit-log.ts';
import { createManualClock, type ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { createMigrationRunner } from '../db/migrations.ts';
import { AppError } from '../errors.ts';
import { createIdGenerator, type IdGenerator } from '../ids.ts';
import { platformMigrations } from '../migrations/index.ts';
import { createAuthzService, type AuthzService, type ResourceRef } from './authz.service.ts';
import { anonymousSubject, type Subject } from './subject.ts';
import { defineExampleDocumentTypes } from '../../testing/authz-fixtures.ts';

/** The audit log as the permission model sees it: events kept in memory, on commit when in a transaction. */
function createMemoryAuditLog(): AuditLog & { readonly events: AuditEventInput[] } {
  const events: AuditEventInput[] = [];
  return {
    events,
    record(event, options) {
      if (options?.context) options.context.afterCommit(() => events.push(event));
      else events.push(event);
      return Promise.resolve();
    },
    query: () => Promise.resolve({ items: [], nextCursor: null }),
    exportJsonLines: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true as const, value: undefined }) }),
    }),
    purgeBefore: () => Promise.resolve(0),
  };
}

async function expectAppError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

describe('Authorization', () => {
  let environment: TestEnvironment;
  let database: Database;
  let clock: ManualClock;
  let newId: IdGenerator;
  let audit: ReturnType<typeof createMemoryAuditLog>;
  let sut: AuthzService;
  const admin = { system: true } as const;

  function buildAgent(overrides: Partial<Subject> = {}): Subject {
    return { userId: newId(), kind: 'agent', groupIds: [], organisationPath: [newId()], ...overrides };
  }

  function buildExternal(overrides: Partial<Subject> = {}): Subject {
    return { userId: newId(), kind: 'external', groupIds: [], organisationPath: [], ...overrides };
  }

  /** A space, a folder in it and a document in the folder. */
  async function buildTree(options: { organisationId?: string; defaultLabel?: 'internal' | 'sensitive' } = {}) {
    const space = { type: 'docs.space', id: newId() };
    const folder = { type: 'docs.folder', id: newId() };
    const document = { type: 'docs.document', id: newId() };
    await sut.registerResource({ ...space, ...options });
    await sut.registerResource({ ...folder, parent: space });
    await sut.registerResource({ ...document, parent: folder });
    return { space, folder, document };
  }

  async function grantUser(resource: ResourceRef, subject: Subject, role: string) {
    return sut.grant({ resource, principal: { kind: 'user', id: subject.userId ?? '' }, role }, { actor: admin });
  }

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    clock = createManualClock('2026-12-01T08:00:00.000Z');
    newId = createIdGenerator(clock);
    audit = createMemoryAuditLog();
    sut = createAuthzService({ database, clock, newId, audit });
    defineExampleDocumentTypes(sut);
  });

  afterEach(async () => {
    await environment.destroy();
  });

  describe('resources', () => {
    it('registers a tree whose children take the organisation of their parent', async () => {
      const organisationId = newId();
      const { space, document } = await buildTree({ organisationId, defaultLabel: 'sensitive' });

      expect(await sut.getResource(document)).toEqual({
        ...document,
        parent: expect.objectContaining({ type: 'docs.folder' }) as unknown,
        organisationId,
        label: null,
        defaultLabel: null,
        createdAt: '2026-12-01T08:00:00.000Z',
      });
      expect(await sut.getResource(space)).toMatchObject({ parent: null, organisationId, defaultLabel: 'sensitive' });
    });

    it('refuses a parent of a type the resource type does not accept, an unknown parent and a second registration', async () => {
      const { space, document } = await buildTree();

      await expectAppError(
        sut.registerResource({ type: 'docs.space', id: newId(), parent: document }),
        'AUTHZ_PARENT_NOT_ALLOWED',
      );
      await expectAppError(
        sut.registerResource({ type: 'docs.folder', id: newId(), parent: { type: 'docs.space', id: newId() } }),
        'AUTHZ_RESOURCE_UNKNOWN',
      );
      await expectAppError(sut.registerResource(space), 'AUTHZ_RESOURCE_EXISTS');
    });

    it('treats an unknown type and an id that is not a UUID as programmer errors', async () => {
      await expect(sut.registerResource({ type: 'docs.page', id: newId() })).rejects.toThrow(/Unknown resource type/);
      await expect(sut.registerResource({ type: 'docs.space', id: 'space-1' })).rejects.toThrow(/UUIDs/);
      await expect(sut.can(buildAgent(), 'print', { type: 'docs.space', id: newId() })).rejects.toThrow(
        /Unknown action print/,
      );
    });

    it('registers many resources at once, parents inside or outside the batch', async () => {
      const { space } = await buildTree();
      const folder = { type: 'docs.folder', id: newId() };
      const documents = Array.from({ length: 30 }, () => ({ type: 'docs.document', id: newId(), parent: folder }));
      const reader = buildAgent();
      await sut.registerResources([{ ...folder, parent: space }, ...documents]);
      await grantUser(space, reader, 'reader');

      for (const { type, id } of documents) expect(await sut.can(reader, 'read', { type, id })).toBe(true);
      expect((await sut.getResource(documents[0] ?? folder))?.parent).toEqual(folder);
    });

    it('refuses to forget a resource that has children unless asked to forget the whole subtree', async () => {
      const { space, folder, document } = await buildTree();
      const owner = buildAgent();
      await grantUser(space, owner, 'owner');
      await grantUser(document, owner, 'owner');

      await expectAppError(sut.deleteResource(folder), 'AUTHZ_RESOURCE_HAS_CHILDREN');
      expect(await sut.deleteResource(folder, { withDescendants: true })).toBe(2);

      expect(await sut.getResource(document)).toBeUndefined();
      expect(await sut.can(owner, 'read', document)).toBe(false);
      expect(await sut.listGrants(document)).toEqual([]);
      expect(await sut.deleteResource(document)).toBe(0);
      expect(await sut.deleteResource(space)).toBe(1);
    });

    it('moves a subtree so that rights inherited from the old place go and those of the new one come', async () => {
      const from = await buildTree();
      const to = await buildTree();
      const subfolder = { type: 'docs.folder', id: newId() };
      const deepDocument = { type: 'docs.document', id: newId() };
      await sut.registerResources([
        { ...subfolder, parent: from.folder },
        { ...deepDocument, parent: subfolder },
      ]);
      const oldMember = buildAgent();
      const newMember = buildAgent();
      await grantUser(from.space, oldMember, 'editor');
      await grantUser(to.space, newMember, 'reader');

      await sut.moveResource(from.folder, to.space);

      for (const resource of [from.folder, from.document, subfolder, deepDocument]) {
        expect(await sut.effectiveRole(oldMember, resource)).toBeNull();
        expect(await sut.effectiveRole(newMember, resource)).toBe('reader');
      }
      expect((await sut.getResource(from.folder))?.parent).toEqual(to.space);
      expect(
        (await sut.listAccessible(newMember, { type: 'docs.document', action: 'read', limit: 10 })).items,
      ).toHaveLength(3);

      await sut.moveResource(from.folder, null);
      expect(await sut.effectiveRole(newMember, deepDocument)).toBeNull();
      expect((await sut.getResource(from.folder))?.parent).toBeNull();
    });

    it('refuses to move a resource into itself, one of its descendants or a parent of a wrong type', async () => {
      const { space, folder, document } = await buildTree();
      const subfolder = { type: 'docs.folder', id: newId() };
      await sut.registerResource({ ...subfolder, parent: folder });

      await expectAppError(sut.moveResource(folder, folder), 'AUTHZ_MOVE_INTO_ITSELF');
      await expectAppError(sut.moveResource(folder, subfolder), 'AUTHZ_MOVE_INTO_ITSELF');
      await expectAppError(sut.moveResource(space, document), 'AUTHZ_PARENT_NOT_ALLOWED');
      await expectAppError(sut.moveResource({ type: 'docs.folder', id: newId() }, space), 'AUTHZ_RESOURCE_UNKNOWN');
    });
  });

  describe('grants', () => {
    it('records the grant and its revocation in the audit log, and a revoked grant stops counting at once', async () => {
      const organisationId = newId();
      const { space, document } = await buildTree({ organisationId });
      const member = buildAgent();
      const actor = { userId: newId(), label: 'chef@example.gouv.fr' };

      const grant = await sut.grant(
        { resource: space, principal: { kind: 'user', id: member.userId ?? '' }, role: 'editor' },
        { actor },
      );
      expect(await sut.can(member, 'edit', document)).toBe(true);
      const revoked = await sut.revoke(grant.id, { actor });
      expect(await sut.can(member, 'read', document)).toBe(false);

      expect(revoked).toEqual(grant);
      expect(grant).toEqual({
        id: expect.any(String) as unknown,
        resource: space,
        principal: { kind: 'user', id: member.userId },
        role: 'editor',
        createdBy: actor.userId,
        createdAt: '2026-12-01T08:00:00.000Z',
        expiresAt: null,
      });
      const details = {
        grantId: grant.id,
        principalKind: 'user',
        principalId: member.userId,
        linkScope: null,
        role: 'editor',
        expiresAt: null,
      };
      expect(audit.events).toEqual([
        {
          action: 'authz.grant.created',
          outcome: 'success',
          actor,
          target: space,
          organisationId,
          details: { ...details, previousRole: null },
        },
        { action: 'authz.grant.revoked', outcome: 'success', actor, target: space, organisationId, details },
      ]);
    });

    it('keeps one grant per principal and resource, the new role replacing the old one', async () => {
      const { document } = await buildTree();
      const member = buildAgent();
      const first = await grantUser(document, member, 'owner');
      const second = await grantUser(document, member, 'reader');

      expect(second.id).toBe(first.id);
      expect(await sut.effectiveRole(member, document)).toBe('reader');
      expect(await sut.listGrants(document)).toHaveLength(1);
      expect(audit.events.at(-1)?.details).toMatchObject({ role: 'reader', previousRole: 'owner' });
    });

    it('writes neither the grant nor its audit record when the surrounding transaction rolls back', async () => {
      const { document } = await buildTree();
      const member = buildAgent();

      await expect(
        database.transaction(async (context) => {
          await sut.grant(
            { resource: document, principal: { kind: 'user', id: member.userId ?? '' }, role: 'owner' },
            { actor: admin, context },
          );
          expect(await sut.can(member, 'share', document, { context })).toBe(true);
          throw new Error('the module failed after granting');
        }),
      ).rejects.toThrow(/module failed/);

      expect(await sut.can(member, 'read', document)).toBe(false);
      expect(audit.events).toEqual([]);
    });

    it('ignores a grant once it has expired and refuses an expiry already past', async () => {
      const { document } = await buildTree();
      const visitor = buildExternal();
      await sut.grant(
        {
          resource: document,
          principal: { kind: 'link', scope: 'authenticated' },
          role: 'commenter',
          expiresAt: '2026-12-02T08:00:00.000Z',
        },
        { actor: admin },
      );

      expect(await sut.can(visitor, 'comment', document)).toBe(true);
      clock.set('2026-12-02T08:00:00.000Z');
      expect(await sut.can(visitor, 'read', document)).toBe(false);
      expect(await sut.listGrants(document)).toEqual([
        expect.objectContaining({ expiresAt: '2026-12-02T08:00:00.000Z', isExpired: true }),
      ]);
      await expectAppError(
        sut.grant(
          { resource: document, principal: { kind: 'all_agents' }, role: 'reader', expiresAt: '2026-12-01T00:00:00Z' },
          { actor: admin },
        ),
        'AUTHZ_EXPIRY_IN_PAST',
      );
    });

    it('refuses a grant on an unknown resource, to a malformed principal or with a role of another type', async () => {
      const { document } = await buildTree();
      const principal = { kind: 'group', id: newId() } as const;

      await expectAppError(
        sut.grant({ resource: { type: 'docs.document', id: newId() }, principal, role: 'reader' }, { actor: admin }),
        'AUTHZ_RESOURCE_UNKNOWN',
      );
      await expectAppError(
        sut.grant({ resource: document, principal: { kind: 'user', id: 'bob' }, role: 'reader' }, { actor: admin }),
        'AUTHZ_INVALID_PRINCIPAL',
      );
      await expect(sut.grant({ resource: document, principal, role: 'member' }, { actor: admin })).rejects.toThrow(
        /Unknown role member/,
      );
      await expectAppError(sut.revoke(newId(), { actor: admin }), 'AUTHZ_GRANT_NOT_FOUND');
    });

    it('lists the grants of a resource with those inherited from its ancestors and the role they give', async () => {
      const { space, folder, document } = await buildTree();
      const group = newId();
      await sut.grantMany(
        [
          { resource: space, principal: { kind: 'organisation', id: group }, role: 'commenter' },
          { resource: folder, principal: { kind: 'all_agents' }, role: 'reader' },
          { resource: document, principal: { kind: 'link', scope: 'public' }, role: 'reader' },
        ],
        { actor: admin },
      );

      expect(await sut.listGrants(document)).toEqual([
        expect.objectContaining({ principal: { kind: 'link', scope: 'public' }, inheritedFrom: null }),
      ]);
      const listed = await sut.listGrants(document, { includeInherited: true });
      expect(
        listed.map(({ principal, inheritedFrom, effectiveRole }) => ({ principal, inheritedFrom, effectiveRole })),
      ).toEqual([
        { principal: { kind: 'link', scope: 'public' }, inheritedFrom: null, effectiveRole: 'reader' },
        { principal: { kind: 'all_agents' }, inheritedFrom: folder, effectiveRole: 'reader' },
        { principal: { kind: 'organisation', id: group }, inheritedFrom: space, effectiveRole: 'commenter' },
      ]);
      expect(audit.events.map((event) => event.action)).toEqual([
        'authz.grant.created',
        'authz.grant.created',
        'authz.grant.created',
      ]);
    });
  });

  describe('checks', () => {
    it('answers not found, not forbidden, for a resource the subject may not even read, existing or not', async () => {
      const { document } = await buildTree();
      const stranger = buildAgent();
      const reader = buildAgent();
      await grantUser(document, reader, 'reader');

      const hidden = await expectAppError(sut.assertCan(stranger, 'edit', document), 'AUTHZ_NOT_FOUND');
      const missing = await expectAppError(
        sut.assertCan(reader, 'read', { type: 'docs.document', id: newId() }),
        'AUTHZ_NOT_FOUND',
      );
      const forbidden = await expectAppError(sut.assertCan(reader, 'edit', document), 'AUTHZ_FORBIDDEN');
      await sut.assertCan(reader, 'read', document);

      expect(hidden.kind).toBe('not_found');
      expect(hidden.messages).toEqual(missing.messages);
      expect(hidden.messages.fr).toBe('Cette ressource n’existe pas ou ne vous est pas accessible.');
      expect(forbidden.kind).toBe('forbidden');
      expect(forbidden.messages.en).toBe('You do not have the rights needed for this action.');
    });

    it('says no for a malformed id instead of failing', async () => {
      expect(await sut.can(buildAgent(), 'read', { type: 'docs.document', id: 'not-a-uuid' })).toBe(false);
      await expectAppError(
        sut.assertCan(buildAgent(), 'read', { type: 'docs.document', id: '../x' }),
        'AUTHZ_NOT_FOUND',
      );
    });

    it('carries roles over to another type through its mapping, and only the roles mapped', async () => {
      sut.defineResourceType({
        type: 'chat.room',
        roles: ['member', 'moderator', 'admin'],
        actions: { read: 'member', post: 'member', moderate: 'moderator', administer: 'admin' },
      });
      sut.defineResourceType({
        type: 'meet.meeting',
        roles: ['participant', 'host'],
        actions: { join: 'participant', lead: 'host' },
        inheritFrom: { 'chat.room': { member: 'participant', admin: 'host' } },
      });
      const room = { type: 'chat.room', id: newId() };
      const meeting = { type: 'meet.meeting', id: newId() };
      await sut.registerResources([room, { ...meeting, parent: room }]);
      const [member, moderator, admin2] = [buildAgent(), buildAgent(), buildAgent()];
      await grantUser(room, member, 'member');
      await grantUser(room, moderator, 'moderator');
      await grantUser(room, admin2, 'admin');

      expect(await sut.effectiveRole(member, meeting)).toBe('participant');
      expect(await sut.effectiveRole(moderator, meeting)).toBeNull();
      expect(await sut.effectiveRole(admin2, meeting)).toBe('host');
      const hosts = await Promise.all(
        [member, moderator, admin2].map(
          async (subject) =>
            (await sut.listAccessible(subject, { type: 'meet.meeting', action: 'lead', limit: 5 })).items,
        ),
      );
      expect(hosts).toEqual([[], [], [meeting]]);
    });

    it('sees its own uncommitted writes when given the transaction', async () => {
      const member = buildAgent();
      const space = { type: 'docs.space', id: newId() };

      const seen = await database.transaction(async (context) => {
        await sut.registerResource(space, { context });
        await sut.grant(
          { resource: space, principal: { kind: 'user', id: member.userId ?? '' }, role: 'owner' },
          { actor: admin, context },
        );
        const query = { type: 'docs.space', action: 'share', context };
        return {
          role: await sut.effectiveRole(member, space, { context }),
          listed: (await sut.listAccessible(member, { ...query, limit: 10 })).items,
          filtered: await context.executor
            .withTables<{ platform_authz_resources: { id: string } }>()
            .selectFrom('platform_authz_resources')
            .select('id')
            .where(await sut.filter(member, { ...query, idColumn: 'platform_authz_resources.id' }))
            .execute(),
        };
      });

      expect(seen).toEqual({ role: 'owner', listed: [space], filtered: [{ id: space.id }] });
    });
  });

  describe('lists', () => {
    it('pages through what the subject may read, newest first, without link-shared resources unless asked', async () => {
      const { space } = await buildTree();
      const documents = Array.from({ length: 12 }, () => ({ type: 'docs.document', id: newId() }));
      await sut.registerResources(documents.map((document) => ({ ...document, parent: space })));
      const reader = buildAgent();
      await grantUser(space, reader, 'reader');
      const outsider = { type: 'docs.document', id: newId() };
      await sut.registerResource(outsider);
      await sut.grant(
        { resource: outsider, principal: { kind: 'link', scope: 'public' }, role: 'reader' },
        { actor: admin },
      );

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await sut.listAccessible(reader, { type: 'docs.document', action: 'read', limit: 5, cursor });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const withLinks = await sut.listAccessible(reader, {
        type: 'docs.document',
        action: 'read',
        limit: 50,
        includeLinkShared: true,
      });
      const anonymous = await sut.listAccessible(anonymousSubject, {
        type: 'docs.document',
        action: 'read',
        limit: 50,
      });

      // The tree's own document and the twelve, newest first.
      expect(seen).toHaveLength(13);
      expect(seen).toEqual([...seen].sort().reverse());
      expect(withLinks.items.map((item) => item.id)).toEqual([outsider.id, ...seen]);
      expect(anonymous.items).toEqual([]);
      expect(await sut.can(anonymousSubject, 'read', outsider)).toBe(true);
      await expectAppError(
        sut.listAccessible(reader, { type: 'docs.document', action: 'read', limit: 5, cursor: 'x' }),
        'VALIDATION_FAILED',
      );
    });
  });

  describe('sensitivity labels', () => {
    it('takes its own label, else its nearest ancestor’s, else the top ancestor’s default, else internal', async () => {
      const plain = await buildTree();
      const sensitiveByDefault = await buildTree({ defaultLabel: 'sensitive' });
      const owner = buildAgent();
      await grantUser(plain.space, owner, 'owner');

      expect(await sut.effectiveLabel(plain.document)).toBe('internal');
      expect(await sut.effectiveLabel(sensitiveByDefault.document)).toBe('sensitive');
      await sut.setLabel(owner, plain.folder, 'restricted', { actor: admin });
      expect(await sut.effectiveLabel(plain.document)).toBe('restricted');
      expect(await sut.effectiveLabel(plain.space)).toBe('internal');
      await sut.setLabel(owner, plain.document, 'public', { actor: admin });
      expect(await sut.effectiveLabel(plain.document)).toBe('public');
      await expectAppError(sut.effectiveLabel({ type: 'docs.space', id: newId() }), 'AUTHZ_RESOURCE_UNKNOWN');
    });

    it('lets an editor raise a label and only an owner lower it, recording both and the refusals', async () => {
      const organisationId = newId();
      const { space, document } = await buildTree({ organisationId });
      const [commenter, editor, owner] = [buildAgent(), buildAgent(), buildAgent()];
      await grantUser(space, commenter, 'commenter');
      await grantUser(space, editor, 'editor');
      await grantUser(space, owner, 'owner');
      audit.events.length = 0;
      const actor = { userId: editor.userId };

      await expectAppError(sut.setLabel(commenter, document, 'sensitive', { actor }), 'AUTHZ_FORBIDDEN');
      expect(await sut.setLabel(editor, document, 'sensitive', { actor })).toEqual({
        from: 'internal',
        to: 'sensitive',
      });
      await expectAppError(sut.setLabel(editor, document, 'internal', { actor }), 'AUTHZ_FORBIDDEN');
      expect(await sut.effectiveLabel(document)).toBe('sensitive');
      expect(await sut.setLabel(owner, document, null, { actor })).toEqual({ from: 'sensitive', to: 'internal' });
      await expectAppError(sut.setLabel(buildAgent(), document, 'restricted', { actor }), 'AUTHZ_NOT_FOUND');

      const event = (action: string, outcome: string, from: string, to: string, label: string | null) => ({
        action,
        outcome,
        actor,
        target: document,
        organisationId,
        details: { from, to, label },
      });
      expect(audit.events).toEqual([
        event('sensitivity.label.raised', 'denied', 'internal', 'sensitive', 'sensitive'),
        event('sensitivity.label.raised', 'success', 'internal', 'sensitive', 'sensitive'),
        event('sensitivity.label.lowered', 'denied', 'sensitive', 'internal', 'internal'),
        event('sensitivity.label.lowered', 'success', 'sensitive', 'internal', null),
      ]);
    });

    it('never lowers a label by moving a resource: it keeps its label as its own', async () => {
      const restricted = await buildTree();
      const open = await buildTree();
      const owner = buildAgent();
      await grantUser(restricted.space, owner, 'owner');
      await sut.setLabel(owner, restricted.space, 'restricted', { actor: admin });

      await sut.moveResource(restricted.folder, open.space);

      expect(await sut.effectiveLabel(restricted.document)).toBe('restricted');
      expect((await sut.getResource(restricted.folder))?.label).toBe('restricted');
      // Moving somewhere more sensitive raises the inherited label as usual.
      await sut.moveResource(open.folder, restricted.space);
      expect(await sut.effectiveLabel(open.document)).toBe('restricted');
      expect((await sut.getResource(open.folder))?.label).toBeNull();
    });

    it('follows the label actions a type declares', async () => {
      sut.defineResourceType({
        type: 'chat.room',
        roles: ['member', 'moderator', 'admin'],
        actions: { read: 'member', moderate: 'moderator', administer: 'admin' },
        labelRaise: 'moderate',
        labelLower: 'moderate',
      });
      const room = { type: 'chat.room', id: newId() };
      await sut.registerResource(room);
      const moderator = buildAgent();
      await grantUser(room, moderator, 'moderator');

      await sut.setLabel(moderator, room, 'restricted', { actor: admin });
      expect(await sut.setLabel(moderator, room, 'public', { actor: admin })).toEqual({
        from: 'restricted',
        to: 'public',
      });
    });
  });
});
