import {
  docsFragmentName,
  docsLimits,
  docsRoles,
  docsTrashRetentionDays,
  type DocsAbilities,
  type DocsDocument,
  type DocsDocumentSummary,
  type DocsRole,
  type DocsShare,
  type DocsShareRequest,
  type DocsSpace,
} from '@bureau/contracts';
import type { AuditActor } from '../../platform/audit/audit-log.ts';
import type { AuthzService, ResourceRef } from '../../platform/authz/index.ts';
import type { Subject } from '../../platform/authz/subject.ts';
import type { Database, TransactionContext } from '../../platform/db/database.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logging.ts';
import type { SearchService } from '../../platform/search/index.ts';
import type { SensitivityLevel } from '../../platform/sensitivity/index.ts';
import type { CollabStore } from './collab/collab-store.ts';
import { contentOnlyState } from './collab/fragment-text.ts';
import { docsErrors } from './docs.errors.ts';
import { positionGap, type DocsDocumentRow, type DocsRepository, type DocsSpaceRow } from './docs.repository.ts';

export const spaceResourceType = 'docs.space';
export const documentResourceType = 'docs.document';
export const documentSearchType = 'docs.document';

const spaceRef = (id: string): ResourceRef => ({ type: spaceResourceType, id });
const documentRef = (id: string): ResourceRef => ({ type: documentResourceType, id });

/** The user a request comes from, as the documents module needs them. */
export interface DocsUser {
  readonly id: string;
  readonly displayName: string;
  readonly organisationId: string | null;
  readonly kind: 'agent' | 'external';
}

export interface DocsServiceDependencies {
  readonly database: Database;
  readonly repository: DocsRepository;
  readonly store: CollabStore;
  readonly authz: AuthzService;
  readonly search: SearchService;
  readonly newId: IdGenerator;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly directory: {
    displayNames(userIds: readonly string[]): Promise<Map<string, string>>;
    /** The name of a principal to share with, or undefined when it does not exist. */
    principalName(kind: 'user' | 'group' | 'organisation', id: string): Promise<string | undefined>;
  };
  /** The subject of an active user (notifications go only to users who may read the page). */
  readonly subjectOfUser: (userId: string) => Promise<Subject | undefined>;
  /** Pages whose live editors must be disconnected (trashed, deleted). */
  readonly closePages: (documentIds: readonly string[]) => void;
  /** After rights were taken away (a grant revoked, a page moved): live connections are checked again. */
  readonly recheckConnections: () => void;
}

interface Cursor {
  readonly position?: number;
  readonly at?: string;
  readonly id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string | undefined): Cursor | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
    if (typeof parsed.id !== 'string') throw new Error('no id');
    return parsed;
  } catch {
    throw docsErrors.create('DOCS_CURSOR_INVALID');
  }
}

function abilitiesOf(role: string | null): DocsAbilities {
  const rank = role === null ? -1 : docsRoles.indexOf(role as DocsRole);
  return { read: rank >= 0, comment: rank >= 1, edit: rank >= 2, share: rank >= 3 };
}

/**
 * Spaces and the page tree: creating, listing, moving, copying, the trash, favourites and visits, sharing.
 * Every check goes through the permission model (`docs.space` and `docs.document` resources: a role on a
 * space counts on its pages, a role on a page on its sub-pages).
 */
