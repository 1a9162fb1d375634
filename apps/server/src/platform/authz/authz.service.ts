import type { Expression, SqlBool } from 'kysely';
import type { AuditActor, AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Database, Executor, TransactionContext } from '../db/database.ts';
import { platformErrors } from '../errors.ts';
import type { IdGenerator } from '../ids.ts';
import { compareSensitivity, isSensitivityLevel, type SensitivityLevel } from '../sensitivity/levels.ts';
import { authzErrors } from './authz.errors.ts';
import {
  createAuthzRepository,
  type AccessSource,
  type AncestorRow,
  type GrantCriteria,
  type GrantRow,
  type ResourceRow,
} from './authz.repository.ts';
import { linkScopes, principalKey, subjectPrincipalKeys, type Principal } from './principals.ts';
import { createResourceTypeRegistry, type ResourceTypeDefinition } from './resource-types.ts';
import type { Subject } from './subject.ts';

/** A resource as modules name it: its type and its id (a UUID, the module's own key). */
export interface ResourceRef {
  readonly type: string;
  readonly id: string;
}

export interface Resource {
  readonly type: string;
  readonly id: string;
  readonly parent: ResourceRef | null;
  readonly organisationId: string | null;
  /** Its own sensitivity label; null when it inherits one (see `effectiveLabel`). */
  readonly label: SensitivityLevel | null;
  /** The organisation's default label given at registration, used when no ancestor has a label. */
  readonly defaultLabel: SensitivityLevel | null;
  readonly createdAt: string;
}

export interface RegisterResourceInput {
  readonly type: string;
  /** A UUID: the module's own key for the object. */
  readonly id: string;
  /** Must be registered, and of one of the type's `parentTypes`. */
  readonly parent?: ResourceRef | null;
  /** The parent's when omitted. */
  readonly organisationId?: string | null;
  readonly defaultLabel?: SensitivityLevel | null;
}

export interface Grant {
  readonly id: string;
  readonly resource: ResourceRef;
  readonly principal: Principal;
  readonly role: string;
  /** The user who granted it, null for Bureau itself. */
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly expiresAt: string | null;
}

/** A grant as `listGrants` shows it on one resource. */
export interface ListedGrant extends Grant {
  /** The ancestor it is on, or null for a grant on the resource itself. */
  readonly inheritedFrom: ResourceRef | null;
  /** The role it gives on the listed resource (null when its role does not carry over). */
  readonly effectiveRole: string | null;
  readonly isExpired: boolean;
}

export interface GrantInput {
  readonly resource: ResourceRef;
  readonly principal: Principal;
  /** One of the resource type's roles. */
  readonly role: string;
  /** The grant stops counting at this instant; never when null or omitted. */
  readonly expiresAt?: Date | string | null;
}

export interface AccessQuery {
  readonly type: string;
  readonly action: string;
  /**
   * Whether resources reachable only through an "anyone with the link" grant count. False by default:
   * a link-shared resource is opened by its link, it does not appear in its visitors' lists.
   */
  readonly includeLinkShared?: boolean;
}

export interface AccessFilterOptions extends AccessQuery {
  /** The column holding the resource id in the module's query, e.g. `docs_documents.id`. */
  readonly idColumn: string;
  /**
   * `exists` checks each row the query reaches: best when the query narrows its rows anyway (children
   * of a folder, search hits) or when the subject reads many resources of the type. `in` computes once
   * every id of the type the subject may read: best when that set is small. `auto` (default) counts
   * that set (up to a bound) and picks.
   */
  readonly strategy?: 'auto' | 'exists' | 'in';
}

