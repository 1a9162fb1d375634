import { expressionBuilder, sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DatabaseDialect, Executor } from '../db/database.ts';

export type ResourceRow = {
  type: string;
  id: string;
  parent_type: string | null;
  parent_id: string | null;
  organisation_id: string | null;
  label: string | null;
  default_label: string | null;
  created_at: string;
};

/** One resource and one of its ancestors (itself at depth 0). */
export type AncestorRow = {
  resource_type: string;
  resource_id: string;
  ancestor_type: string;
  ancestor_id: string;
  depth: number;
};

export type GrantRow = {
  id: string;
  resource_type: string;
  resource_id: string;
  principal_kind: string;
  principal_id: string | null;
  link_scope: string | null;
  principal_key: string;
  role: string;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
};

type AuthzTables = {
  platform_authz_resources: ResourceRow;
  platform_authz_ancestors: AncestorRow;
  platform_authz_grants: GrantRow;
};

export interface ResourceKey {
  readonly type: string;
  readonly id: string;
}

/** Which grants count: those of these principals, unexpired at `now`, with a role that is enough. */
export interface GrantCriteria {
  readonly principalKeys: readonly string[];
  readonly now: string;
  /** For each type a grant may be on, the roles there that are enough. */
  readonly acceptedRoles: ReadonlyMap<string, readonly string[]>;
}

/**
 * Where a subject's access to resources comes from: the resources its grants are on, when few enough to
 * be listed in the query (then only the ancestors table is read), or the grants themselves, joined.
 */
export type AccessSource =
  | { readonly kind: 'roots'; readonly roots: readonly ResourceKey[] }
  | { readonly kind: 'grants'; readonly criteria: GrantCriteria };

export interface AuthzRepository {
  /** Inserts resources and their ancestor rows (in batches, within the caller's transaction). */
  insertResources(
    resources: readonly ResourceRow[],
    ancestors: readonly AncestorRow[],
    executor?: Executor,
  ): Promise<void>;
  getResource(resource: ResourceKey, executor?: Executor): Promise<ResourceRow | undefined>;
  /** The ancestor rows of the resources of `type` among `ids`, themselves included. */
  ancestorsOf(type: string, ids: readonly string[], executor?: Executor): Promise<AncestorRow[]>;
  /** The resource and its ancestors with their labels, nearest first. */
  labelChain(
    resource: ResourceKey,
    executor?: Executor,
  ): Promise<
    Array<{ depth: number; label: string | null; default_label: string | null; organisation_id: string | null }>
  >;
  hasChildren(resource: ResourceKey, executor?: Executor): Promise<boolean>;
  /** Whether `ancestor` is `resource` or one of its ancestors. */
  isAncestorOrSelf(ancestor: ResourceKey, resource: ResourceKey, executor?: Executor): Promise<boolean>;
  /** Re-parents `resource` and rewrites the ancestor rows of its whole subtree. */
  move(resource: ResourceKey, parent: ResourceKey | null, executor: Executor): Promise<void>;
  setLabel(resource: ResourceKey, label: string | null, executor: Executor): Promise<void>;
  /** Deletes the resource and its descendants; their ancestor rows and grants go with them. */
  deleteSubtree(resource: ResourceKey, executor: Executor): Promise<number>;

  /** The resources of `type` among `ids`. */
  getResources(type: string, ids: readonly string[], executor?: Executor): Promise<ResourceRow[]>;
  /** Every grant on the resources of `type` among `ids`. */
  grantsOn(type: string, ids: readonly string[], executor?: Executor): Promise<GrantRow[]>;
  insertGrants(rows: readonly GrantRow[], executor: Executor): Promise<void>;
  updateGrant(
    id: string,
    values: Pick<GrantRow, 'role' | 'expires_at' | 'created_by' | 'created_at'>,
    executor: Executor,
  ): Promise<void>;
  getGrant(id: string, executor?: Executor): Promise<GrantRow | undefined>;
  deleteGrant(id: string, executor: Executor): Promise<void>;
  /** Every grant held by the principal, expired ones included. */
  grantsOfPrincipal(principalKey: string, executor: Executor): Promise<GrantRow[]>;
  /** Gives the grant to another principal of the same kind. */
  reassignGrant(
    id: string,
    principal: Pick<GrantRow, 'principal_id' | 'principal_key'>,
    executor: Executor,
  ): Promise<void>;
  /** Grants on the resource, and on its ancestors when `inherited` (with their depth), oldest first. */
  listGrants(
    resource: ResourceKey,
    options: { inherited: boolean },
    executor?: Executor,
  ): Promise<Array<GrantRow & { depth: number }>>;

