import { sql, type Expression, type SqlBool } from 'kysely';
import type { Database, Executor } from '../../platform/db/database.ts';

export type SpaceKind = 'personal' | 'shared';

export interface DocsSpaceRow {
  id: string;
  name: string;
  description: string;
  kind: SpaceKind;
  organisation_id: string | null;
  owner_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface DocsDocumentRow {
  id: string;
  space_id: string;
  parent_id: string | null;
  position: number;
  title: string;
  created_by: string | null;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
  trashed_at: string | null;
  trashed_by: string | null;
  trash_root_id: string | null;
  template_scope: TemplateScope | null;
  /** The organisation of its space (organisation templates are found by it). */
  organisation_id: string | null;
}

export type TemplateScope = 'space' | 'organisation';

/**
 * The two Yjs documents of a page, stored apart: its content, and its discussions (comment threads), which
 * only signed-in readers may open — a visitor of a public link receives the content alone.
 */
export type DocsPart = 'page' | 'discussions';

export interface DocsContentRow {
  document_id: string;
  part: DocsPart;
  state: Uint8Array;
  size_bytes: number;
  updated_at: string;
}

export interface DocsUpdateRow {
  document_id: string;
  part: DocsPart;
  id: string;
  data: Uint8Array;
  created_at: string;
}

export type VersionKind = 'automatic' | 'named' | 'before-restore';

export interface DocsVersionRow {
  id: string;
  document_id: string;
  kind: VersionKind;
  name: string | null;
  state: Uint8Array;
  size_bytes: number;
  created_by: string | null;
  created_at: string;
}

export interface DocsFileRow {
  id: string;
  document_id: string;
  blob_key: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  created_by: string | null;
  created_at: string;
}

type DocsTables = {
  docs_spaces: DocsSpaceRow;
  docs_documents: DocsDocumentRow;
  docs_content: DocsContentRow;
  docs_updates: DocsUpdateRow;
  docs_versions: DocsVersionRow;
  docs_favourites: { user_id: string; document_id: string; created_at: string };
  docs_visits: { user_id: string; document_id: string; visited_at: string };
  docs_collab_tokens: { token_hash: string; user_id: string; document_id: string; expires_at: string };
  docs_files: DocsFileRow;
};

/** Gap left between siblings' positions, so that a move rarely renumbers. */
export const positionGap = 1024;

/** Bytes as both drivers give them (Buffer on both; kept as a Uint8Array view). */
function bytesOf(value: Uint8Array): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** All SQL of the documents module. */
export function createDocsRepository(database: Database) {
  const tables = (executor: Executor = database.executor) => executor.withTables<DocsTables>();

  return {
    // --- spaces ---
    insertSpace: (row: DocsSpaceRow, executor?: Executor) =>
      tables(executor).insertInto('docs_spaces').values(row).execute(),

    findSpace: (id: string, executor?: Executor) =>
      tables(executor).selectFrom('docs_spaces').selectAll().where('id', '=', id).executeTakeFirst(),

    findPersonalSpace: (userId: string, executor?: Executor) =>
      tables(executor).selectFrom('docs_spaces').selectAll().where('owner_id', '=', userId).executeTakeFirst(),

    /** Spaces passing the permission filter (personal first, then by name). */
    listSpaces: (readable: Expression<SqlBool>, executor?: Executor) =>
      tables(executor)
        .selectFrom('docs_spaces')
        .selectAll()
        .where(readable)
        .orderBy(sql`case when kind = 'personal' then 0 else 1 end`)
        .orderBy('name')
        .limit(500)
        .execute(),

    /** How many pages of a space are not in the trash. */
    countLivePages: async (spaceId: string, executor?: Executor) =>
      Number(
        (
          await tables(executor)
            .selectFrom('docs_documents')
            .select((eb) => eb.fn.countAll().as('count'))
            .where('space_id', '=', spaceId)
            .where('trashed_at', 'is', null)
            .executeTakeFirstOrThrow()
        ).count,
      ),

    /** The pages of a space put in the trash as roots (each with its sub-pages). */
    trashRootsOfSpace: async (spaceId: string, executor?: Executor) =>
      (
        await tables(executor)
          .selectFrom('docs_documents')
          .select('id')
          .where('space_id', '=', spaceId)
          .whereRef('trash_root_id', '=', 'id')
          .execute()
      ).map((row) => row.id),

    deleteSpace: (id: string, executor?: Executor) =>
      tables(executor).deleteFrom('docs_spaces').where('id', '=', id).execute(),

    updateSpace: (
      id: string,
      changes: Partial<Pick<DocsSpaceRow, 'name' | 'description' | 'updated_at'>>,
      executor?: Executor,
    ) => tables(executor).updateTable('docs_spaces').set(changes).where('id', '=', id).execute(),

    // --- documents ---
    insertDocument: (row: DocsDocumentRow, executor?: Executor) =>
      tables(executor).insertInto('docs_documents').values(row).execute(),

    findDocument: (id: string, executor?: Executor) =>
      tables(executor).selectFrom('docs_documents').selectAll().where('id', '=', id).executeTakeFirst(),

    findDocuments: (ids: readonly string[], executor?: Executor) =>
      ids.length === 0
        ? Promise.resolve([])
        : tables(executor)
            .selectFrom('docs_documents')
            .selectAll()
            .where('id', 'in', [...ids])
            .execute(),

    /** Pages under a parent (or at the top of a space), not in the trash, in tree order, from `afterPosition`. */
    listChildren: (
      spaceId: string,
      parentId: string | null,
      readable: Expression<SqlBool>,
      page: { limit: number; after?: { position: number; id: string } },
      executor?: Executor,
    ) => {
      let query = tables(executor)
        .selectFrom('docs_documents')
        .selectAll()
        .where('space_id', '=', spaceId)
        .where('trashed_at', 'is', null)
        .where(readable);
      query = parentId === null ? query.where('parent_id', 'is', null) : query.where('parent_id', '=', parentId);
      if (page.after) {
        const { position, id } = page.after;
        query = query.where((eb) =>
          eb.or([eb('position', '>', position), eb.and([eb('position', '=', position), eb('id', '>', id)])]),
        );
      }
      return query.orderBy('position').orderBy('id').limit(page.limit).execute();
    },

    /** Which of these pages have at least one child outside the trash that passes the filter. */
    withChildren: async (parentIds: readonly string[], readable: Expression<SqlBool>, executor?: Executor) => {
      if (parentIds.length === 0) return new Set<string>();
      const rows = await tables(executor)
        .selectFrom('docs_documents')
        .select('parent_id')
        .distinct()
        .where('parent_id', 'in', [...parentIds])
        .where('trashed_at', 'is', null)
        .where(readable)
        .execute();
      return new Set(rows.map((row) => row.parent_id).filter((id): id is string => id !== null));
    },

    /** Positions of a parent's children (trash included: they come back to their place). */
    siblingPositions: (spaceId: string, parentId: string | null, executor?: Executor) => {
      let query = tables(executor)
        .selectFrom('docs_documents')
        .select(['id', 'position'])
        .where('space_id', '=', spaceId);
      query = parentId === null ? query.where('parent_id', 'is', null) : query.where('parent_id', '=', parentId);
      return query.orderBy('position').orderBy('id').execute();
    },

    setPosition: (id: string, position: number, executor?: Executor) =>
      tables(executor).updateTable('docs_documents').set({ position }).where('id', '=', id).execute(),

    updateDocument: (
      id: string,
      changes: Partial<Omit<DocsDocumentRow, 'id' | 'created_at' | 'created_by'>>,
      executor?: Executor,
    ) => tables(executor).updateTable('docs_documents').set(changes).where('id', '=', id).execute(),

    /** Every page below these (any depth), trash included. */
    descendantIds: async (rootId: string, executor?: Executor): Promise<string[]> => {
      const rows = await sql<{ id: string }>`
        with recursive below(id) as (
          select id from docs_documents where parent_id = ${rootId}
          union all
          select d.id from docs_documents d join below b on d.parent_id = b.id
        )
        select id from below`.execute(executor ?? database.executor);
      return rows.rows.map((row) => row.id);
    },

    /** The chain of parents, nearest last (space top first). */
    ancestorsOf: async (documentId: string, executor?: Executor): Promise<DocsDocumentRow[]> => {
      const rows = await sql<DocsDocumentRow & { depth: number }>`
        with recursive up(id, depth) as (
          select parent_id, 1 from docs_documents where id = ${documentId} and parent_id is not null
          union all
          select d.parent_id, u.depth + 1 from docs_documents d join up u on d.id = u.id where d.parent_id is not null
        )
        select d.*, u.depth from docs_documents d join up u on d.id = u.id order by u.depth desc`.execute(
        executor ?? database.executor,
      );
      return rows.rows;
    },

    trashSubtree: (ids: readonly string[], rootId: string, at: string, by: string | null, executor?: Executor) =>
      tables(executor)
        .updateTable('docs_documents')
        .set({ trashed_at: at, trashed_by: by, trash_root_id: rootId })
        .where('id', 'in', [...ids])
        .where('trashed_at', 'is', null)
        .execute(),

    restoreSubtree: (rootId: string, executor?: Executor) =>
      tables(executor)
        .updateTable('docs_documents')
        .set({ trashed_at: null, trashed_by: null, trash_root_id: null })
        .where('trash_root_id', '=', rootId)
        .execute(),

    /** Pages trashed by hand (the roots), passing the filter, newest first. */
    listTrash: (
      readable: Expression<SqlBool>,
      page: { limit: number; before?: { trashedAt: string; id: string } },
      executor?: Executor,
    ) => {
      let query = tables(executor)
        .selectFrom('docs_documents')
        .selectAll()
        .whereRef('trash_root_id', '=', 'id')
        .where(readable);
      if (page.before) {
        const { trashedAt, id } = page.before;
        query = query.where((eb) =>
          eb.or([eb('trashed_at', '<', trashedAt), eb.and([eb('trashed_at', '=', trashedAt), eb('id', '<', id)])]),
        );
      }
      return query.orderBy('trashed_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
    },

    /** Pages put in the trash (as roots, with their sub-pages) before an instant, oldest first. */
    trashRootsBefore: async (before: string, limit: number, executor?: Executor) =>
      (
        await tables(executor)
          .selectFrom('docs_documents')
          .select('id')
          .whereRef('trash_root_id', '=', 'id')
          .where('trashed_at', '<', before)
          .orderBy('trashed_at')
          .limit(limit)
          .execute()
      ).map((row) => row.id),

    /** Forgets pages and everything attached to them (content, versions, favourites, visits, files). */
    deleteDocuments: async (ids: readonly string[], executor?: Executor) => {
      if (ids.length === 0) return [];
      const list = [...ids];
      const files = await tables(executor)
        .selectFrom('docs_files')
        .select('blob_key')
        .where('document_id', 'in', list)
        .execute();
      for (const table of [
        'docs_content',
        'docs_updates',
        'docs_versions',
        'docs_favourites',
        'docs_visits',
        'docs_collab_tokens',
        'docs_files',
      ] as const) {
        await tables(executor).deleteFrom(table).where('document_id', 'in', list).execute();
      }
      // Children first: parent_id references the parent.
      await tables(executor).updateTable('docs_documents').set({ parent_id: null }).where('id', 'in', list).execute();
      await tables(executor).deleteFrom('docs_documents').where('id', 'in', list).execute();
      return files.map((file) => file.blob_key);
    },

    /** Templates of a space, and organisation templates of these organisations, passing the filter. */
    listTemplates: (
      spaceId: string | null,
      organisationIds: readonly string[],
      readable: Expression<SqlBool>,
      executor?: Executor,
    ) =>
      tables(executor)
        .selectFrom('docs_documents')
        .selectAll()
        .where('template_scope', 'is not', null)
        .where('trashed_at', 'is', null)
        .where((eb) =>
          eb.or([
            ...(spaceId ? [eb.and([eb('template_scope', '=', 'space'), eb('space_id', '=', spaceId)])] : []),
            ...(organisationIds.length > 0
              ? [eb.and([eb('template_scope', '=', 'organisation'), eb('organisation_id', 'in', [...organisationIds])])]
              : []),
            sql<SqlBool>`1 = 0`,
          ]),
        )
        .where(readable)
        .orderBy('title')
        .limit(200)
        .execute(),

    // --- favourites and visits ---
    addFavourite: (userId: string, documentId: string, at: string, executor?: Executor) =>
      tables(executor)
        .insertInto('docs_favourites')
        .values({ user_id: userId, document_id: documentId, created_at: at })
        .onConflict((conflict) => conflict.columns(['user_id', 'document_id']).doNothing())
        .execute(),

    removeFavourite: (userId: string, documentId: string, executor?: Executor) =>
      tables(executor)
        .deleteFrom('docs_favourites')
        .where('user_id', '=', userId)
        .where('document_id', '=', documentId)
        .execute(),

    favouritesAmong: async (userId: string, documentIds: readonly string[], executor?: Executor) => {
      if (documentIds.length === 0) return new Set<string>();
      const rows = await tables(executor)
        .selectFrom('docs_favourites')
        .select('document_id')
        .where('user_id', '=', userId)
        .where('document_id', 'in', [...documentIds])
        .execute();
      return new Set(rows.map((row) => row.document_id));
    },

    /** The user's favourite pages outside the trash, passing the filter, last added first. */
    /**
     * The user's favourite pages (`favourites`, last added first) or visited pages (`recent`, last visited
     * first), outside the trash and passing the filter.
     */
    listPersonal: (
      which: 'favourites' | 'recent',
      userId: string,
      readable: Expression<SqlBool>,
      page: { limit: number; before?: { at: string; id: string } },
      executor?: Executor,
    ) => {
      // Both lists have the same shape: the user's rows of one table joined to the pages, by a time column.
      const query =
        which === 'favourites'
          ? tables(executor)
              .selectFrom('docs_favourites as listed')
              .innerJoin('docs_documents', 'docs_documents.id', 'listed.document_id')
              .select('listed.created_at as listed_at')
              .where('listed.user_id', '=', userId)
          : tables(executor)
              .selectFrom('docs_visits as listed')
              .innerJoin('docs_documents', 'docs_documents.id', 'listed.document_id')
              .select('listed.visited_at as listed_at')
              .where('listed.user_id', '=', userId);
      const at = sql.ref<string>(which === 'favourites' ? 'listed.created_at' : 'listed.visited_at');
      let filtered = query.selectAll('docs_documents').where('docs_documents.trashed_at', 'is', null).where(readable);
      if (page.before) {
        const before = page.before;
        filtered = filtered.where((eb) =>
          eb.or([eb(at, '<', before.at), eb.and([eb(at, '=', before.at), eb('docs_documents.id', '<', before.id)])]),
        );
      }
      return filtered.orderBy(at, 'desc').orderBy('docs_documents.id', 'desc').limit(page.limit).execute();
    },

    recordVisit: (userId: string, documentId: string, at: string, executor?: Executor) =>
      tables(executor)
        .insertInto('docs_visits')
        .values({ user_id: userId, document_id: documentId, visited_at: at })
        .onConflict((conflict) => conflict.columns(['user_id', 'document_id']).doUpdateSet({ visited_at: at }))
        .execute(),

    // --- content ---
    findContent: async (documentId: string, part: DocsPart, executor?: Executor) => {
      const row = await tables(executor)
        .selectFrom('docs_content')
        .selectAll()
        .where('document_id', '=', documentId)
        .where('part', '=', part)
        .executeTakeFirst();
      return row && { ...row, state: bytesOf(row.state) };
    },

    listUpdates: async (documentId: string, part: DocsPart, executor?: Executor) => {
      const rows = await tables(executor)
        .selectFrom('docs_updates')
        .select(['id', 'data'])
        .where('document_id', '=', documentId)
        .where('part', '=', part)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({ id: row.id, data: bytesOf(row.data) }));
    },

    insertUpdates: (rows: readonly DocsUpdateRow[], executor?: Executor) =>
      rows.length === 0
        ? Promise.resolve()
        : tables(executor)
            .insertInto('docs_updates')
            .values([...rows])
            .execute(),

    deleteUpdates: async (documentId: string, ids: readonly string[], executor?: Executor) => {
      for (let start = 0; start < ids.length; start += 500) {
        await tables(executor)
          .deleteFrom('docs_updates')
          .where('document_id', '=', documentId)
          .where('id', 'in', ids.slice(start, start + 500))
          .execute();
      }
    },

    upsertContent: (row: DocsContentRow, executor?: Executor) =>
      tables(executor)
        .insertInto('docs_content')
        .values(row)
        .onConflict((conflict) =>
          conflict
            .columns(['document_id', 'part'])
            .doUpdateSet({ state: row.state, size_bytes: row.size_bytes, updated_at: row.updated_at }),
        )
        .execute(),

    // --- versions ---
    insertVersion: (row: DocsVersionRow, executor?: Executor) =>
      tables(executor).insertInto('docs_versions').values(row).execute(),

    latestVersion: (documentId: string, executor?: Executor) =>
      tables(executor)
        .selectFrom('docs_versions')
        .select(['id', 'kind', 'created_at'])
        .where('document_id', '=', documentId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),

    listVersions: (
      documentId: string,
      page: { limit: number; before?: { at: string; id: string } },
      executor?: Executor,
    ) => {
      let query = tables(executor)
        .selectFrom('docs_versions')
        .select(['id', 'document_id', 'kind', 'name', 'size_bytes', 'created_by', 'created_at'])
        .where('document_id', '=', documentId);
      if (page.before) {
        const { at, id } = page.before;
        query = query.where((eb) =>
          eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
        );
      }
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
    },

    findVersion: async (documentId: string, versionId: string, executor?: Executor) => {
      const row = await tables(executor)
        .selectFrom('docs_versions')
        .selectAll()
        .where('document_id', '=', documentId)
        .where('id', '=', versionId)
        .executeTakeFirst();
      return row && { ...row, state: bytesOf(row.state) };
    },

    // --- collaboration tokens ---
    insertCollabToken: (
      row: { token_hash: string; user_id: string; document_id: string; expires_at: string },
      executor?: Executor,
    ) => tables(executor).insertInto('docs_collab_tokens').values(row).execute(),

    findCollabToken: (tokenHash: string, executor?: Executor) =>
      tables(executor)
        .selectFrom('docs_collab_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst(),

    deleteExpiredCollabTokens: (now: string, executor?: Executor) =>
      tables(executor).deleteFrom('docs_collab_tokens').where('expires_at', '<', now).execute(),

    // --- files ---
    insertFile: (row: DocsFileRow, executor?: Executor) =>
      tables(executor).insertInto('docs_files').values(row).execute(),

    findFile: (documentId: string, fileId: string, executor?: Executor) =>
      tables(executor)
        .selectFrom('docs_files')
        .selectAll()
        .where('document_id', '=', documentId)
        .where('id', '=', fileId)
        .executeTakeFirst(),

    listFiles: (documentId: string, executor?: Executor) =>
      tables(executor).selectFrom('docs_files').selectAll().where('document_id', '=', documentId).execute(),
  };
}

export type DocsRepository = ReturnType<typeof createDocsRepository>;
