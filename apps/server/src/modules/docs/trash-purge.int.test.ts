import { docsTrashRetentionDays, type DocsDocument, type DocsDocumentSummary, type DocsSpace } from '@bureau/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createManualClock, type ManualClock } from '../../platform/clock.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { trashPurgeJobType } from './trash-purge.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };
const day = 86_400_000;
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** The trash empties itself: pages in it for thirty days go for good, with all that was theirs. */
describe('Docs trash purge', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let clock: ManualClock;
  let alice: Record<string, string>;

  const call = async <T>(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const response = await app.http.inject({
      method,
      url,
      headers: { ...alice, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    return { status: response.statusCode, body: (response.body ? response.json() : undefined) as T };
  };
  const rowsOf = async (table: string, documentId: string) =>
    Number(
      (
        await sql<{
          count: number | string;
        }>`select count(*) as count from ${sql.table(table)} where document_id = ${documentId}`.execute(
          app.platform.database.executor,
        )
      ).rows[0]!.count,
    );
  const sweep = async () => {
    await app.platform.jobs.enqueue(trashPurgeJobType, {});
    await app.platform.jobs.runDue();
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
    clock = createManualClock(new Date('2026-12-01T09:00:00.000Z'));
    app = await buildApp(environment.config, { clock });
    await app.migrate();
    await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    await app.identity.directory.createUser({ email: 'alice@min.gouv.fr', password, displayName: 'Alice' }, system);
    alice = await signInHeaders(app, { email: 'alice@min.gouv.fr', password, publicUrl });
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  it(`deletes for good the pages in the trash for ${docsTrashRetentionDays} days, their sub-pages, versions, discussions and files`, async () => {
    const space = (await call<DocsSpace>('POST', '/api/docs/spaces', { name: 'Archives' })).body;
    const page = (await call<DocsDocument>('POST', '/api/docs', { spaceId: space.id, title: 'Note périmée' })).body;
    const child = (
      await call<DocsDocument>('POST', '/api/docs', { spaceId: space.id, title: 'Annexe périmée', parentId: page.id })
    ).body;
    await call('POST', `/api/docs/${page.id}/append`, { markdown: 'Un paragraphe.' });
    expect((await call('POST', `/api/docs/${page.id}/versions`, { name: 'v1' })).status).toBe(201);
    const thread = await call('POST', `/api/docs/${page.id}/threads`, {
      initialComment: { body: [{ type: 'paragraph', content: [{ type: 'text', text: 'À revoir', styles: {} }] }] },
    });
    expect(thread.status).toBe(201);
    const upload = await app.http.inject({
      method: 'POST',
      url: `/api/docs/${child.id}/files?name=schema.png`,
      headers: { ...alice, 'content-type': 'image/png' },
      payload: png,
    });
    expect(upload.statusCode).toBe(201);
    const { rows: files } = await sql<{ blob_key: string }>`
      select blob_key from docs_files where document_id = ${child.id}
    `.execute(app.platform.database.executor);
    const blobKey = files[0]!.blob_key;
    expect((await call('DELETE', `/api/docs/${page.id}`)).status).toBe(204);

    // A page trashed a week later stays until its own thirty days are over.
    clock.advance(7 * day);
    alice = await signInHeaders(app, { email: 'alice@min.gouv.fr', password, publicUrl }); // sessions expire
    const later = (await call<DocsDocument>('POST', '/api/docs', { spaceId: space.id, title: 'Plus récente' })).body;
    expect((await call('DELETE', `/api/docs/${later.id}`)).status).toBe(204);

    clock.advance((docsTrashRetentionDays - 7) * day - 60_000);
    alice = await signInHeaders(app, { email: 'alice@min.gouv.fr', password, publicUrl });
    await sweep();
    const trash = async () =>
      (await call<{ items: DocsDocumentSummary[] }>('GET', '/api/docs/trash')).body.items.map((item) => item.title);
    expect(await trash()).toEqual(['Plus récente', 'Note périmée']);

    clock.advance(2 * 60_000);
    await sweep();
    expect(await trash()).toEqual(['Plus récente']);
    for (const id of [page.id, child.id]) {
      expect((await call('GET', `/api/docs/${id}`)).status).toBe(404);
      for (const table of ['docs_content', 'docs_updates', 'docs_versions', 'docs_files']) {
        expect({ table, rows: await rowsOf(table, id) }).toEqual({ table, rows: 0 });
      }
    }
    const { rows: resources } = await sql`
      select id from platform_authz_resources where type = 'docs.document' and id in (${page.id}, ${child.id})
    `.execute(app.platform.database.executor);
    expect(resources).toEqual([]);
    await expect(app.platform.blobs.get(blobKey)).rejects.toThrow();
    // Each sweep queues its successor an hour on, one at a time (this one was queued by the sweep before).
    const next = await app.platform.jobs.list({ status: 'queued', type: trashPurgeJobType, limit: 5 });
    expect(next.items).toHaveLength(1);
    const due = new Date(next.items[0]!.runAt).getTime() - clock.now().getTime();
    expect(due).toBeGreaterThan(0);
    expect(due).toBeLessThanOrEqual(60 * 60 * 1000);

    clock.advance(7 * day);
    alice = await signInHeaders(app, { email: 'alice@min.gouv.fr', password, publicUrl });
    await sweep();
    expect(await trash()).toEqual([]);
  });
});
