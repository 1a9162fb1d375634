import { docsFragmentName } from '@bureau/contracts';
import { DefaultThreadStoreAuth, YjsThreadStore } from '@blocknote/core/comments';
import { sql, type Kysely } from 'kysely';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../platform/db/database.ts';
import { portableColumnTypes } from '../../../platform/db/migrations.ts';
import { createTestEnvironment, type TestEnvironment } from '../../../testing/test-database.ts';
import { fragmentText } from '../collab/fragment-text.ts';
import { docsCoreMigration } from './202612041000_docs_core.ts';
import { docsDiscussionsApartMigration } from './202612080900_docs_discussions_apart.ts';

const withThreads = '0193a6f0-0000-7000-8000-000000000001';
const withoutThreads = '0193a6f0-0000-7000-8000-000000000002';
const userId = '0193a6f0-0000-7000-8000-0000000000aa';
const at = '2026-12-01T10:00:00.000Z';
const paragraph = (text: string) => [{ type: 'paragraph', content: [{ type: 'text', text, styles: {} }] }];

/** A page of the old layout: a paragraph in the fragment, threads in the page's own `threads` map. */
function typeParagraph(document: Y.Doc, text: string) {
  const fragment = document.getXmlFragment(docsFragmentName);
  document.transact(() => {
    if (fragment.length === 0) fragment.insert(0, [new Y.XmlElement('blockGroup')]);
    const container = new Y.XmlElement('blockContainer');
    const block = new Y.XmlElement('paragraph');
    block.insert(0, [new Y.XmlText(text)]);
    container.insert(0, [block]);
    const group = fragment.get(0) as Y.XmlElement;
    group.insert(group.length, [container]);
  });
}

describe('Migration 202612080900_docs_discussions_apart', () => {
  let environment: TestEnvironment;
  let database: Database;

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
  });

  afterEach(async () => {
    await environment.destroy();
  });

  it('moves each page’s threads into its discussions document, leaving the page their tombstones only', async () => {
    const types = portableColumnTypes(database.dialect);
    const db = database.executor as Kysely<unknown>;
    await docsCoreMigration.up(db, { dialect: database.dialect, types });

    // A page with a thread in its compacted state, and a second thread and more text in a stored update.
    const page = new Y.Doc();
    const store = new YjsThreadStore(userId, page.getMap('threads'), new DefaultThreadStoreAuth(userId, 'editor'));
    typeParagraph(page, 'Les congés sont posés avant le 31 mars.');
    const first = await store.createThread({ initialComment: { body: paragraph('Avis confidentiel') } });
    const compacted = Y.encodeStateAsUpdate(page);
    const vector = Y.encodeStateVector(page);
    typeParagraph(page, 'Deuxième paragraphe.');
    const second = await store.createThread({ initialComment: { body: paragraph('Remarque interne') } });
    await store.addComment({ threadId: first.id, comment: { body: paragraph('Réponse') } });
    const update = Y.encodeStateAsUpdate(page, vector);
    const plain = new Y.Doc();
    typeParagraph(plain, 'Une page sans discussion.');
    const plainState = Y.encodeStateAsUpdate(plain);
    const bytes = (data: Uint8Array) => Buffer.from(data);
    await sql`
      insert into docs_content (document_id, state, size_bytes, updated_at) values
        (${withThreads}, ${bytes(compacted)}, ${compacted.byteLength}, ${at}),
        (${withoutThreads}, ${bytes(plainState)}, ${plainState.byteLength}, ${at})
    `.execute(db);
    await sql`
      insert into docs_updates (document_id, id, data, created_at) values
        (${withThreads}, '0193a6f0-0000-7000-8000-0000000000f1', ${bytes(update)}, ${at})
    `.execute(db);

    await docsDiscussionsApartMigration.up(db, { dialect: database.dialect, types });

    const { rows } = await sql<{ document_id: string; part: string; state: Uint8Array }>`
      select document_id, part, state from docs_content order by document_id, part
    `.execute(db);
    expect(rows.map((row) => [row.document_id, row.part])).toEqual([
      [withThreads, 'discussions'],
      [withThreads, 'page'],
      [withoutThreads, 'page'],
    ]);
    const { rows: updates } = await sql`select id from docs_updates`.execute(db);
    expect(updates).toEqual([]);

    // The page keeps its text, and nothing of the comments: their content was garbage collected.
    const migratedPage = new Y.Doc();
    Y.applyUpdate(migratedPage, new Uint8Array(rows[1]!.state));
    expect(fragmentText(migratedPage.getXmlFragment(docsFragmentName))).toBe(
      'Les congés sont posés avant le 31 mars.\nDeuxième paragraphe.',
    );
    expect(migratedPage.getMap('threads').size).toBe(0);
    for (const text of ['Avis confidentiel', 'Remarque interne', 'Réponse']) {
      expect(Buffer.from(rows[1]!.state).includes(text)).toBe(false);
    }

    // The discussions hold both threads, as BlockNote's store reads them.
    const discussions = new Y.Doc();
    Y.applyUpdate(discussions, new Uint8Array(rows[0]!.state));
    const moved = new YjsThreadStore(
      userId,
      discussions.getMap('threads'),
      new DefaultThreadStoreAuth(userId, 'editor'),
    );
    const bodies = (threadId: string) =>
      moved.getThread(threadId).comments.map((comment) => JSON.stringify(comment.body));
    expect(bodies(first.id)).toEqual([
      JSON.stringify(paragraph('Avis confidentiel')),
      JSON.stringify(paragraph('Réponse')),
    ]);
    expect(bodies(second.id)).toEqual([JSON.stringify(paragraph('Remarque interne'))]);

    // A page without discussions is left as it was.
    expect(Buffer.from(rows[2]!.state).equals(Buffer.from(plainState))).toBe(true);
    // New rows name their part.
    await expect(
      sql`insert into docs_content (document_id, part, state, size_bytes, updated_at)
          values (${withoutThreads}, 'page', ${bytes(plainState)}, 1, ${at})`.execute(db),
    ).rejects.toThrow();
  });
});
