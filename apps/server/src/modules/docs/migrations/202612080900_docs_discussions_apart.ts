import { sql, type Kysely } from 'kysely';
import * as Y from 'yjs';
import type { Migration } from '../../../platform/db/migrations.ts';

/** The Yjs map BlockNote's thread store keeps threads in (the same name in both documents). */
const threadsMapName = 'threads';

/**
 * A page's discussions become a Yjs document of their own (`docs_content.part` / `docs_updates.part`:
 * `page` or `discussions`). They were a map of the page's document, which every connection receives whole:
 * a visitor following a public link got the comments and their authors, which the page never shows them.
 *
 * Existing threads move: each page's stored content is loaded, its `threads` entries copied into a new
 * discussions document and deleted from the page (Yjs then keeps only tombstones of them: their content is
 * garbage collected), and the page is written back compacted. Versions keep their old states: they are
 * read by signed-in readers only.
 */
export const docsDiscussionsApartMigration: Migration = {
  name: '202612080900_docs_discussions_apart',
  async up(db, { dialect, types }) {
    const bytes = dialect === 'sqlite' ? 'blob' : 'bytea';
    await db.schema
      .createTable('docs_content_parts')
      .addColumn('document_id', types.id, (column) => column.notNull())
      .addColumn('part', 'text', (column) => column.notNull())
      .addColumn('state', bytes, (column) => column.notNull())
      .addColumn('size_bytes', 'integer', (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('docs_content_parts_pk', ['document_id', 'part'])
      .execute();
    await sql`
      insert into docs_content_parts (document_id, part, state, size_bytes, updated_at)
      select document_id, 'page', state, size_bytes, updated_at from docs_content
    `.execute(db);
    await db.schema.dropTable('docs_content').execute();
    await db.schema.alterTable('docs_content_parts').renameTo('docs_content').execute();
    await db.schema
      .alterTable('docs_updates')
      .addColumn('part', 'text', (column) => column.notNull().defaultTo('page'))
      .execute();

    const { rows } = await sql<{ document_id: string }>`
      select document_id from docs_content union select document_id from docs_updates
    `.execute(db);
    for (const { document_id: documentId } of rows) await moveThreads(db, documentId);
  },
};

async function moveThreads(db: Kysely<unknown>, documentId: string): Promise<void> {
  const content = await sql<{ state: Uint8Array }>`
    select state from docs_content where document_id = ${documentId} and part = 'page'
  `.execute(db);
  const updates = await sql<{ data: Uint8Array }>`
    select data from docs_updates where document_id = ${documentId} and part = 'page' order by id
  `.execute(db);
  const page = new Y.Doc();
  const discussions = new Y.Doc();
  try {
    for (const part of [...content.rows.map((row) => row.state), ...updates.rows.map((row) => row.data)]) {
      try {
        Y.applyUpdate(page, new Uint8Array(part));
      } catch {
        // A malformed row is skipped when the page loads as well (collab-store.ts): nothing to move in it.
      }
    }
    const threads = page.getMap<unknown>(threadsMapName);
    if (threads.size === 0) return;
    const moved = discussions.getMap<unknown>(threadsMapName);
    discussions.transact(() => {
      for (const [threadId, thread] of threads) {
        moved.set(threadId, thread instanceof Y.AbstractType ? (thread.clone() as unknown) : thread);
      }
    });
    page.transact(() => {
      for (const threadId of [...threads.keys()]) threads.delete(threadId);
    });
    const now = new Date().toISOString();
    const pageState = Buffer.from(Y.encodeStateAsUpdate(page));
    const discussionsState = Buffer.from(Y.encodeStateAsUpdate(discussions));
    await sql`delete from docs_content where document_id = ${documentId}`.execute(db);
    await sql`delete from docs_updates where document_id = ${documentId}`.execute(db);
    await sql`
      insert into docs_content (document_id, part, state, size_bytes, updated_at) values
        (${documentId}, 'page', ${pageState}, ${pageState.byteLength}, ${now}),
        (${documentId}, 'discussions', ${discussionsState}, ${discussionsState.byteLength}, ${now})
    `.execute(db);
  } finally {
    page.destroy();
    discussions.destroy();
  }
}
