import { sql, type Kysely, type SqlBool } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { silentAuditLog } from '../../testing/silent-audit-log.ts';
import { createManualClock, type ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { createMigrationRunner, portableColumnTypes } from '../db/migrations.ts';
import { AppError } from '../errors.ts';
import { createIdGenerator, type IdGenerator } from '../ids.ts';
import { platformMigrations } from '../migrations/index.ts';
import {
  createAuthzService,
  type AuthzQueryThresholds,
  type AuthzService,
  type GrantInput,
  type ResourceRef,
} from './authz.service.ts';
import type { Principal } from './principals.ts';
import { anonymousSubject, type Subject } from './subject.ts';
import { defineExampleDocumentTypes } from '../../testing/authz-fixtures.ts';
import { createSeededRandom } from '../../testing/seeded-random.ts';

/** The audit log is not under test here: it only has to accept the records. */
const quietAuditLog = silentAuditLog;

const roles = ['reader', 'commenter', 'editor', 'owner'] as const;
type Role = (typeof roles)[number];
const actions = { read: 'reader', comment: 'commenter', edit: 'editor', share: 'owner' } as const;
type Action = keyof typeof actions;
const actionNames = Object.keys(actions) as Action[];
const rank = (role: Role | null) => (role === null ? -1 : roles.indexOf(role));
const highest = (a: Role | null, b: Role | null) => (rank(a) >= rank(b) ? a : b);

type TestTables = { authz_test_items: { id: string; type: string } };

describe('Authorization matrix', () => {
  let environment: TestEnvironment;
  let database: Database;
  let clock: ManualClock;
  let newId: IdGenerator;
  let sut: AuthzService;
  const actor = { system: true } as const;
  const start = '2026-12-01T08:00:00.000Z';
  /** Grants made to expire at this instant have expired when the checks run (two hours after start). */
  const soon = '2026-12-01T09:00:00.000Z';
  const later = '2026-12-01T18:00:00.000Z';

  function createService(thresholds?: Partial<AuthzQueryThresholds>): AuthzService {
    const service = createAuthzService({ database, clock, newId, audit: quietAuditLog, thresholds });
    defineExampleDocumentTypes(service);
    return service;
  }

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    clock = createManualClock(start);
    newId = createIdGenerator(clock);
    sut = createService();
  });

  afterEach(async () => {
    await environment.destroy();
  });

  describe('permission matrix', () => {
    const principalKinds = [
      'user',
      'group',
      'organisation',
      'all_agents',
      'link authenticated',
      'link public',
    ] as const;
    type PrincipalCase = (typeof principalKinds)[number];
    const subjectKinds = [
      'agent of the organisation',
      'agent of another organisation',
      'external',
      'service of the organisation',
      'anonymous',
    ] as const;
    type SubjectKind = (typeof subjectKinds)[number];
    /**
     * Where the grant under test sits for the document checked: on it, on its folder, on its space; or
     * on both the document and its folder, the other one giving a never-expiring `reader`.
     */
    const inheritanceCases = [
      'direct',
      'from the parent',
      'from the grandparent',
      'explicit child grant above the parent',
      'explicit child grant below the parent',
    ] as const;
    type InheritanceCase = (typeof inheritanceCases)[number];

    /** The policy, written out: who each kind of grant reaches. */
    const reaches: Record<PrincipalCase, readonly SubjectKind[]> = {
      user: ['agent of the organisation', 'agent of another organisation', 'external', 'service of the organisation'],
      group: ['agent of the organisation', 'agent of another organisation', 'external', 'service of the organisation'],
      organisation: ['agent of the organisation', 'service of the organisation'],
      all_agents: ['agent of the organisation', 'agent of another organisation'],
      'link authenticated': [
        'agent of the organisation',
        'agent of another organisation',
        'external',
        'service of the organisation',
      ],
      'link public': subjectKinds,
    };

    it.each(principalKinds)(
      'lets a %s grant give exactly its role, by every path, to whom the policy says, until it expires',
      async (principalCase) => {
        const [root, direction, unit] = [newId(), newId(), newId()];
        const groupId = newId();
        const subjects: Record<SubjectKind, Subject> = {
          'agent of the organisation': {
            userId: newId(),
            kind: 'agent',
            groupIds: [groupId],
            organisationPath: [unit, direction, root],
          },
          'agent of another organisation': {
            userId: newId(),
            kind: 'agent',
            groupIds: [groupId],
            organisationPath: [newId(), newId()],
          },
          // An external user whose path names the unit anyway: organisation grants must still not reach them.
          external: {
            userId: newId(),
            kind: 'external',
            groupIds: [groupId],
            organisationPath: [unit, direction, root],
          },
          // A program acting for the unit (an organisation's service key): never an all-agents grant.
          'service of the organisation': {
            userId: newId(),
            kind: 'service',
            groupIds: [groupId],
            organisationPath: [unit, direction, root],
          },
          anonymous: anonymousSubject,
        };
        const principals = (): Principal[] => {
          switch (principalCase) {
            case 'user':
              return Object.values(subjects).flatMap((subject) =>
                subject.userId === null ? [] : [{ kind: 'user', id: subject.userId }],
              );
            case 'group':
              return [{ kind: 'group', id: groupId }];
            case 'organisation':
              // The direction above the agent's unit: a unit's grant reaches every unit below it.
              return [{ kind: 'organisation', id: direction }];
            case 'all_agents':
              return [{ kind: 'all_agents' }];
            case 'link authenticated':
              return [{ kind: 'link', scope: 'authenticated' }];
            case 'link public':
              return [{ kind: 'link', scope: 'public' }];
          }
        };

        interface Case {
          readonly role: Role;
          readonly inheritance: InheritanceCase;
          readonly isExpired: boolean;
          readonly document: ResourceRef;
        }
        const cases: Case[] = [];
        const resources = [];
        const grants: GrantInput[] = [];
        const give = (resource: ResourceRef, role: Role, expiresAt: string | null) => {
          for (const principal of principals()) grants.push({ resource, principal, role, expiresAt });
        };
        for (const role of roles) {
          for (const inheritance of inheritanceCases) {
            for (const isExpired of [false, true]) {
              const space = { type: 'docs.space', id: newId() };
              const folder = { type: 'docs.folder', id: newId() };
              const document = { type: 'docs.document', id: newId() };
              resources.push(space, { ...folder, parent: space }, { ...document, parent: folder });
              cases.push({ role, inheritance, isExpired, document });
              const expiresAt = isExpired ? soon : later;
              if (inheritance === 'direct') give(document, role, expiresAt);
              if (inheritance === 'from the parent') give(folder, role, expiresAt);
              if (inheritance === 'from the grandparent') give(space, role, expiresAt);
              if (inheritance === 'explicit child grant above the parent') {
                give(folder, 'reader', null);
                give(document, role, expiresAt);
              }
              if (inheritance === 'explicit child grant below the parent') {
                give(folder, role, expiresAt);
                give(document, 'reader', null);
              }
            }
          }
        }
        await sut.registerResources(resources);
        await sut.grantMany(grants, { actor });
        clock.set('2026-12-01T10:00:00.000Z');

        const mismatches: string[] = [];
        const readable = new Map<SubjectKind, Map<Action, Set<string>>>();
        for (const subjectKind of subjectKinds) {
          const subject = subjects[subjectKind];
          const byAction = new Map(actionNames.map((action) => [action, new Set<string>()]));
          readable.set(subjectKind, byAction);
          for (const { role, inheritance, isExpired, document } of cases) {
            const isReached = reaches[principalCase].includes(subjectKind);
            const hasReaderToo = inheritance.startsWith('explicit');
            const expected = !isReached ? null : isExpired ? (hasReaderToo ? 'reader' : null) : role;
            const label = `${subjectKind}, ${role} ${inheritance}${isExpired ? ' (expired)' : ''}`;
            const actual = await sut.effectiveRole(subject, document);
            if (actual !== expected) mismatches.push(`${label}: role ${actual} instead of ${expected}`);
            for (const action of actionNames) {
              const isAllowed = rank(expected) >= rank(actions[action]);
              if (isAllowed) byAction.get(action)?.add(document.id);
              if ((await sut.can(subject, action, document)) !== isAllowed) {
                mismatches.push(`${label}: can ${action} should be ${isAllowed}`);
              }
              const refusal = await sut.assertCan(subject, action, document).then(
                () => 'allowed',
                (error: unknown) => (error instanceof AppError ? error.code : String(error)),
              );
              const expectedRefusal = isAllowed ? 'allowed' : expected === null ? 'AUTHZ_NOT_FOUND' : 'AUTHZ_FORBIDDEN';
              if (refusal !== expectedRefusal) mismatches.push(`${label}: assertCan ${action} gave ${refusal}`);
            }
          }
        }
        expect(mismatches).toEqual([]);

        // Lists agree, and leave out what only a link opens unless asked.
        const isLink = principalCase.startsWith('link');
        for (const subjectKind of subjectKinds) {
          for (const action of actionNames) {
            const expected = [...(readable.get(subjectKind)?.get(action) ?? [])].sort();
            for (const includeLinkShared of [false, true]) {
              const page = await sut.listAccessible(subjects[subjectKind], {
                type: 'docs.document',
                action,
                limit: 500,
                includeLinkShared,
              });
              expect({ subjectKind, action, includeLinkShared, ids: page.items.map((item) => item.id).sort() }).toEqual(
                {
                  subjectKind,
                  action,
                  includeLinkShared,
                  ids: isLink && !includeLinkShared ? [] : expected,
                },
              );
            }
          }
        }
      },
    );
  });

  describe('filtered lists against checks', () => {
    /**
     * A generated case: 300 resources in a forest of spaces, nested folders and documents, 300 grants
     * of every kind (some expiring, some expired), and a dozen subjects of every kind.
     */
    async function generate(service: AuthzService) {
      const random = createSeededRandom(29_11_2026);
      const units = { root: newId(), left: newId(), right: newId(), leftLeaf: newId() };
      const unitIds = Object.values(units);
      const groupIds = Array.from({ length: 4 }, () => newId());
      const userIds = Array.from({ length: 9 }, () => newId());
      const resources: Array<ResourceRef & { parent?: ResourceRef }> = [];
      const parentOf = new Map<string, string | undefined>();
      const containers: ResourceRef[] = [];
      for (let index = 0; index < 300; index += 1) {
        let resource: ResourceRef & { parent?: ResourceRef };
        if (index < 15) {
          resource = { type: 'docs.space', id: newId() };
        } else if (index < 75) {
          resource = { type: 'docs.folder', id: newId(), parent: random.pick(containers) };
        } else {
          const parent = random.next() < 0.1 ? undefined : random.pick(containers);
          resource = { type: 'docs.document', id: newId(), ...(parent ? { parent } : {}) };
        }
        if (resource.type !== 'docs.document') containers.push({ type: resource.type, id: resource.id });
        parentOf.set(resource.id, resource.parent?.id);
        resources.push(resource);
      }
      await service.registerResources(resources);

      const grants: Array<GrantInput & { principal: Principal }> = [];
      const seen = new Set<string>();
      while (grants.length < 300) {
        const resource = random.pick(resources);
        const draw = random.next();
        const principal: Principal =
          draw < 0.3
            ? { kind: 'user', id: random.pick(userIds) }
            : draw < 0.5
              ? { kind: 'group', id: random.pick(groupIds) }
              : draw < 0.7
                ? { kind: 'organisation', id: random.pick(unitIds) }
                : draw < 0.8
                  ? { kind: 'all_agents' }
                  : { kind: 'link', scope: random.next() < 0.5 ? 'authenticated' : 'public' };
        const key = `${resource.id}:${JSON.stringify(principal)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const expiry = random.next();
        grants.push({
          resource: { type: resource.type, id: resource.id },
          principal,
          role: random.pick(roles),
          expiresAt: expiry < 0.1 ? soon : expiry < 0.2 ? later : null,
        });
      }
      await service.grantMany(grants, { actor });

      const subjects: Subject[] = [
        {
          userId: userIds[0] ?? '',
          kind: 'agent',
          groupIds: [],
          organisationPath: [units.leftLeaf, units.left, units.root],
        },
        {
          userId: userIds[1] ?? '',
          kind: 'agent',
          groupIds: groupIds.slice(0, 2),
          organisationPath: [units.right, units.root],
        },
        { userId: userIds[2] ?? '', kind: 'agent', groupIds: [groupIds[3] ?? ''], organisationPath: [units.root] },
        { userId: userIds[3] ?? '', kind: 'agent', groupIds: groupIds, organisationPath: [units.left, units.root] },
        { userId: userIds[4] ?? '', kind: 'agent', groupIds: [], organisationPath: [] },
        { userId: newId(), kind: 'agent', groupIds: [], organisationPath: [newId()] },
        { userId: userIds[5] ?? '', kind: 'external', groupIds: [groupIds[0] ?? ''], organisationPath: [] },
        { userId: userIds[6] ?? '', kind: 'external', groupIds: [], organisationPath: [units.left, units.root] },
        { userId: userIds[7] ?? '', kind: 'external', groupIds: groupIds.slice(1), organisationPath: [] },
        { userId: newId(), kind: 'service', groupIds: [groupIds[2] ?? ''], organisationPath: [units.left, units.root] },
        anonymousSubject,
      ];

      /** The model the service must agree with, written independently of it. */
      const modelRole = (subject: Subject, resourceId: string, includeLinks: boolean): Role | null => {
        const signedIn = subject.kind !== 'anonymous' && subject.userId !== null;
        const applies = (principal: Principal) => {
          switch (principal.kind) {
            case 'user':
              return signedIn && principal.id === subject.userId;
            case 'group':
              return signedIn && subject.groupIds.includes(principal.id);
            case 'organisation':
              return (
                signedIn &&
                (subject.kind === 'agent' || subject.kind === 'service') &&
                subject.organisationPath.includes(principal.id)
              );
            case 'all_agents':
              return signedIn && subject.kind === 'agent';
            case 'link':
              return includeLinks && (principal.scope === 'public' || signedIn);
          }
        };
        const chain = new Set<string>();
        for (let id: string | undefined = resourceId; id !== undefined; id = parentOf.get(id)) chain.add(id);
        let role: Role | null = null;
        for (const grant of grants) {
          const isLive = grant.expiresAt !== soon;
          if (isLive && chain.has(grant.resource.id) && applies(grant.principal)) {
            role = highest(role, grant.role as Role);
          }
        }
        return role;
      };
      return { resources, subjects, modelRole };
    }

    async function createItemsTable(resources: readonly ResourceRef[]): Promise<Kysely<TestTables>> {
      const types = portableColumnTypes(database.dialect);
      const items = database.executor.withTables<TestTables>();
      await items.schema
        .createTable('authz_test_items')
        .addColumn('id', types.id, (column) => column.primaryKey())
        .addColumn('type', 'text', (column) => column.notNull())
        .execute();
      await items
        .insertInto('authz_test_items')
        .values(resources.map(({ type, id }) => ({ type, id })))
        .execute();
      return items;
    }

    it.each<[string, Partial<AuthzQueryThresholds>]>([
      ['with the default query plans', {}],
      [
        'with every alternative plan forced',
        { maxMergedRoots: 2, mergeBatchSize: 2, maxListedRoots: 3, smallSetSize: 4 },
      ],
    ])('agree with can() on 300 generated resources and grants, %s', async (_plans, thresholds) => {
      const service = createService(thresholds);
      const { resources, subjects, modelRole } = await generate(service);
      const items = await createItemsTable(resources);
      clock.set('2026-12-01T10:00:00.000Z');

      // Checks agree with the model: every role, and can() itself on a sample.
      const random = createSeededRandom(7);
      const mismatches: string[] = [];
      for (const [index, subject] of subjects.entries()) {
        for (const resource of resources) {
          const expected = modelRole(subject, resource.id, true);
          const actual = await service.effectiveRole(subject, resource);
          if (actual !== expected)
            mismatches.push(`subject ${index} on ${resource.id}: ${actual} instead of ${expected}`);
          if (random.next() < 0.1) {
            const action = random.pick(actionNames);
            const isAllowed = rank(expected) >= rank(actions[action]);
            if ((await service.can(subject, action, resource)) !== isAllowed) {
              mismatches.push(`subject ${index} on ${resource.id}: can ${action} should be ${isAllowed}`);
            }
          }
        }
      }
      expect(mismatches).toEqual([]);

      // Lists and filters agree with the model, hence with can(); without links, they leave out what
      // only a link opens.

      for (const [index, subject] of subjects.entries()) {
        for (const type of ['docs.document', 'docs.folder']) {
          const ofType = resources.filter((resource) => resource.type === type);
          for (const action of actionNames) {
            for (const includeLinkShared of [true, false]) {
              const expected = ofType
                .filter((resource) => rank(modelRole(subject, resource.id, includeLinkShared)) >= rank(actions[action]))
                .map((resource) => resource.id)
                .sort();
              const query = { type, action, includeLinkShared };
              const context = { subject: index, type, action, includeLinkShared };
              for (const strategy of ['auto', 'exists', 'in'] as const) {
                const rows = await items
                  .selectFrom('authz_test_items')
                  .select('id')
                  .where('type', '=', type)
                  .where(await service.filter(subject, { ...query, strategy, idColumn: 'authz_test_items.id' }))
                  .execute();
                expect({ ...context, strategy, ids: rows.map((row) => row.id).sort() }).toEqual({
                  ...context,
                  strategy,
                  ids: expected,
                });
              }
              // The set as a subquery (a resource reached through several grants may come more than once).
              const ids = service.accessibleIds(subject, query);
              const fromSet = await items
                .selectFrom('authz_test_items')
                .select('id')
                .where('type', '=', type)
                .where(sql<SqlBool>`id in (select resource_id from (${ids}) as readable)`)
                .execute();
              expect({ ...context, set: true, ids: fromSet.map((row) => row.id).sort() }).toEqual({
                ...context,
                set: true,
                ids: expected,
              });
              const listed: string[] = [];
              let cursor: string | undefined;
              do {
                const page = await service.listAccessible(subject, { ...query, limit: 7, cursor });
                listed.push(...page.items.map((item) => item.id));
                cursor = page.nextCursor ?? undefined;
              } while (cursor !== undefined);
              expect(listed).toEqual([...listed].sort().reverse());
              expect({ ...context, ids: [...listed].sort() }).toEqual({ ...context, ids: expected });
            }
          }
        }
      }
    });
  });
});
