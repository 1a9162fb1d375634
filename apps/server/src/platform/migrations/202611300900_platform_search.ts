import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * The unified search index (platform/search): one row per indexed document, with its original title and
 * text (for snippets), the authz resource that decides who sees it, and its terms. The terms come from
 * the search's own French analyser (platform/search/french-analyser.ts) on both databases, so that both
 * find the same documents: on SQLite an FTS5 table (contentless, rows deleted by rowid) holds them, on
 * PostgreSQL `tsvector` columns (title terms weighted A, text terms B) under a GIN index.
 *
 * A query walks every hit's type, resource and date (permission check, facets, choice of the candidates
 * to rank): both layouts keep those apart from the texts, so that a common word's thousands of hits
 * read a few megabytes.
 */
export const platformSearchMigration: Migration = {
  name: '202611300900_platform_search',
  async up(db, { dialect, types }) {
    const isPostgres = dialect === 'postgres';
    await db.schema
      .createTable('platform_search_documents')
      // On SQLite an INTEGER PRIMARY KEY is the rowid, which the FTS5 row shares.
      .addColumn('seq', isPostgres ? 'bigint' : 'integer', (column) =>
        isPostgres ? column.primaryKey().generatedAlwaysAsIdentity() : column.primaryKey(),
      )
      .addColumn('type', 'text', (column) => column.notNull())
      // The module's own key of the document: not necessarily a UUID (a message's event id...).
      .addColumn('id', 'text', (column) => column.notNull())
      .addColumn('resource_type', 'text', (column) => column.notNull())
      .addColumn('resource_id', types.id, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addColumn('label', 'text')
      .addColumn('url', 'text', (column) => column.notNull())
      .addColumn('organisation_id', types.id)
      .addColumn('indexed_at', types.timestamp, (column) => column.notNull())
      // Set on every document of a type when its reindexing starts; those still set at the end are gone.
      .addColumn('is_stale', types.boolean, (column) => column.notNull())
      .addColumn('title', 'text', (column) => column.notNull())
      .addColumn('body', 'text', (column) => column.notNull())
      .$call((table) =>
        isPostgres
          ? table
              // The title's terms alone: whether a hit matches in its title, read without the text's terms.
              .addColumn('title_terms', sql`tsvector`, (column) => column.notNull())
              .addColumn('terms', sql`tsvector`, (column) => column.notNull())
          : table,
      )
      .addCheckConstraint(
        'platform_search_documents_label_check',
        sql`label is null or label in ('public', 'internal', 'sensitive', 'restricted')`,
      )
      .execute();
    await db.schema
      .createIndex('platform_search_documents_key_idx')
      .on('platform_search_documents')
      .columns(['type', 'id'])
      .unique()
      .execute();
    // Removing every document of a resource (a room and its messages).
    // The home page's recent items: newest first, checked one by one against the permissions.
    await db.schema
      .createIndex('platform_search_documents_recent_idx')
      .on('platform_search_documents')
      .columns(['updated_at', 'seq'])
      .execute();
    await db.schema
      .createIndex('platform_search_documents_resource_idx')
      .on('platform_search_documents')
      .columns(['resource_type', 'resource_id'])
      .execute();

    if (isPostgres) {
      // Rows over 128 bytes send their long values to the TOAST table (texts, terms, id, url): a hit's
      // row then holds little more than what a query walks, the columns kept inline below.
      await sql`alter table platform_search_documents set (toast_tuple_target = 128)`.execute(db);
      for (const column of ['type', 'resource_type', 'title_terms']) {
        await sql`alter table platform_search_documents alter column ${sql.ref(column)} set storage plain`.execute(db);
      }
      await sql`create index platform_search_documents_terms_idx on platform_search_documents using gin (terms)`.execute(
        db,
      );
      return;
    }
    // What a query reads of each hit, in an index read in seq order alongside the FTS5 hits: far fewer
    // pages than the rows with their texts.
    await db.schema
      .createIndex('platform_search_documents_hits_idx')
      .on('platform_search_documents')
      .columns(['seq', 'type', 'resource_id', 'updated_at'])
      .execute();
    // Contentless (the texts are in platform_search_documents), rows deletable by rowid. The terms are
    // already analysed; unicode61 without diacritics only splits them on spaces. Prefix indexes of 2 to
    // 5 characters make the word being typed cheap: without one, FTS5 merges the doclists of every word
    // the prefix starts (`pres`: 20 ms on bench/search's 100,000 items, 1.5 ms with it).
    await sql`
      create virtual table platform_search_fts using fts5(
        title, body,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3 4 5'
      )
    `.execute(db);
  },
};
