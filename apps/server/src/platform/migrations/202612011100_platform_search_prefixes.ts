import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * PostgreSQL only (SQLite's FTS5 table has had its prefix indexes from the start), for the search's
 * query time (platform/search/README.md):
 *
 * - each document's `terms` also hold prefix entries, without positions: `~` followed by the first 3,
 *   then 4, characters of each of its terms. A word being typed (`pres`) is then one posting list of the
 *   GIN index (`'~pres'`) instead of the merge of every word starting so (`'pres':*`). Ranking leaves
 *   them out (`ts_filter`). The search computes them when it indexes a document; this writes them for
 *   the documents indexed before (again: a term already there is not added twice).
 * - `terms` is compressed with lz4 where the server has it (PostgreSQL 14 and later, built with it): a
 *   query reads up to 500 hits' terms out of TOAST to rank them, and a small reader's documents' to
 *   check them; lz4 decompresses faster than pglz. The update below recompresses them.
 */
export const platformSearchPrefixesMigration: Migration = {
  name: '202612011100_platform_search_prefixes',
  async up(db, { dialect }) {
    if (dialect !== 'postgres') return;
    const { rows } = await sql<{ lz4: boolean }>`
      select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'
    `.execute(db);
    if (rows[0]?.lz4 === true) {
      await sql`alter table platform_search_documents alter column terms set compression lz4`.execute(db);
    }
    await sql`
      update platform_search_documents
      set terms = terms || coalesce(
        (
          select array_to_tsvector(array_agg(distinct '~' || left(term, prefix.length)))
          from unnest(tsvector_to_array(terms)) as term
          cross join (values (3), (4)) as prefix (length)
          where char_length(term) >= prefix.length and term not like '~%'
        ),
        ''::tsvector
      )
    `.execute(db);
  },
};