  /** The type and role of every grant on the resource or an ancestor held by one of `principalKeys`. */
  matchingGrants(
    resource: ResourceKey,
    criteria: { principalKeys: readonly string[]; now: string },
    executor?: Executor,
  ): Promise<Array<{ resource_type: string; role: string }>>;
  /**
   * The resources on which a grant meets `criteria`: where the subject's access starts. At most
   * `atMost` + 1 of them, so that the caller knows when there are more.
   */
  accessibleRoots(input: { criteria: GrantCriteria; atMost: number }, executor?: Executor): Promise<ResourceKey[]>;
  /**
   * A condition for a query of another module: the resource of `type` whose id is in column `idRef` is
   * reachable from `source`. `exists` is evaluated row by row (fast when the query narrows its rows or
   * most rows qualify); `in` computes the whole set of reachable ids once (fast when it is small).
   */
  accessCondition(input: {
    type: string;
    idRef: string;
    source: AccessSource;
    strategy: 'exists' | 'in';
    /** The executor of the query the condition goes into (a transaction's, inside one). */
    executor?: Executor;
  }): Expression<SqlBool>;
  /**
   * How many resources of `type` are reachable from `source`, counting at most `atMost` (one reached
   * through two grants counts twice: it is an estimate).
   */
  countAccessible(input: { type: string; source: AccessSource; atMost: number }, executor?: Executor): Promise<number>;
  /**
   * The ids of the resources of `type` that the grants meeting `criteria` reach, as a subquery (column
   * `resource_id`; a resource reached through two grants comes twice) run inside the caller's statement.
   */
  accessibleIds(
    input: { type: string; criteria: GrantCriteria },
    executor?: Executor,
  ): Expression<{ resource_id: string }>;
  /**
   * The first `limit` ids of `type` before `before`, newest first, among the resources in `roots` and
   * their descendants: each root gives its own first `limit` through the index, then they are merged.
   */
  descendantsOfRoots(
    input: { type: string; roots: readonly ResourceKey[]; before: string | undefined; limit: number },
    executor?: Executor,
  ): Promise<string[]>;
  /** The same for `source`, as one sorted set: for subjects with too many grants to merge. */
  descendAccessible(
    input: { type: string; source: AccessSource; before: string | undefined; limit: number },
    executor?: Executor,
  ): Promise<string[]>;
}

/** Bound values per INSERT: under SQLite's limit (32,766) and PostgreSQL's (65,535). */
const maxParametersPerInsert = 30_000;

function batches<T extends object>(rows: readonly T[]): T[][] {
  const first = rows[0];
  if (!first) return [];
  const size = Math.floor(maxParametersPerInsert / Object.keys(first).length);
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += size) result.push(rows.slice(start, start + size));
  return result;
}