export interface AccessiblePage {
  /** Newest first (ids are time-ordered). */
  readonly items: ResourceRef[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface LabelChange {
  /** The effective label before and after. */
  readonly from: SensitivityLevel;
  readonly to: SensitivityLevel;
}

/** For reads made inside a transaction: on SQLite, a read outside it would wait for it to end. */
export interface ReadOptions {
  readonly context?: TransactionContext;
}

export interface WriteOptions {
  readonly context?: TransactionContext;
}

export interface AuditedWriteOptions extends WriteOptions {
  /** Who does it, for the audit log. */
  readonly actor: AuditActor;
}

/**
 * The one permission model of every module. Modules define their resource types at boot, register each
 * object as a resource (with its parent), grant roles to principals, and ask `can`/`assertCan` before an
 * action or filter their lists with `filter`/`listAccessible`. Nothing is cached between calls: a
 * revoked or expired grant stops counting at once.
 */
export interface AuthzService {
  /**
   * Where registration finds an organisation's default label (the directory's), for a top-level resource
   * registered with an `organisationId` and no `defaultLabel`. Set once at boot by the identity module.
   */
  useOrganisationLabels(source: OrganisationLabelSource): void;
  /** Declares a resource type (at boot); a mistake throws an `Error`. Parent types first. */
  defineResourceType(definition: ResourceTypeDefinition): void;
  /** Registers one object; call it in the transaction that creates the object. */
  registerResource(input: RegisterResourceInput, options?: WriteOptions): Promise<Resource>;
  /**
   * Registers many objects at once (imports, seeds), parents before their children. Fails, leaving
   * nothing registered when run in its own transaction, if one is already registered.
   */
  registerResources(inputs: readonly RegisterResourceInput[], options?: WriteOptions): Promise<void>;
  getResource(resource: ResourceRef, options?: ReadOptions): Promise<Resource | undefined>;
  /**
   * Gives the resource a new parent (null: none), with its whole subtree: inherited rights follow at
   * once. A move never lowers a sensitivity label: when the new place would, the resource keeps its
   * current label as its own.
   */
  moveResource(resource: ResourceRef, parent: ResourceRef | null, options?: WriteOptions): Promise<void>;
  /**
   * Forgets the resource and its grants, and returns how many resources were deleted. Deleting the
   * objects themselves, and their children, is the module's business: a resource with children is
   * refused (AUTHZ_RESOURCE_HAS_CHILDREN) unless `withDescendants`, which forgets the whole subtree.
   * Deleting an unknown resource deletes nothing.
   */
  deleteResource(resource: ResourceRef, options?: WriteOptions & { withDescendants?: boolean }): Promise<number>;
  /**
   * Gives `role` to a principal on a resource, replacing the principal's previous grant there (one grant
   * per principal and resource), and records `authz.grant.created` in the same transaction. It does not
   * check who may share: the module does (`assertCan(subject, 'share', ...)`), with its own rules.
   */
  grant(input: GrantInput, options: AuditedWriteOptions): Promise<Grant>;
  /**
   * Several grants in one transaction (creating or importing many objects), as `grant` gives them, with
   * one `authz.grant.created` each; the rows are written in batches.
   */
  grantMany(inputs: readonly GrantInput[], options: AuditedWriteOptions): Promise<Grant[]>;
  /**
   * Gives every grant of one user to another (an administrator merging two accounts of one person):
   * where the other user already holds a grant on the same resource, it keeps the higher role and the
   * later expiry. Records `authz.grants.transferred`; returns how many grants the source held.
   */
  transferUserGrants(fromUserId: string, toUserId: string, options: AuditedWriteOptions): Promise<number>;
  /** Removes a grant and records `authz.grant.revoked`; AUTHZ_GRANT_NOT_FOUND when there is none. */
  revoke(grantId: string, options: AuditedWriteOptions): Promise<Grant>;
  /** The grants on the resource (and, with `includeInherited`, on its ancestors), nearest first. */
  listGrants(resource: ResourceRef, options?: ReadOptions & { includeInherited?: boolean }): Promise<ListedGrant[]>;
  /**
   * The subject's highest role on the resource, from unexpired grants on it and its ancestors, or null
   * (also for a resource that does not exist).
   */
  effectiveRole(subject: Subject, resource: ResourceRef, options?: ReadOptions): Promise<string | null>;
  can(subject: Subject, action: string, resource: ResourceRef, options?: ReadOptions): Promise<boolean>;
  /**
   * Throws AUTHZ_NOT_FOUND when the subject may not even see the resource (its existence does not leak),
   * AUTHZ_FORBIDDEN when they see it but may not do `action`. A refusal outside a transaction is recorded
   * in the audit log (`authz.access.denied`), with `actor` when given (who, from where); inside a
   * transaction it is not, since that transaction rolls back with the refusal.
   */
  assertCan(
    subject: Subject,
    action: string,
    resource: ResourceRef,
    options?: ReadOptions & { actor?: AuditActor },
  ): Promise<void>;
  /**
   * A condition for a module's own query (`query.where(await authz.filter(subject, {...}))`): the row's
   * resource, whose id is in `idColumn`, allows `action` to the subject. Exactly what `can` says, in
   * SQL. Build it for each query (it holds the current instant, for expiring grants).
   */
  filter(subject: Subject, options: AccessFilterOptions & ReadOptions): Promise<Expression<SqlBool>>;
  /**
   * The same set as a subquery of ids, for a module's own statement that needs it more than once (e.g.
   * computed once in a `MATERIALIZED` CTE, then counted and joined): one column, `resource_id`, of the
   * resources of `type` on which the subject may do `action`; a resource reached through several grants
   * comes once per grant. Nothing is read now: the subject's grants are joined to the resources they
   * open inside the statement. Build it for each statement (it holds the current instant, for expiring
   * grants). Exactly what `filter` and `can` say.
   */
  accessibleIds(subject: Subject, query: AccessQuery & ReadOptions): Expression<{ resource_id: string }>;
  /** The resources of a type on which the subject may do `action`, newest first, by pages. */
  listAccessible(
    subject: Subject,
    query: AccessQuery & ReadOptions & { limit: number; cursor?: string },
  ): Promise<AccessiblePage>;
  /** Its own label, else the nearest ancestor's, else the top ancestor's default label, else `internal`. */
  effectiveLabel(resource: ResourceRef, options?: ReadOptions): Promise<SensitivityLevel>;
  /**
   * Sets the resource's own label (null: inherit again). Raising the effective label needs the type's
   * `labelRaise` action, lowering it its `labelLower` action; both are recorded in the audit log
   * (`sensitivity.label.raised` / `sensitivity.label.lowered`, refusals too). It runs its own
   * transaction, so that a refusal can be recorded once it is over.
   */
  setLabel(
    subject: Subject,
    resource: ResourceRef,
    level: SensitivityLevel | null,
    options: { readonly actor: AuditActor },
  ): Promise<LabelChange>;
}

/** An organisation's default sensitivity label, read with the executor of the registration. */
export type OrganisationLabelSource = (
  organisationId: string,
  executor: Executor,
) => Promise<SensitivityLevel | null | undefined>;

export interface AuthzServiceDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  audit: AuditLog;
  thresholds?: Partial<AuthzQueryThresholds>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const maxListLimit = 500;
/**
 * Where the query plans of lists switch; the defaults come from bench/authz. Tests lower them to run
 * every plan on small data.
 */
export interface AuthzQueryThresholds {
  /**
   * Above this many granted resources that may contain resources of the listed type, `listAccessible`
   * sorts the subject's whole set instead of merging pages.
   */
  readonly maxMergedRoots: number;
  /** Granted resources whose descendants one query merges (SQLite allows 500 terms in a compound select). */
  readonly mergeBatchSize: number;
  /**
   * Up to this many granted resources, `filter` lists them in the query instead of joining the grants,
   * and `listAccessible` starts from them.
   */
  readonly maxListedRoots: number;
  /**
   * Below this many readable resources of a type, `filter` (auto) hands the module the set itself
   * (`in`); from it on, a check per row (`exists`), which finds a page quickly among so many.
   */
  readonly smallSetSize: number;
}

export const defaultAuthzQueryThresholds: AuthzQueryThresholds = {
  maxMergedRoots: 1000,
  mergeBatchSize: 200,
  maxListedRoots: 5000,
  smallSetSize: 5000,
};
/** Ids per lookup query (an IN list). */
const lookupBatchSize = 500;

/** Resource and principal ids are UUIDs; anything else names nothing (and PostgreSQL would reject it). */
export function isResourceId(value: string): boolean {
  return uuidPattern.test(value);
}

export function createAuthzService(deps: AuthzServiceDependencies): AuthzService {
  const repository = createAuthzRepository({ executor: deps.database.executor, dialect: deps.database.dialect });
  const types = createResourceTypeRegistry();
  const { maxMergedRoots, mergeBatchSize, maxListedRoots, smallSetSize } = {
    ...defaultAuthzQueryThresholds,
    ...deps.thresholds,
  };
  const now = () => deps.clock.now().toISOString();

  function transaction<T>(options: WriteOptions | undefined, work: (context: TransactionContext) => Promise<T>) {
    return deps.database.transaction(work, options?.context);
  }

  function assertResourceId(resource: ResourceRef): void {
    if (!isResourceId(resource.id)) {
      throw new Error(`Resource ids are UUIDs; ${resource.type} ${JSON.stringify(resource.id)} is not one`);
    }
  }

  function assertLevel(level: unknown, what: string): void {
    if (level !== null && level !== undefined && !isSensitivityLevel(level)) {
      throw new Error(`${what} must be a sensitivity level, got ${JSON.stringify(level)}`);
    }
  }

  function criteriaFor(subject: Subject, query: AccessQuery): GrantCriteria {
    return {
      principalKeys: subjectPrincipalKeys(subject, { includeLinks: query.includeLinkShared === true }),
      now: now(),
      acceptedRoles: types.acceptedRoles(query.type, types.requiredRole(query.type, query.action)),
    };
  }

  async function effectiveRole(subject: Subject, resource: ResourceRef, executor?: Executor) {
    const resourceType = types.get(resource.type);
    if (!isResourceId(resource.id)) return null;
    const grants = await repository.matchingGrants(
      resource,
      { principalKeys: subjectPrincipalKeys(subject, { includeLinks: true }), now: now() },
      executor,
    );
    let best = -1;
    for (const grant of grants) {
      const role = types.inheritedRole(resource.type, grant.resource_type, grant.role);
      if (role !== null) best = Math.max(best, resourceType.roles.indexOf(role));
    }
    return resourceType.roles[best] ?? null;
  }

  function isAtLeast(type: string, role: string | null, minimum: string): boolean {
    return role !== null && types.rank(type, role) >= types.rank(type, minimum);
  }

  async function requireResource(resource: ResourceRef, executor?: Executor): Promise<ResourceRow> {
    const row = isResourceId(resource.id) ? await repository.getResource(resource, executor) : undefined;
    if (!row) throw authzErrors.create('AUTHZ_RESOURCE_UNKNOWN', { type: resource.type, id: resource.id });
    return row;
  }

  function assertParentAllowed(type: string, parent: ResourceRef): void {
    if (!types.get(type).parentTypes.has(parent.type)) {
      throw authzErrors.create('AUTHZ_PARENT_NOT_ALLOWED', { type, parentType: parent.type });
    }
  }

  /** The label of the first resource of `chain` (itself, then its ancestors nearest first). */
  function labelOf(chain: ReadonlyArray<{ label: string | null; default_label: string | null }>): SensitivityLevel {
    for (const link of chain) if (isSensitivityLevel(link.label)) return link.label;
    const root = chain.at(-1)?.default_label;
    return isSensitivityLevel(root) ? root : 'internal';
  }

  function toPrincipal(row: GrantRow): Principal {
    switch (row.principal_kind) {
      case 'user':
      case 'group':
      case 'organisation':
        return { kind: row.principal_kind, id: row.principal_id ?? '' };
      case 'all_agents':
        return { kind: 'all_agents' };
      default:
        return { kind: 'link', scope: row.link_scope === 'public' ? 'public' : 'authenticated' };
    }
  }

  function toGrant(row: GrantRow): Grant {
    return {
      id: row.id,
      resource: { type: row.resource_type, id: row.resource_id },
      principal: toPrincipal(row),
      role: row.role,
      createdBy: row.created_by,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  function toResource(row: ResourceRow): Resource {
    return {
      type: row.type,
      id: row.id,
      parent: row.parent_type !== null && row.parent_id !== null ? { type: row.parent_type, id: row.parent_id } : null,
      organisationId: row.organisation_id,
      label: isSensitivityLevel(row.label) ? row.label : null,
      defaultLabel: isSensitivityLevel(row.default_label) ? row.default_label : null,
      createdAt: row.created_at,
    };
  }

  function grantDetails(row: GrantRow): Record<string, unknown> {
    return {
      grantId: row.id,
      principalKind: row.principal_kind,
      principalId: row.principal_id,
      linkScope: row.link_scope,
      role: row.role,
      expiresAt: row.expires_at,
    };
  }

  function validatePrincipal(principal: Principal): void {
    const invalid = (reason: string) => authzErrors.create('AUTHZ_INVALID_PRINCIPAL', { reason });
    switch (principal.kind) {
      case 'user':
      case 'group':
      case 'organisation':
        if (!isResourceId(principal.id)) throw invalid(`${principal.kind} id is not a UUID`);
        return;
      case 'all_agents':
        return;
      case 'link':
        if (!linkScopes.includes(principal.scope)) throw invalid('unknown link scope');
        return;
      default:
        throw invalid('unknown kind');
    }
  }

  async function register(inputs: readonly RegisterResourceInput[], executor: Executor): Promise<ResourceRow[]> {
    const createdAt = now();
    const key = (type: string, id: string) => `${type}\u0000${id}`;
    // The ancestor rows (and organisation) of every parent, from the batch itself or the database.
    const chains = new Map<string, { ancestors: AncestorRow[]; organisationId: string | null }>();
    const outside = new Map<string, ResourceRef>();
    for (const input of inputs) {
      types.get(input.type);
      assertResourceId(input);
      assertLevel(input.defaultLabel, 'defaultLabel');
      if (input.organisationId != null && !isResourceId(input.organisationId)) {
        throw new Error(`organisationId must be a UUID, got ${JSON.stringify(input.organisationId)}`);
      }
      if (input.parent) {
        assertParentAllowed(input.type, input.parent);
        outside.set(key(input.parent.type, input.parent.id), input.parent);
      }
    }
    for (const input of inputs) outside.delete(key(input.type, input.id));
    const parentIdsByType = new Map<string, string[]>();
    for (const parent of outside.values()) {
      if (!isResourceId(parent.id)) {
        throw authzErrors.create('AUTHZ_RESOURCE_UNKNOWN', { type: parent.type, id: parent.id });
      }
      const ids = parentIdsByType.get(parent.type);
      if (ids) ids.push(parent.id);
      else parentIdsByType.set(parent.type, [parent.id]);
    }
    for (const [type, ids] of parentIdsByType) {
      for (let start = 0; start < ids.length; start += lookupBatchSize) {
        const batch = ids.slice(start, start + lookupBatchSize);
        for (const row of await repository.getResources(type, batch, executor)) {
          chains.set(key(row.type, row.id), { ancestors: [], organisationId: row.organisation_id });
        }
        for (const row of await repository.ancestorsOf(type, batch, executor)) {
          chains.get(key(row.resource_type, row.resource_id))?.ancestors.push(row);
        }
      }
    }

    const resources: ResourceRow[] = [];
    const ancestors: AncestorRow[] = [];
    const organisationDefaults = new Map<string, SensitivityLevel | null>();
    for (const input of inputs) {
      const parentChain = input.parent ? chains.get(key(input.parent.type, input.parent.id)) : undefined;
      if (input.parent && !parentChain) {
        throw authzErrors.create('AUTHZ_RESOURCE_UNKNOWN', { type: input.parent.type, id: input.parent.id });
      }
      const own: AncestorRow[] = [
        {
          resource_type: input.type,
          resource_id: input.id,
          ancestor_type: input.type,
          ancestor_id: input.id,
          depth: 0,
        },
      ];
      for (const row of parentChain?.ancestors ?? []) {
        own.push({
          resource_type: input.type,
          resource_id: input.id,
          ancestor_type: row.ancestor_type,
          ancestor_id: row.ancestor_id,
          depth: row.depth + 1,
        });
      }
      const organisationId = input.organisationId ?? parentChain?.organisationId ?? null;
      let defaultLabel = input.defaultLabel ?? null;
      if (input.defaultLabel === undefined && !input.parent && organisationId !== null && organisationLabels) {
        if (!organisationDefaults.has(organisationId)) {
          const level = await organisationLabels(organisationId, executor);
          organisationDefaults.set(organisationId, isSensitivityLevel(level) ? level : null);
        }
        defaultLabel = organisationDefaults.get(organisationId) ?? null;
      }
      chains.set(key(input.type, input.id), { ancestors: own, organisationId });
      ancestors.push(...own);
      resources.push({
        type: input.type,
        id: input.id,
        parent_type: input.parent?.type ?? null,
        parent_id: input.parent?.id ?? null,
        organisation_id: organisationId,
        label: null,
        default_label: defaultLabel,
        created_at: createdAt,
      });
    }
    await repository.insertResources(resources, ancestors, executor);
    return resources;
  }

  async function grantAll(inputs: readonly GrantInput[], options: AuditedWriteOptions): Promise<Grant[]> {
    const createdAt = now();
    const prepared = inputs.map((input) => {
      const resourceType = types.get(input.resource.type);
      if (!resourceType.roles.includes(input.role)) {
        throw new Error(`Unknown role ${input.role} for resource type ${input.resource.type}`);
      }
      validatePrincipal(input.principal);
      const expiresAt = input.expiresAt == null ? null : new Date(input.expiresAt).toISOString();
      if (expiresAt !== null && expiresAt <= createdAt) throw authzErrors.create('AUTHZ_EXPIRY_IN_PAST');
      return { input, expiresAt, key: principalKey(input.principal) };
    });
    if (prepared.length === 0) return [];
    const resourceKey = (type: string, id: string) => `${type}\u0000${id}`;
    return transaction(options, async (context) => {
      const executor = context.executor;
      const idsByType = new Map<string, Set<string>>();
      for (const { input } of prepared) {
        if (!isResourceId(input.resource.id)) {
          throw authzErrors.create('AUTHZ_RESOURCE_UNKNOWN', { type: input.resource.type, id: input.resource.id });
        }
        const ids = idsByType.get(input.resource.type) ?? new Set<string>();
        ids.add(input.resource.id);
        idsByType.set(input.resource.type, ids);
      }
      const organisations = new Map<string, string | null>();
      const existing = new Map<string, GrantRow>();
      for (const [type, ids] of idsByType) {
        const list = [...ids];
        for (let start = 0; start < list.length; start += lookupBatchSize) {
          const batch = list.slice(start, start + lookupBatchSize);
          for (const row of await repository.getResources(type, batch, executor)) {
            organisations.set(resourceKey(row.type, row.id), row.organisation_id);
          }
          for (const row of await repository.grantsOn(type, batch, executor)) {
            existing.set(`${resourceKey(row.resource_type, row.resource_id)}\u0000${row.principal_key}`, row);
          }
        }
      }
      // Rows to insert, by resource and principal: a later input for the same pair replaces an earlier one.
      const toInsert = new Map<string, GrantRow>();
      const grants: Grant[] = [];
      for (const { input, expiresAt, key } of prepared) {
        const target = resourceKey(input.resource.type, input.resource.id);
        if (!organisations.has(target)) {
          throw authzErrors.create('AUTHZ_RESOURCE_UNKNOWN', { type: input.resource.type, id: input.resource.id });
        }
        const values = {
          role: input.role,
          expires_at: expiresAt,
          created_by: options.actor.userId ?? null,
          created_at: createdAt,
        };
        const grantKey = `${target}\u0000${key}`;
        const previous = existing.get(grantKey);
        const row: GrantRow = previous
          ? { ...previous, ...values }
          : {
              id: deps.newId(),
              resource_type: input.resource.type,
              resource_id: input.resource.id,
              principal_kind: input.principal.kind,
              principal_id: 'id' in input.principal ? input.principal.id : null,
              link_scope: input.principal.kind === 'link' ? input.principal.scope : null,
              principal_key: key,
              ...values,
            };
        if (!previous || toInsert.has(grantKey)) toInsert.set(grantKey, row);
        else await repository.updateGrant(row.id, values, executor);
        existing.set(grantKey, row);
        await deps.audit.record(
          {
            action: 'authz.grant.created',
            outcome: 'success',
            actor: options.actor,
            target: { type: input.resource.type, id: input.resource.id },
            organisationId: organisations.get(target) ?? null,
            details: { ...grantDetails(row), previousRole: previous?.role ?? null },
          },
          { context },
        );
        grants.push(toGrant(row));
      }
      await repository.insertGrants([...toInsert.values()], executor);
      return grants;
    });
  }

  let organisationLabels: OrganisationLabelSource | undefined;

  return {
    useOrganisationLabels(source) {
      organisationLabels = source;
    },

    defineResourceType(definition) {
      types.define(definition);
    },

    async registerResource(input, options) {
      return transaction(options, async ({ executor }) => {
        types.get(input.type);
        assertResourceId(input);
        if (await repository.getResource(input, executor)) {
          throw authzErrors.create('AUTHZ_RESOURCE_EXISTS', { type: input.type, id: input.id });
        }
        const [row] = await register([input], executor);
        if (!row) throw new Error('registerResource inserted nothing');
        return toResource(row);
      });
    },

    async registerResources(inputs, options) {
      if (inputs.length === 0) return;
      await transaction(options, async ({ executor }) => {
        await register(inputs, executor);
      });
    },

    async transferUserGrants(fromUserId, toUserId, options) {
      if (!isResourceId(fromUserId) || !isResourceId(toUserId)) throw new Error('User ids are UUIDs');
      if (fromUserId === toUserId) return 0;
      return transaction(options, async (context) => {
        const { executor } = context;
        const fromKey = principalKey({ kind: 'user', id: fromUserId });
        const toKey = principalKey({ kind: 'user', id: toUserId });
        const moving = await repository.grantsOfPrincipal(fromKey, executor);
        if (moving.length === 0) return 0;
        const held = new Map<string, GrantRow>();
        for (const row of await repository.grantsOfPrincipal(toKey, executor)) {
          held.set(`${row.resource_type}\u0000${row.resource_id}`, row);
        }
        let merged = 0;
        for (const row of moving) {
          const existing = held.get(`${row.resource_type}\u0000${row.resource_id}`);
          if (!existing) {
            await repository.reassignGrant(row.id, { principal_id: toUserId, principal_key: toKey }, executor);
            continue;
          }
          merged += 1;
          const role =
            types.rank(row.resource_type, row.role) > types.rank(row.resource_type, existing.role)
              ? row.role
              : existing.role;
          const expiresAt =
            row.expires_at === null || existing.expires_at === null
              ? null
              : row.expires_at > existing.expires_at
                ? row.expires_at
                : existing.expires_at;
          await repository.updateGrant(
            existing.id,
            { role, expires_at: expiresAt, created_by: existing.created_by, created_at: existing.created_at },
            executor,
          );
          await repository.deleteGrant(row.id, executor);
        }
        await deps.audit.record(
          {
            action: 'authz.grants.transferred',
            outcome: 'success',
            actor: options.actor,
            target: { type: 'user', id: toUserId },
            details: { fromUserId, toUserId, grants: moving.length, mergedWithExisting: merged },
          },
          { context },
        );
        return moving.length;
      });
    },

    async getResource(resource, options) {
      if (!isResourceId(resource.id)) return undefined;
      const row = await repository.getResource(resource, options?.context?.executor);
      return row && toResource(row);
    },

    async moveResource(resource, parent, options) {
      types.get(resource.type);
      await transaction(options, async ({ executor }) => {
        const row = await requireResource(resource, executor);
        if (parent) {
          assertParentAllowed(resource.type, parent);
          await requireResource(parent, executor);
          if (await repository.isAncestorOrSelf(resource, parent, executor)) {
            throw authzErrors.create('AUTHZ_MOVE_INTO_ITSELF', { type: resource.type, id: resource.id });
          }
        }
        if (row.label === null) {
          const before = labelOf(await repository.labelChain(resource, executor));
          const after = parent
            ? labelOf(await repository.labelChain(parent, executor))
            : labelOf([{ label: null, default_label: row.default_label }]);
          if (compareSensitivity(after, before) < 0) await repository.setLabel(resource, before, executor);
        }
        await repository.move(resource, parent, executor);
      });
    },

    async deleteResource(resource, options) {
      types.get(resource.type);
      if (!isResourceId(resource.id)) return 0;
      return transaction(options, async ({ executor }) => {
        if (!(await repository.getResource(resource, executor))) return 0;
        if (!options?.withDescendants && (await repository.hasChildren(resource, executor))) {
          throw authzErrors.create('AUTHZ_RESOURCE_HAS_CHILDREN', { type: resource.type, id: resource.id });
        }
        return repository.deleteSubtree(resource, executor);
      });
    },

    async grant(input, options) {
      const [grant] = await grantAll([input], options);
      if (!grant) throw new Error('grant recorded nothing');
      return grant;
    },

    grantMany: (inputs, options) => grantAll(inputs, options),

    async revoke(grantId, options) {
      return transaction(options, async (context) => {
        const row = isResourceId(grantId) ? await repository.getGrant(grantId, context.executor) : undefined;
        if (!row) throw authzErrors.create('AUTHZ_GRANT_NOT_FOUND', { grantId });
        const resource = await repository.getResource(
          { type: row.resource_type, id: row.resource_id },
          context.executor,
        );
        await repository.deleteGrant(row.id, context.executor);
        await deps.audit.record(
          {
            action: 'authz.grant.revoked',
            outcome: 'success',
            actor: options.actor,
            target: { type: row.resource_type, id: row.resource_id },
            organisationId: resource?.organisation_id ?? null,
            details: grantDetails(row),
          },
          { context },
        );
        return toGrant(row);
      });
    },

    async listGrants(resource, options) {
      types.get(resource.type);
      if (!isResourceId(resource.id)) return [];
      const rows = await repository.listGrants(
        resource,
        { inherited: options?.includeInherited === true },
        options?.context?.executor,
      );
      const at = now();
      return rows.map((row) => ({
        ...toGrant(row),
        inheritedFrom: row.depth === 0 ? null : { type: row.resource_type, id: row.resource_id },
        effectiveRole: types.inheritedRole(resource.type, row.resource_type, row.role),
        isExpired: row.expires_at !== null && row.expires_at <= at,
      }));
    },

    effectiveRole: (subject, resource, options) => effectiveRole(subject, resource, options?.context?.executor),

    async can(subject, action, resource, options) {
      const required = types.requiredRole(resource.type, action);
      const role = await effectiveRole(subject, resource, options?.context?.executor);
      return isAtLeast(resource.type, role, required);
    },

    async assertCan(subject, action, resource, options) {
      const required = types.requiredRole(resource.type, action);
      const role = await effectiveRole(subject, resource, options?.context?.executor);
      const isVisible = isAtLeast(resource.type, role, types.get(resource.type).visibleRole);
      if (isVisible && isAtLeast(resource.type, role, required)) return;
      if (!options?.context) {
        await deps.audit.record({
          action: 'authz.access.denied',
          outcome: 'denied',
          actor: options?.actor ?? { userId: subject.userId, label: subject.kind === 'anonymous' ? 'anonymous' : null },
          target: { type: resource.type, id: resource.id },
          details: { requestedAction: action, role, subjectKind: subject.kind },
        });
      }
      if (!isVisible) throw authzErrors.create('AUTHZ_NOT_FOUND', { type: resource.type, id: resource.id });
      throw authzErrors.create('AUTHZ_FORBIDDEN', { type: resource.type, id: resource.id, action });
    },

    async filter(subject, options) {
      const criteria = criteriaFor(subject, options);
      const executor = options.context?.executor;
      const roots = await repository.accessibleRoots({ criteria, atMost: maxListedRoots }, executor);
      const source: AccessSource =
        roots.length > maxListedRoots ? { kind: 'grants', criteria } : { kind: 'roots', roots };
      let strategy = options.strategy ?? 'auto';
      if (strategy === 'auto') {
        const count = await repository.countAccessible({ type: options.type, source, atMost: smallSetSize }, executor);
        strategy = count < smallSetSize ? 'in' : 'exists';
      }
      return repository.accessCondition({
        type: options.type,
        idRef: options.idColumn,
        source,
        strategy,
        ...(executor === undefined ? {} : { executor }),
      });
    },

    accessibleIds(subject, { context, ...query }) {
      return repository.accessibleIds({ type: query.type, criteria: criteriaFor(subject, query) }, context?.executor);
    },

    async listAccessible(subject, { limit, cursor, context, ...query }) {
      if (cursor !== undefined && !isResourceId(cursor)) {
        throw platformErrors.create('VALIDATION_FAILED', { field: 'cursor' });
      }
      const size = Math.min(Math.max(Math.trunc(limit), 1), maxListLimit);
      const criteria = criteriaFor(subject, query);
      // Where the subject's access starts (the resources its grants are on), then, from each that may
      // contain resources of the type, the first page of its descendants through the index, merged: the
      // cost depends on the number of grants, not on how many resources they open. Granted resources of
      // the type itself count as they are. A subject with very many grants gets one sorted set instead.
      const executor = context?.executor;
      const roots = await repository.accessibleRoots({ criteria, atMost: maxListedRoots }, executor);
      const containerTypes = types.get(query.type).containerTypes;
      const containers = roots.filter((root) => containerTypes.has(root.type));
      let ids: string[];
      if (roots.length > maxListedRoots || containers.length > maxMergedRoots) {
        const source = { kind: 'grants', criteria } as const;
        const page = { type: query.type, source, before: cursor, limit: size + 1 };
        ids = await repository.descendAccessible(page, executor);
      } else {
        const batches: Array<Promise<string[]>> = [];
        for (let start = 0; start < containers.length; start += mergeBatchSize) {
          const roots = containers.slice(start, start + mergeBatchSize);
          const page = { type: query.type, roots, before: cursor, limit: size + 1 };
          batches.push(repository.descendantsOfRoots(page, executor));
        }
        const granted = roots
          .filter((root) => root.type === query.type && (cursor === undefined || root.id < cursor))
          .map((root) => root.id);
        const merged = new Set([...granted, ...(await Promise.all(batches)).flat()]);
        ids = [...merged].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)).slice(0, size + 1);
      }
      const items = ids.slice(0, size).map((id) => ({ type: query.type, id }));
      return { items, nextCursor: ids.length > size ? (items.at(-1)?.id ?? null) : null };
    },

    async effectiveLabel(resource, options) {
      types.get(resource.type);
      const chain = isResourceId(resource.id) ? await repository.labelChain(resource, options?.context?.executor) : [];
      if (chain.length === 0) {
        throw authzErrors.create('AUTHZ_RESOURCE_UNKNOWN', { type: resource.type, id: resource.id });
      }
      return labelOf(chain);
    },

    async setLabel(subject, resource, level, options) {
      const resourceType = types.get(resource.type);
      assertLevel(level, 'The label');
      const change = await deps.database.transaction(async (context) => {
        const role = await effectiveRole(subject, resource, context.executor);
        const [self, ...above] = await repository.labelChain(resource, context.executor);
        if (!self || !isAtLeast(resource.type, role, resourceType.visibleRole)) {
          throw authzErrors.create('AUTHZ_NOT_FOUND', { type: resource.type, id: resource.id });
        }
        const from = labelOf([self, ...above]);
        const to = labelOf([{ ...self, label: level }, ...above]);
        const direction = compareSensitivity(to, from);
        const needed = direction < 0 ? resourceType.labelLowerRole : resourceType.labelRaiseRole;
        const event = {
          action: direction < 0 ? 'sensitivity.label.lowered' : 'sensitivity.label.raised',
          actor: options.actor,
          target: { type: resource.type, id: resource.id },
          organisationId: self.organisation_id,
          details: { from, to, label: level },
        };
        if (!isAtLeast(resource.type, role, needed)) return { from, to, direction, event, isAllowed: false };
        await repository.setLabel(resource, level, context.executor);
        if (direction !== 0) await deps.audit.record({ ...event, outcome: 'success' }, { context });
        return { from, to, direction, event, isAllowed: true };
      });
      if (!change.isAllowed) {
        // Recorded once the transaction is over: a refusal writes nothing else.
        if (change.direction !== 0) await deps.audit.record({ ...change.event, outcome: 'denied' });
        throw authzErrors.create('AUTHZ_FORBIDDEN', { type: resource.type, id: resource.id, action: 'label' });
      }
      return { from: change.from, to: change.to };
    },
  };
}