export function createDocsService(deps: DocsServiceDependencies) {
  const { database, repository, authz } = deps;
  const pageSize = (limit: number | undefined) => Math.min(Math.max(limit ?? 50, 1), docsLimits.pageMax);

  async function readableSpace(subject: Subject, id: string, context?: TransactionContext) {
    const role = await authz.effectiveRole(subject, spaceRef(id), context ? { context } : {});
    const row = role === null ? undefined : await repository.findSpace(id, context?.executor);
    if (!row || role === null) throw docsErrors.create('DOCS_SPACE_NOT_FOUND');
    return { row, role: role as DocsRole };
  }

  async function readableDocument(subject: Subject, id: string, context?: TransactionContext) {
    const role = await authz.effectiveRole(subject, documentRef(id), context ? { context } : {});
    const row = role === null ? undefined : await repository.findDocument(id, context?.executor);
    if (!row || role === null) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
    return { row, role: role as DocsRole };
  }

  async function presentSpace(row: DocsSpaceRow, role: DocsRole): Promise<DocsSpace> {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      kind: row.kind,
      organisationId: row.organisation_id,
      label: await authz.effectiveLabel(spaceRef(row.id)),
      role,
      abilities: abilitiesOf(role),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async function readableFilter(subject: Subject, includeLinkShared = false, context?: TransactionContext) {
    return authz.filter(subject, {
      type: documentResourceType,
      action: 'read',
      idColumn: 'docs_documents.id',
      includeLinkShared,
      ...(context ? { context } : {}),
    });
  }

  async function presentSummaries(subject: Subject, rows: readonly DocsDocumentRow[]): Promise<DocsDocumentSummary[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const [withChildren, favourites] = await Promise.all([
      repository.withChildren(ids, await readableFilter(subject, true)),
      subject.userId ? repository.favouritesAmong(subject.userId, ids) : Promise.resolve(new Set<string>()),
    ]);
    return rows.map((row) => ({
      id: row.id,
      spaceId: row.space_id,
      parentId: row.parent_id,
      title: row.title,
      hasChildren: withChildren.has(row.id),
      isFavourite: favourites.has(row.id),
      updatedAt: row.updated_at,
      trashedAt: row.trashed_at,
    }));
  }

  async function presentDocument(subject: Subject, row: DocsDocumentRow, role: DocsRole): Promise<DocsDocument> {
    const [summary] = await presentSummaries(subject, [row]);
    const space = await repository.findSpace(row.space_id);
    const ancestors = await repository.ancestorsOf(row.id);
    const readableAncestors: { id: string; title: string }[] = [];
    for (const ancestor of ancestors) {
      if (await authz.can(subject, 'read', documentRef(ancestor.id))) {
        readableAncestors.push({ id: ancestor.id, title: ancestor.title });
      }
    }
    // Visitors of a public link do not learn who wrote the page.
    const isVisitor = subject.kind === 'anonymous';
    const people = isVisitor ? [] : [row.created_by, row.updated_by].filter((id): id is string => id !== null);
    const names = await deps.directory.displayNames(people);
    const person = (id: string | null) => (id === null || isVisitor ? null : { id, displayName: names.get(id) ?? '—' });
    return {
      ...summary!,
      space: { id: row.space_id, name: space?.name ?? '', kind: space?.kind ?? 'shared' },
      ancestors: readableAncestors,
      label: await authz.effectiveLabel(documentRef(row.id)),
      role,
      abilities: abilitiesOf(role),
      createdAt: row.created_at,
      createdBy: person(row.created_by),
      updatedBy: person(row.updated_by),
      templateScope: row.template_scope,
    };
  }

  /** Forgets a page of the trash and its sub-pages (rows, resources, search entries); returns their blobs' keys. */
  async function deleteSubtree(id: string): Promise<string[]> {
    const ids = [id, ...(await repository.descendantIds(id))];
    const blobKeys = await database.transaction(async (context) => {
      for (const gone of ids) await deps.search.remove(documentSearchType, gone, { context });
      const keys = await repository.deleteDocuments(ids, context.executor);
      await authz.deleteResource(documentRef(id), { context, withDescendants: true });
      return keys;
    });
    deps.closePages(ids);
    return blobKeys;
  }

  /** Position at the end of a parent's children. */
  async function lastPosition(spaceId: string, parentId: string | null, context: TransactionContext) {
    const siblings = await repository.siblingPositions(spaceId, parentId, context.executor);
    return (siblings.at(-1)?.position ?? 0) + positionGap;
  }

  /** Position just before a sibling, renumbering the siblings when no gap is left. */
  async function positionBefore(
    spaceId: string,
    parentId: string | null,
    beforeId: string,
    movingId: string,
    context: TransactionContext,
  ): Promise<number> {
    let siblings = (await repository.siblingPositions(spaceId, parentId, context.executor)).filter(
      (sibling) => sibling.id !== movingId,
    );
    let index = siblings.findIndex((sibling) => sibling.id === beforeId);
    if (index < 0) throw docsErrors.create('DOCS_SIBLING_INVALID');
    const previous = index === 0 ? 0 : siblings[index - 1]!.position;
    if (siblings[index]!.position - previous > 1) {
      return Math.floor((previous + siblings[index]!.position) / 2);
    }
    for (const [rank, sibling] of siblings.entries()) {
      await repository.setPosition(sibling.id, (rank + 1) * positionGap * 2, context.executor);
    }
    siblings = siblings.map((sibling, rank) => ({ ...sibling, position: (rank + 1) * positionGap * 2 }));
    index = siblings.findIndex((sibling) => sibling.id === beforeId);
    return siblings[index]!.position - positionGap;
  }

  async function indexDocument(row: DocsDocumentRow, text: string | null, context?: TransactionContext) {
    await deps.search.index(
      {
        type: documentSearchType,
        id: row.id,
        title: row.title || 'Sans titre',
        text: text ?? '',
        resource: documentRef(row.id),
        label: await authz.effectiveLabel(documentRef(row.id), context ? { context } : {}),
        url: `/documents/${row.id}`,
        updatedAt: row.updated_at,
      },
      context ? { context } : {},
    );
  }

  async function insertDocument(
    input: { spaceId: string; parentId: string | null; title: string; userId: string | null; state?: Uint8Array },
    actor: AuditActor,
    context: TransactionContext,
  ): Promise<DocsDocumentRow> {
    const at = deps.now().toISOString();
    const space = await repository.findSpace(input.spaceId, context.executor);
    const row: DocsDocumentRow = {
      id: deps.newId(),
      space_id: input.spaceId,
      parent_id: input.parentId,
      position: await lastPosition(input.spaceId, input.parentId, context),
      title: input.title,
      created_by: input.userId,
      updated_by: input.userId,
      created_at: at,
      updated_at: at,
      trashed_at: null,
      trashed_by: null,
      trash_root_id: null,
      template_scope: null,
      organisation_id: space?.organisation_id ?? null,
    };
    await repository.insertDocument(row, context.executor);
    await authz.registerResource(
      {
        type: documentResourceType,
        id: row.id,
        parent: input.parentId ? documentRef(input.parentId) : spaceRef(input.spaceId),
      },
      { context },
    );
    if (input.userId) {
      await authz.grant(
        { resource: documentRef(row.id), principal: { kind: 'user', id: input.userId }, role: 'owner' },
        { actor, context },
      );
    }
    if (input.state) await deps.store.write(row.id, input.state, context.executor);
    return row;
  }

  /** Checks where a page may go: a space the subject may edit in, or a page of it (not the page or below it). */
  async function checkDestination(
    subject: Subject,
    spaceId: string,
    parentId: string | null,
    movingId: string | null,
    context: TransactionContext,
  ) {
    if (parentId === null) {
      const { role } = await readableSpace(subject, spaceId, context);
      if (!abilitiesOf(role).edit) throw docsErrors.create('DOCS_SPACE_NOT_FOUND');
      return;
    }
    const parent = await repository.findDocument(parentId, context.executor);
    if (!parent || parent.space_id !== spaceId || parent.trashed_at !== null) {
      throw docsErrors.create('DOCS_PARENT_INVALID');
    }
    if (movingId !== null) {
      if (parentId === movingId) throw docsErrors.create('DOCS_PARENT_INVALID');
      const below = await repository.descendantIds(movingId, context.executor);
      if (below.includes(parentId)) throw docsErrors.create('DOCS_PARENT_INVALID');
    }
    const role = await authz.effectiveRole(subject, documentRef(parentId), { context });
    if (role === null) throw docsErrors.create('DOCS_PARENT_INVALID');
    if (!abilitiesOf(role).edit) throw docsErrors.create('DOCS_PARENT_INVALID');
  }

  async function sharesOf(resource: ResourceRef): Promise<DocsShare[]> {
    const grants = await authz.listGrants(resource, { includeInherited: true });
    const shares: DocsShare[] = [];
    const titles = new Map<string, string>();
    for (const grant of grants) {
      if (grant.isExpired || grant.effectiveRole === null) continue;
      let inheritedFrom: DocsShare['inheritedFrom'] = null;
      if (grant.inheritedFrom) {
        const from = grant.inheritedFrom;
        if (!titles.has(from.id)) {
          titles.set(
            from.id,
            from.type === spaceResourceType
              ? ((await repository.findSpace(from.id))?.name ?? '')
              : ((await repository.findDocument(from.id))?.title ?? ''),
          );
        }
        inheritedFrom = {
          type: from.type as 'docs.space' | 'docs.document',
          id: from.id,
          title: titles.get(from.id) ?? '',
        };
      }
      const principal = grant.principal;
      let presented: DocsShare['principal'];
      if (principal.kind === 'all_agents') presented = { kind: 'all_agents' };
      else if (principal.kind === 'link') presented = { kind: 'link', scope: principal.scope };
      else {
        presented = {
          kind: principal.kind,
          id: principal.id,
          name: (await deps.directory.principalName(principal.kind, principal.id)) ?? '—',
        };
      }
      shares.push({
        id: grant.id,
        principal: presented,
        role: grant.effectiveRole as DocsRole,
        expiresAt: grant.expiresAt,
        inheritedFrom,
      });
    }
    return shares;
  }

  async function addShare(resource: ResourceRef, input: DocsShareRequest, actor: AuditActor): Promise<DocsShare> {
    const principal = input.principal;
    if (principal.kind === 'link' && principal.scope === 'public' && input.role !== 'reader') {
      throw docsErrors.create('DOCS_SHARE_PUBLIC_ROLE');
    }
    if (input.expiresAt) {
      const expiresAt = new Date(input.expiresAt).getTime();
      const now = deps.now().getTime();
      if (expiresAt <= now || expiresAt > now + docsLimits.linkMaxDays * 86_400_000) {
        throw docsErrors.create('DOCS_SHARE_EXPIRY_INVALID', { maxDays: docsLimits.linkMaxDays });
      }
    }
    if (principal.kind === 'user' || principal.kind === 'group' || principal.kind === 'organisation') {
      if (!(await deps.directory.principalName(principal.kind, principal.id))) {
        throw docsErrors.create('DOCS_PRINCIPAL_NOT_FOUND');
      }
    }
    const direct = (await authz.listGrants(resource)).filter((grant) => !grant.isExpired);
    const replaced = direct.find(
      (grant) =>
        grant.principal.kind === principal.kind &&
        ('id' in principal && 'id' in grant.principal ? grant.principal.id === principal.id : true) &&
        ('scope' in principal && 'scope' in grant.principal ? grant.principal.scope === principal.scope : true),
    );
    if (replaced?.role === 'owner' && input.role !== 'owner') await assertAnotherOwner(resource, replaced.id);
    const grant = await authz.grant(
      { resource, principal, role: input.role, expiresAt: input.expiresAt ?? null },
      { actor },
    );
    const shares = await sharesOf(resource);
    return shares.find((share) => share.id === grant.id)!;
  }

  /** Refuses to remove or lower the last owner of a resource (counting owners of its parents). */
  async function assertAnotherOwner(resource: ResourceRef, grantId: string) {
    const owners = (await authz.listGrants(resource, { includeInherited: true })).filter(
      (grant) => !grant.isExpired && grant.effectiveRole === 'owner' && grant.id !== grantId,
    );
    if (owners.length === 0) throw docsErrors.create('DOCS_SHARE_LAST_OWNER');
  }

  async function removeShare(resource: ResourceRef, grantId: string, actor: AuditActor) {
    const grant = (await authz.listGrants(resource)).find((candidate) => candidate.id === grantId);
    if (!grant) throw docsErrors.create('DOCS_SHARE_NOT_FOUND');
    if (grant.role === 'owner') await assertAnotherOwner(resource, grant.id);
    await authz.revoke(grantId, { actor });
    deps.recheckConnections();
  }

  async function copySubtree(
    subject: Subject,
    source: DocsDocumentRow,
    target: { spaceId: string; parentId: string | null; title: string },
    withChildren: boolean,
    userId: string,
    actor: AuditActor,
    context: TransactionContext,
  ): Promise<DocsDocumentRow> {
    const state = contentOnlyState(await deps.store.stateOf(source.id, context.executor), docsFragmentName);
    const copy = await insertDocument(
      { spaceId: target.spaceId, parentId: target.parentId, title: target.title, userId, state },
      actor,
      context,
    );
    await indexDocument(copy, null, context);
    if (!withChildren) return copy;
    // Only what the copier may read is copied.
    const readable = await readableFilter(subject, true, context);
    let after: { position: number; id: string } | undefined;
    for (;;) {
      const children = await repository.listChildren(
        source.space_id,
        source.id,
        readable,
        { limit: 200, ...(after ? { after } : {}) },
        context.executor,
      );
      for (const child of children) {
        await copySubtree(
          subject,
          child,
          { spaceId: target.spaceId, parentId: copy.id, title: child.title },
          true,
          userId,
          actor,
          context,
        );
      }
      if (children.length < 200) break;
      const last = children.at(-1)!;
      after = { position: last.position, id: last.id };
    }
    return copy;
  }

  return {
    abilitiesOf,
    readableDocument,
    indexDocument,

    /** The user's « Mes documents », created at first use (owner: the user; label: the organisation's). */
    async ensurePersonalSpace(user: DocsUser, actor: AuditActor): Promise<DocsSpaceRow> {
      const existing = await repository.findPersonalSpace(user.id);
      if (existing) return existing;
      return database.transaction(async (context) => {
        const again = await repository.findPersonalSpace(user.id, context.executor);
        if (again) return again;
        const at = deps.now().toISOString();
        const row: DocsSpaceRow = {
          id: deps.newId(),
          name: 'Mes documents',
          description: '',
          kind: 'personal',
          organisation_id: user.organisationId,
          owner_id: user.id,
          created_by: user.id,
          created_at: at,
          updated_at: at,
        };
        await repository.insertSpace(row, context.executor);
        await authz.registerResource(
          { type: spaceResourceType, id: row.id, organisationId: user.organisationId },
          { context },
        );
        await authz.grant(
          { resource: spaceRef(row.id), principal: { kind: 'user', id: user.id }, role: 'owner' },
          { actor, context },
        );
        return row;
      });
    },

    async listSpaces(subject: Subject): Promise<DocsSpace[]> {
      const readable = await authz.filter(subject, {
        type: spaceResourceType,
        action: 'read',
        idColumn: 'docs_spaces.id',
      });
      const rows = await repository.listSpaces(readable);
      const spaces: DocsSpace[] = [];
      for (const row of rows) {
        const role = await authz.effectiveRole(subject, spaceRef(row.id));
        if (role !== null) spaces.push(await presentSpace(row, role as DocsRole));
      }
      return spaces;
    },

    async createSpace(
      subject: Subject,
      user: DocsUser,
      input: { name: string; description?: string | undefined; organisationId?: string | undefined },
      actor: AuditActor,
    ): Promise<DocsSpace> {
      const organisationId = input.organisationId ?? user.organisationId;
      if (input.organisationId && !subject.organisationPath.includes(input.organisationId)) {
        throw docsErrors.create('DOCS_PRINCIPAL_NOT_FOUND');
      }
      const row = await database.transaction(async (context) => {
        const at = deps.now().toISOString();
        const space: DocsSpaceRow = {
          id: deps.newId(),
          name: input.name,
          description: input.description ?? '',
          kind: 'shared',
          organisation_id: organisationId,
          owner_id: null,
          created_by: user.id,
          created_at: at,
          updated_at: at,
        };
        await repository.insertSpace(space, context.executor);
        await authz.registerResource({ type: spaceResourceType, id: space.id, organisationId }, { context });
        await authz.grant(
          { resource: spaceRef(space.id), principal: { kind: 'user', id: user.id }, role: 'owner' },
          { actor, context },
        );
        return space;
      });
      return presentSpace(row, 'owner');
    },

    async getSpace(subject: Subject, id: string): Promise<DocsSpace> {
      const { row, role } = await readableSpace(subject, id);
      return presentSpace(row, role);
    },

    async updateSpace(
      subject: Subject,
      id: string,
      changes: { name?: string | undefined; description?: string | undefined; label?: SensitivityLevel | undefined },
      actor: AuditActor,
    ): Promise<DocsSpace> {
      const { row, role } = await readableSpace(subject, id);
      if (!abilitiesOf(role).edit) throw docsErrors.create('DOCS_SPACE_NOT_FOUND');
      if (changes.label !== undefined) {
        await authz.setLabel(subject, spaceRef(id), changes.label, { actor });
      }
      const patch: { name?: string; description?: string; updated_at: string } = {
        updated_at: deps.now().toISOString(),
      };
      if (changes.name !== undefined) patch.name = changes.name;
      if (changes.description !== undefined) patch.description = changes.description;
      await repository.updateSpace(id, patch);
      return presentSpace({ ...row, ...patch }, role);
    },

    /**
     * Deletes a shared space once it holds no page outside the trash (owners): the pages of its trash go for
     * good with it. Returns the blob keys of their files. A personal space stays (it goes with its account).
     */
    async deleteSpace(subject: Subject, id: string): Promise<string[]> {
      const { row, role } = await readableSpace(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_SPACE_NOT_FOUND');
      if (row.kind === 'personal') throw docsErrors.create('DOCS_PERSONAL_SPACE_KEPT');
      const count = await repository.countLivePages(id);
      if (count > 0) throw docsErrors.create('DOCS_SPACE_NOT_EMPTY', { count });
      const blobKeys: string[] = [];
      for (const root of await repository.trashRootsOfSpace(id)) blobKeys.push(...(await deleteSubtree(root)));
      await database.transaction(async (context) => {
        // A page created or moved in meanwhile keeps the space.
        if ((await repository.countLivePages(id, context.executor)) > 0) {
          throw docsErrors.create('DOCS_SPACE_NOT_EMPTY', { count: 1 });
        }
        await authz.deleteResource(spaceRef(id), { context });
        await repository.deleteSpace(id, context.executor);
      });
      return blobKeys;
    },

    async spaceShares(subject: Subject, id: string) {
      const { role } = await readableSpace(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_SPACE_NOT_FOUND');
      return sharesOf(spaceRef(id));
    },

    async shareSpace(subject: Subject, id: string, input: DocsShareRequest, actor: AuditActor) {
      const { row, role } = await readableSpace(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_SPACE_NOT_FOUND');
      if (row.kind === 'personal') throw docsErrors.create('DOCS_PERSONAL_SPACE');
      return addShare(spaceRef(id), input, actor);
    },

    async unshareSpace(subject: Subject, id: string, grantId: string, actor: AuditActor) {
      const { role } = await readableSpace(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_SPACE_NOT_FOUND');
      await removeShare(spaceRef(id), grantId, actor);
    },

    /** Top-level pages of a space, or the children of one of its pages, in tree order. */
    async listTree(subject: Subject, spaceId: string, parentId: string | null, cursor?: string, limit?: number) {
      await readableSpace(subject, spaceId).catch((error: unknown) => {
        // A page shared on its own opens its tree without the space.
        if (parentId === null) throw error;
      });
      if (parentId !== null) {
        const { row } = await readableDocument(subject, parentId);
        if (row.space_id !== spaceId) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      }
      const after = decodeCursor(cursor);
      const size = pageSize(limit);
      const rows = await repository.listChildren(spaceId, parentId, await readableFilter(subject, true), {
        limit: size + 1,
        ...(after?.position !== undefined ? { after: { position: after.position, id: after.id } } : {}),
      });
      const page = rows.slice(0, size);
      const last = page.at(-1);
      return {
        items: await presentSummaries(subject, page),
        nextCursor: rows.length > size && last ? encodeCursor({ position: last.position, id: last.id }) : null,
      };
    },

    async createDocument(
      subject: Subject,
      user: DocsUser,
      input: {
        spaceId: string;
        parentId?: string | null | undefined;
        title?: string | undefined;
        templateId?: string | undefined;
        state?: Uint8Array;
      },
      actor: AuditActor,
    ): Promise<DocsDocument> {
      let state = input.state;
      let title = input.title;
      if (input.templateId) {
        const template = await readableDocument(subject, input.templateId).catch(() => undefined);
        if (!template || template.row.template_scope === null || template.row.trashed_at !== null) {
          throw docsErrors.create('DOCS_TEMPLATE_NOT_FOUND');
        }
        state = contentOnlyState(await deps.store.stateOf(template.row.id), docsFragmentName);
        title ??= template.row.title;
      }
      const row = await database.transaction(async (context) => {
        const parentId = input.parentId ?? null;
        await checkDestination(subject, input.spaceId, parentId, null, context);
        const created = await insertDocument(
          {
            spaceId: input.spaceId,
            parentId,
            title: title ?? '',
            userId: user.id,
            ...(state ? { state } : {}),
          },
          actor,
          context,
        );
        await indexDocument(created, null, context);
        return created;
      });
      return presentDocument(subject, row, 'owner');
    },

    /** A page as its page shows it; records the visit (recent pages). */
    async getDocument(subject: Subject, id: string): Promise<DocsDocument> {
      const { row, role } = await readableDocument(subject, id);
      if (subject.userId) await repository.recordVisit(subject.userId, id, deps.now().toISOString());
      return presentDocument(subject, row, role);
    },

    async renameDocument(subject: Subject, id: string, title: string, actor: AuditActor): Promise<DocsDocument> {
      void actor;
      const { row, role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).edit) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      if (row.trashed_at) throw docsErrors.create('DOCS_IN_TRASH');
      const changed = { ...row, title, updated_at: deps.now().toISOString(), updated_by: subject.userId };
      await database.transaction(async (context) => {
        await repository.updateDocument(
          id,
          { title, updated_at: changed.updated_at, updated_by: changed.updated_by },
          context.executor,
        );
        await indexDocument(changed, null, context);
      });
      return presentDocument(subject, changed, role);
    },

    async children(subject: Subject, id: string, cursor?: string, limit?: number) {
      const { row } = await readableDocument(subject, id);
      return this.listTree(subject, row.space_id, id, cursor, limit);
    },

    /** Moves a page and its sub-pages (to the top of a space or under a page), before a sibling or last. */
    async moveDocument(
      subject: Subject,
      id: string,
      input: { spaceId?: string | undefined; parentId: string | null; beforeId?: string | null | undefined },
      actor: AuditActor,
    ): Promise<DocsDocument> {
      void actor;
      const { row, role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      if (row.trashed_at) throw docsErrors.create('DOCS_IN_TRASH');
      const spaceId = input.spaceId ?? row.space_id;
      const moved = await database.transaction(async (context) => {
        await checkDestination(subject, spaceId, input.parentId, id, context);
        const position = input.beforeId
          ? await positionBefore(spaceId, input.parentId, input.beforeId, id, context)
          : await lastPosition(spaceId, input.parentId, context);
        const organisationId = (await repository.findSpace(spaceId, context.executor))?.organisation_id ?? null;
        const changes = { space_id: spaceId, parent_id: input.parentId, position, organisation_id: organisationId };
        await repository.updateDocument(id, changes, context.executor);
        if (spaceId !== row.space_id) {
          for (const below of await repository.descendantIds(id, context.executor)) {
            await repository.updateDocument(
              below,
              { space_id: spaceId, organisation_id: organisationId },
              context.executor,
            );
          }
        }
        if (input.parentId !== row.parent_id || spaceId !== row.space_id) {
          await authz.moveResource(documentRef(id), input.parentId ? documentRef(input.parentId) : spaceRef(spaceId), {
            context,
          });
        }
        return { ...row, ...changes };
      });
      deps.recheckConnections();
      const newRole = (await authz.effectiveRole(subject, documentRef(id))) as DocsRole | null;
      return presentDocument(subject, moved, newRole ?? role);
    },

    async duplicateDocument(
      subject: Subject,
      user: DocsUser,
      id: string,
      withChildren: boolean,
      actor: AuditActor,
    ): Promise<DocsDocument> {
      const { row } = await readableDocument(subject, id);
      if (row.trashed_at) throw docsErrors.create('DOCS_IN_TRASH');
      const copy = await database.transaction(async (context) => {
        await checkDestination(subject, row.space_id, row.parent_id, null, context);
        const title = row.title ? `${row.title} (copie)` : '';
        return copySubtree(
          subject,
          row,
          { spaceId: row.space_id, parentId: row.parent_id, title },
          withChildren,
          user.id,
          actor,
          context,
        );
      });
      return presentDocument(subject, copy, 'owner');
    },

    /** Moves a page and its sub-pages to the trash (owners: of the page, or of a parent or the space). */
    async trashDocument(subject: Subject, id: string): Promise<void> {
      const { row, role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      if (row.trashed_at) throw docsErrors.create('DOCS_IN_TRASH');
      const ids = [id, ...(await repository.descendantIds(id))];
      await database.transaction(async (context) => {
        await repository.trashSubtree(ids, id, deps.now().toISOString(), subject.userId, context.executor);
        for (const trashed of ids) await deps.search.remove(documentSearchType, trashed, { context });
      });
      deps.closePages(ids);
    },

    async restoreDocument(subject: Subject, id: string): Promise<DocsDocument> {
      const { row, role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      if (row.trash_root_id !== id) throw docsErrors.create('DOCS_NOT_IN_TRASH');
      const restored = await database.transaction(async (context) => {
        let parentId = row.parent_id;
        if (parentId) {
          const parent = await repository.findDocument(parentId, context.executor);
          if (!parent || parent.trashed_at !== null) parentId = null;
        }
        if (parentId !== row.parent_id) {
          const position = await lastPosition(row.space_id, null, context);
          await repository.updateDocument(id, { parent_id: null, position }, context.executor);
          await authz.moveResource(documentRef(id), spaceRef(row.space_id), { context });
        }
        const ids = [id, ...(await repository.descendantIds(id, context.executor))];
        await repository.restoreSubtree(id, context.executor);
        for (const restoredRow of await repository.findDocuments(ids, context.executor)) {
          if (restoredRow.trashed_at === null) {
            await indexDocument(restoredRow, null, context);
          }
        }
        return { ...row, parent_id: parentId, trashed_at: null, trashed_by: null, trash_root_id: null };
      });
      return presentDocument(subject, restored, role);
    },

    /** Deletes for good a page of the trash and its sub-pages; returns the blob keys to delete. */
    async deletePermanently(subject: Subject, id: string): Promise<string[]> {
      const { row, role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      if (row.trash_root_id !== id) throw docsErrors.create('DOCS_NOT_IN_TRASH');
      return deleteSubtree(id);
    },

    /**
     * Deletes for good the pages that have been in the trash for `docsTrashRetentionDays` (the hourly job of
     * `trash-purge.ts`), a hundred trees at a time; returns how many trees and the blob keys to delete.
     */
    async purgeExpiredTrash(): Promise<{ purged: number; blobKeys: string[] }> {
      const cutoff = new Date(deps.now().getTime() - docsTrashRetentionDays * 86_400_000).toISOString();
      const blobKeys: string[] = [];
      let purged = 0;
      for (;;) {
        const roots = await repository.trashRootsBefore(cutoff, 100);
        for (const root of roots) blobKeys.push(...(await deleteSubtree(root)));
        purged += roots.length;
        if (roots.length < 100) return { purged, blobKeys };
      }
    },

    async listTrash(subject: Subject, cursor?: string, limit?: number) {
      const before = decodeCursor(cursor);
      const size = pageSize(limit);
      const owned = await authz.filter(subject, {
        type: documentResourceType,
        action: 'share',
        idColumn: 'docs_documents.id',
      });
      const rows = await repository.listTrash(owned, {
        limit: size + 1,
        ...(before?.at ? { before: { trashedAt: before.at, id: before.id } } : {}),
      });
      const page = rows.slice(0, size);
      const last = page.at(-1);
      return {
        items: await presentSummaries(subject, page),
        nextCursor: rows.length > size && last ? encodeCursor({ at: last.trashed_at!, id: last.id }) : null,
      };
    },

    async setFavourite(subject: Subject, id: string, isFavourite: boolean) {
      await readableDocument(subject, id);
      if (!subject.userId) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      if (isFavourite) await repository.addFavourite(subject.userId, id, deps.now().toISOString());
      else await repository.removeFavourite(subject.userId, id);
    },

    async listFavourites(subject: Subject, cursor?: string, limit?: number) {
      return listPersonal(subject, 'favourites', cursor, limit);
    },

    async listRecent(subject: Subject, cursor?: string, limit?: number) {
      return listPersonal(subject, 'recent', cursor, limit);
    },

    async documentShares(subject: Subject, id: string) {
      const { role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      return sharesOf(documentRef(id));
    },

    async shareDocument(subject: Subject, id: string, input: DocsShareRequest, actor: AuditActor) {
      const { role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      return addShare(documentRef(id), input, actor);
    },

    async unshareDocument(subject: Subject, id: string, grantId: string, actor: AuditActor) {
      const { role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      await removeShare(documentRef(id), grantId, actor);
    },

    /**
     * Offers a page as a template to its space (`space`), or to every agent of its space's organisation unit
     * and the units below (`organisation`: they get read access to it), or stops offering it (null). Owners only.
     */
    async setTemplate(subject: Subject, id: string, scope: 'space' | 'organisation' | null, actor: AuditActor) {
      const { row, role } = await readableDocument(subject, id);
      if (!abilitiesOf(role).share) throw docsErrors.create('DOCS_DOCUMENT_NOT_FOUND');
      if (row.trashed_at) throw docsErrors.create('DOCS_IN_TRASH');
      if (scope === 'organisation' && row.organisation_id === null)
        throw docsErrors.create('DOCS_TEMPLATE_NO_ORGANISATION');
      await database.transaction(async (context) => {
        await repository.updateDocument(id, { template_scope: scope }, context.executor);
        const organisationGrant = row.organisation_id
          ? (await authz.listGrants(documentRef(id), { context })).find(
              (grant) => grant.principal.kind === 'organisation' && grant.principal.id === row.organisation_id,
            )
          : undefined;
        if (scope === 'organisation' && !organisationGrant) {
          await authz.grant(
            {
              resource: documentRef(id),
              principal: { kind: 'organisation', id: row.organisation_id! },
              role: 'reader',
            },
            { actor, context },
          );
        }
        if (scope !== 'organisation' && row.template_scope === 'organisation' && organisationGrant?.role === 'reader') {
          await authz.revoke(organisationGrant.id, { actor, context });
        }
      });
      deps.recheckConnections();
      return presentDocument(subject, { ...row, template_scope: scope }, role);
    },

    /** The templates offered in a space (its own) and by the subject's organisation units. */
    async listTemplates(subject: Subject, spaceId: string | null) {
      if (spaceId) await readableSpace(subject, spaceId);
      const rows = await repository.listTemplates(
        spaceId,
        subject.kind === 'agent' ? subject.organisationPath : [],
        await readableFilter(subject, true),
      );
      const summaries = await presentSummaries(subject, rows);
      return summaries.map((summary, index) => ({ ...summary, templateScope: rows[index]!.template_scope! }));
    },

    /** Whether an active user may read a page now (for notifications). */
    async canRead(userId: string, id: string): Promise<boolean> {
      const subject = await deps.subjectOfUser(userId);
      return subject ? authz.can(subject, 'read', documentRef(id)) : false;
    },

    /** What the subject may do with a page for real-time editing: nothing in the trash. */
    async access(subject: Subject, id: string): Promise<{ read: boolean; edit: boolean }> {
      const role = await authz.effectiveRole(subject, documentRef(id));
      if (role === null) return { read: false, edit: false };
      const row = await repository.findDocument(id);
      if (!row || row.trashed_at !== null) return { read: false, edit: false };
      const abilities = abilitiesOf(role);
      return { read: abilities.read, edit: abilities.edit };
    },
  };

  async function listPersonal(subject: Subject, which: 'favourites' | 'recent', cursor?: string, limit?: number) {
    if (!subject.userId) return { items: [], nextCursor: null };
    const before = decodeCursor(cursor);
    const size = pageSize(limit);
    const readable = await readableFilter(subject, true);
    const page = { limit: size + 1, ...(before?.at ? { before: { at: before.at, id: before.id } } : {}) };
    const rows = await repository.listPersonal(which, subject.userId, readable, page);
    const shown = rows.slice(0, size);
    const last = shown.at(-1);
    return {
      items: await presentSummaries(subject, shown),
      nextCursor: rows.length > size && last ? encodeCursor({ at: last.listed_at, id: last.id }) : null,
    };
  }
}

export type DocsService = ReturnType<typeof createDocsService>;