export function createAuthzRepository(deps: { executor: Executor; dialect: DatabaseDialect }): AuthzRepository {
  const authz = (executor: Executor = deps.executor) => executor.withTables<AuthzTables>();
  const eb = expressionBuilder<AuthzTables, 'platform_authz_grants'>();

  /** Grants (`g`) of the principals, unexpired, with an accepted role. */
  function grantMeets(where: ExpressionBuilder<{ g: GrantRow }, 'g'>, criteria: GrantCriteria): Expression<SqlBool> {
    return where.and([
      where('g.principal_key', 'in', [...criteria.principalKeys]),
      where.or([where('g.expires_at', 'is', null), where('g.expires_at', '>', criteria.now)]),
      where.or(
        [...criteria.acceptedRoles].map(([grantType, roles]) =>
          where.and([where('g.resource_type', '=', grantType), where('g.role', 'in', [...roles])]),
        ),
      ),
    ]);
  }

  const isHopeless = (criteria: GrantCriteria) =>
    criteria.principalKeys.length === 0 || criteria.acceptedRoles.size === 0;
  const isEmpty = (source: AccessSource) =>
    source.kind === 'roots' ? source.roots.length === 0 : isHopeless(source.criteria);

  /** Ancestor rows (`a`) joined to the grants (`g`) on the ancestor. */
  const ancestorGrants = (executor?: Executor) =>
    authz(executor)
      .selectFrom('platform_authz_ancestors as a')
      .innerJoin('platform_authz_grants as g', (join) =>
        join.onRef('g.resource_type', '=', 'a.ancestor_type').onRef('g.resource_id', '=', 'a.ancestor_id'),
      );

  /**
   * Grants (`g`) joined down to every descendant (`a`) of the granted resource. A cross join makes
   * SQLite start from the subject's grants: left to itself, it prefers walking every resource of the
   * type in id order to avoid a sort, which reads them all. PostgreSQL plans it as an inner join.
   */
  const grantDescendants = (executor?: Executor) =>
    authz(executor)
      .selectFrom('platform_authz_grants as g')
      .crossJoin('platform_authz_ancestors as a')
      .whereRef('a.ancestor_type', '=', 'g.resource_type')
      .whereRef('a.ancestor_id', '=', 'g.resource_id');

  function groupByType(roots: readonly ResourceKey[]): Map<string, string[]> {
    const idsByType = new Map<string, string[]>();
    for (const root of roots) {
      const ids = idsByType.get(root.type);
      if (ids) ids.push(root.id);
      else idsByType.set(root.type, [root.id]);
    }
    return idsByType;
  }

  /**
   * The ids of the resources of `type` reachable from `source` (a resource reached twice is there
   * twice). From listed roots, one arm per type of root: each is a seek in the descendants index (a
   * single OR over the types makes SQLite read every ancestor row of the type instead).
   */
  function reachableIds(type: string, source: AccessSource, executor?: Executor) {
    if (source.kind === 'grants') {
      const { criteria } = source;
      return grantDescendants(executor)
        .select('a.resource_id')
        .where('a.resource_type', '=', type)
        .where((where) => grantMeets(where, criteria));
    }
    const [first, ...others] = [...groupByType(source.roots)].map(([ancestorType, ids]) =>
      authz(executor)
        .selectFrom('platform_authz_ancestors as a')
        .select('a.resource_id')
        .where('a.ancestor_type', '=', ancestorType)
        .where('a.ancestor_id', 'in', ids)
        .where('a.resource_type', '=', type),
    );
    if (!first) throw new Error('reachableIds needs at least one root');
    return others.reduce((query, arm) => query.unionAll(arm), first);
  }

  /**
   * Whether the resource of `type` whose id is in `idRef` is reachable from `source`, checked on its own
   * ancestor rows. SQLite is told (unary +) to read those few rows and test them against the listed
   * roots, rather than seek the index once per root.
   */
  function reachableFrom(type: string, source: AccessSource, idRef: string, executor?: Executor) {
    const id = sql.ref<string>(idRef);
    if (source.kind === 'grants') {
      const { criteria } = source;
      return ancestorGrants(executor)
        .select(sql<number>`1`.as('one'))
        .where('a.resource_type', '=', type)
        .where('a.resource_id', '=', id)
        .where((where) => grantMeets(where, criteria));
    }
    const ancestorId =
      deps.dialect === 'sqlite' ? sql<string>`+${sql.ref('a.ancestor_id')}` : sql.ref<string>('a.ancestor_id');
    return authz(executor)
      .selectFrom('platform_authz_ancestors as a')
      .select(sql<number>`1`.as('one'))
      .where('a.resource_type', '=', type)
      .where('a.resource_id', '=', id)
      .where((where) =>
        where.or(
          [...groupByType(source.roots)].map(([ancestorType, ids]) =>
            where.and([where('a.ancestor_type', '=', ancestorType), where(ancestorId, 'in', ids)]),
          ),
        ),
      );
  }

  return {
    async insertResources(resources, ancestors, executor) {
      for (const batch of batches(resources)) {
        await authz(executor).insertInto('platform_authz_resources').values(batch).execute();
      }
      for (const batch of batches(ancestors)) {
        await authz(executor).insertInto('platform_authz_ancestors').values(batch).execute();
      }
    },

    async getResource(resource, executor) {
      return authz(executor)
        .selectFrom('platform_authz_resources')
        .selectAll()
        .where('type', '=', resource.type)
        .where('id', '=', resource.id)
        .executeTakeFirst();
    },

    async ancestorsOf(type, ids, executor) {
      if (ids.length === 0) return [];
      return authz(executor)
        .selectFrom('platform_authz_ancestors')
        .selectAll()
        .where('resource_type', '=', type)
        .where('resource_id', 'in', [...ids])
        .execute();
    },

    async labelChain(resource, executor) {
      return authz(executor)
        .selectFrom('platform_authz_ancestors as a')
        .innerJoin('platform_authz_resources as r', (join) =>
          join.onRef('r.type', '=', 'a.ancestor_type').onRef('r.id', '=', 'a.ancestor_id'),
        )
        .select(['a.depth', 'r.label', 'r.default_label', 'r.organisation_id'])
        .where('a.resource_type', '=', resource.type)
        .where('a.resource_id', '=', resource.id)
        .orderBy('a.depth')
        .execute();
    },

    async hasChildren(resource, executor) {
      const child = await authz(executor)
        .selectFrom('platform_authz_resources')
        .select('id')
        .where('parent_type', '=', resource.type)
        .where('parent_id', '=', resource.id)
        .limit(1)
        .executeTakeFirst();
      return child !== undefined;
    },

    async isAncestorOrSelf(ancestor, resource, executor) {
      const row = await authz(executor)
        .selectFrom('platform_authz_ancestors')
        .select('depth')
        .where('resource_type', '=', resource.type)
        .where('resource_id', '=', resource.id)
        .where('ancestor_type', '=', ancestor.type)
        .where('ancestor_id', '=', ancestor.id)
        .executeTakeFirst();
      return row !== undefined;
    },

    async move(resource, parent, executor) {
      const subtree = authz(executor)
        .selectFrom('platform_authz_ancestors')
        .where('ancestor_type', '=', resource.type)
        .where('ancestor_id', '=', resource.id);
      // Cut every member of the subtree from the ancestors above the moved resource...
      await authz(executor)
        .deleteFrom('platform_authz_ancestors')
        .where((where) =>
          where.and([
            where(
              where.refTuple('resource_type', 'resource_id'),
              'in',
              subtree.select(['resource_type', 'resource_id']).$asTuple('resource_type', 'resource_id'),
            ),
            where.not(
              where(
                where.refTuple('ancestor_type', 'ancestor_id'),
                'in',
                subtree.select(['resource_type', 'resource_id']).$asTuple('resource_type', 'resource_id'),
              ),
            ),
          ]),
        )
        .execute();
      // ...and tie it to the new parent and the parent's ancestors.
      if (parent) {
        await authz(executor)
          .insertInto('platform_authz_ancestors')
          .columns(['resource_type', 'resource_id', 'ancestor_type', 'ancestor_id', 'depth'])
          .expression(
            authz(executor)
              .selectFrom(['platform_authz_ancestors as s', 'platform_authz_ancestors as p'])
              .select([
                's.resource_type',
                's.resource_id',
                'p.ancestor_type',
                'p.ancestor_id',
                sql<number>`s.depth + p.depth + 1`.as('depth'),
              ])
              .where('s.ancestor_type', '=', resource.type)
              .where('s.ancestor_id', '=', resource.id)
              .where('p.resource_type', '=', parent.type)
              .where('p.resource_id', '=', parent.id),
          )
          .execute();
      }
      await authz(executor)
        .updateTable('platform_authz_resources')
        .set({ parent_type: parent?.type ?? null, parent_id: parent?.id ?? null })
        .where('type', '=', resource.type)
        .where('id', '=', resource.id)
        .execute();
    },

    async setLabel(resource, label, executor) {
      await authz(executor)
        .updateTable('platform_authz_resources')
        .set({ label })
        .where('type', '=', resource.type)
        .where('id', '=', resource.id)
        .execute();
    },

    async deleteSubtree(resource, executor) {
      const result = await authz(executor)
        .deleteFrom('platform_authz_resources')
        .where((where) =>
          where(
            where.refTuple('type', 'id'),
            'in',
            authz(executor)
              .selectFrom('platform_authz_ancestors')
              .select(['resource_type', 'resource_id'])
              .where('ancestor_type', '=', resource.type)
              .where('ancestor_id', '=', resource.id)
              .$asTuple('resource_type', 'resource_id'),
          ),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async getResources(type, ids, executor) {
      if (ids.length === 0) return [];
      return authz(executor)
        .selectFrom('platform_authz_resources')
        .selectAll()
        .where('type', '=', type)
        .where('id', 'in', [...ids])
        .execute();
    },

    async grantsOn(type, ids, executor) {
      if (ids.length === 0) return [];
      return authz(executor)
        .selectFrom('platform_authz_grants')
        .selectAll()
        .where('resource_type', '=', type)
        .where('resource_id', 'in', [...ids])
        .execute();
    },

    async insertGrants(rows, executor) {
      for (const batch of batches(rows)) {
        await authz(executor).insertInto('platform_authz_grants').values(batch).execute();
      }
    },

    async updateGrant(id, values, executor) {
      await authz(executor).updateTable('platform_authz_grants').set(values).where('id', '=', id).execute();
    },

    async getGrant(id, executor) {
      return authz(executor).selectFrom('platform_authz_grants').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async deleteGrant(id, executor) {
      await authz(executor).deleteFrom('platform_authz_grants').where('id', '=', id).execute();
    },

    async grantsOfPrincipal(principalKey, executor) {
      return authz(executor)
        .selectFrom('platform_authz_grants')
        .selectAll()
        .where('principal_key', '=', principalKey)
        .orderBy('id')
        .execute();
    },

    async reassignGrant(id, principal, executor) {
      await authz(executor).updateTable('platform_authz_grants').set(principal).where('id', '=', id).execute();
    },

    async listGrants(resource, { inherited }, executor) {
      return ancestorGrants(executor)
        .selectAll('g')
        .select('a.depth')
        .where('a.resource_type', '=', resource.type)
        .where('a.resource_id', '=', resource.id)
        .$if(!inherited, (query) => query.where('a.depth', '=', 0))
        .orderBy('a.depth')
        .orderBy('g.id')
        .execute();
    },

    async matchingGrants(resource, { principalKeys, now }, executor = deps.executor) {
      if (principalKeys.length === 0) return [];
      if (deps.dialect === 'postgres') {
        // The same query in a PL/pgSQL function (migration 202611290800), whose plan PostgreSQL keeps
        // per connection: planning the join anew took longer than running it.
        const { rows } = await sql<{ resource_type: string; role: string }>`
          select granted_type as resource_type, granted_role as role
          from platform_authz_grants_on(${resource.type}, ${resource.id}, ${[...principalKeys]}, ${now})
        `.execute(executor);
        return rows;
      }
      return ancestorGrants(executor)
        .select(['g.resource_type', 'g.role'])
        .where('a.resource_type', '=', resource.type)
        .where('a.resource_id', '=', resource.id)
        .where('g.principal_key', 'in', [...principalKeys])
        .where((where) => where.or([where('g.expires_at', 'is', null), where('g.expires_at', '>', now)]))
        .execute();
    },

    async accessibleRoots({ criteria, atMost }, executor) {
      if (isHopeless(criteria)) return [];
      return authz(executor)
        .selectFrom('platform_authz_grants as g')
        .select(['g.resource_type as type', 'g.resource_id as id'])
        .distinct()
        .where((where) => grantMeets(where, criteria))
        .limit(atMost + 1)
        .execute();
    },

    accessCondition({ type, idRef, source, strategy, executor }) {
      if (isEmpty(source)) return sql<SqlBool>`1 = 0`;
      if (strategy === 'in') return eb(sql.ref<string>(idRef), 'in', reachableIds(type, source, executor));
      return eb.exists(
        reachableFrom(type, source, idRef, executor)
          // OFFSET keeps PostgreSQL from turning the EXISTS into a join, which it would plan from its
          // estimate of how many resources a grant opens (a handful on average, thousands for a space)
          // and so compute the subject's whole set even for a folder of ten documents.
          .$if(deps.dialect === 'postgres', (query) => query.offset(0)),
      );
    },

    async countAccessible({ type, source, atMost }, executor) {
      if (isEmpty(source)) return 0;
      const row = await authz(executor)
        .selectFrom(reachableIds(type, source, executor).limit(atMost).as('reachable'))
        .select((select) => select.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    accessibleIds({ type, criteria }, executor) {
      if (isHopeless(criteria)) {
        return authz(executor)
          .selectFrom('platform_authz_ancestors as a')
          .select('a.resource_id')
          .where(sql<SqlBool>`1 = 0`);
      }
      return reachableIds(type, { kind: 'grants', criteria }, executor);
    },

    async descendantsOfRoots({ type, roots, before, limit }, executor) {
      const [first, ...others] = roots.map((root) =>
        authz(executor)
          .selectFrom(
            authz(executor)
              .selectFrom('platform_authz_ancestors')
              .select('resource_id')
              .where('ancestor_type', '=', root.type)
              .where('ancestor_id', '=', root.id)
              .where('resource_type', '=', type)
              .$if(before !== undefined, (query) => query.where('resource_id', '<', before ?? ''))
              .orderBy('resource_id', 'desc')
              .limit(limit)
              .as('d'),
          )
          .select('d.resource_id'),
      );
      if (!first) return [];
      const union = others.reduce((query, arm) => query.unionAll(arm), first);
      const rows = await authz(executor)
        .selectFrom(union.as('u'))
        .select('u.resource_id')
        .distinct()
        .orderBy('u.resource_id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => row.resource_id);
    },

    async descendAccessible({ type, source, before, limit }, executor) {
      if (isEmpty(source)) return [];
      const rows = await authz(executor)
        .selectFrom(reachableIds(type, source, executor).as('reachable'))
        .select('reachable.resource_id')
        .distinct()
        .$if(before !== undefined, (query) => query.where('reachable.resource_id', '<', before ?? ''))
        .orderBy('reachable.resource_id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => row.resource_id);
    },
  };
}
