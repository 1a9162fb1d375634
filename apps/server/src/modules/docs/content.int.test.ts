import type { DocsDocument, DocsDocumentSummary, DocsSpace } from '@bureau/contracts';
import { strFromU8, unzipSync } from 'fflate';
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { connectCollab, eventually, type CollabClient } from './testing/collab-client.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };
// A 1×1 transparent PNG.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/**
 * A page's content through the API: imports (with their images stored as the page's files), exports of a
 * page and of a sub-tree, files, Markdown appended to a live page, search of the text.
 */
describe('Docs content (import, export, files, append)', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let address: string;
  let alice: Record<string, string>;
  let bruno: Record<string, string>;
  let spaceId: string;
  const clients: CollabClient[] = [];

  const call = async <T>(
    headers: Record<string, string>,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const response = await app.http.inject({
      method,
      url,
      headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    return { status: response.statusCode, body: (response.body ? response.json() : undefined) as T };
  };
  const upload = (url: string, body: Buffer, contentType: string, headers = alice) =>
    app.http.inject({ method: 'POST', url, headers: { ...headers, 'content-type': contentType }, payload: body });
  const exported = (id: string, query: string) =>
    app.http.inject({ method: 'GET', url: `/api/docs/${id}/export?${query}`, headers: alice });

  beforeAll(async () => {
    environment = await createTestEnvironment({
      BUREAU_PUBLIC_URL: publicUrl,
      BUREAU_LOG_LEVEL: 'error',
      BUREAU_HOST: '127.0.0.1',
    });
    app = await buildApp(environment.config);
    address = await app.listen();
    await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    await app.identity.directory.createUser({ email: 'alice@min.gouv.fr', password, displayName: 'Alice' }, system);
    await app.identity.directory.createUser({ email: 'bruno@min.gouv.fr', password, displayName: 'Bruno' }, system);
    alice = await signInHeaders(app, { email: 'alice@min.gouv.fr', password, publicUrl });
    bruno = await signInHeaders(app, { email: 'bruno@min.gouv.fr', password, publicUrl });
    spaceId = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Contenus' })).body.id;
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  it('imports Markdown into a new page whose text is searchable, and exports it in every format', async () => {
    const markdown = [
      '# Règlement intérieur',
      '',
      'Les **horaires** sont fixés par la direction.',
      '',
      '## Congés',
      '',
      '- Demande écrite',
      '- Validation du chef de service',
      '',
      '| Type | Délai |',
      '| --- | --- |',
      '| Annuel | 15 jours |',
    ].join('\n');
    const response = await upload(
      `/api/docs/import?spaceId=${spaceId}&name=reglement.md`,
      Buffer.from(markdown),
      'text/markdown',
    );
    expect(response.statusCode).toBe(201);
    const page = response.json<DocsDocument>();
    expect(page.title).toBe('Règlement intérieur');

    const found = await call<{ items: Array<{ id: string }> }>(
      alice,
      'GET',
      '/api/search?q=validation%20chef&type=docs.document',
    );
    expect(found.body.items.map((item) => item.id)).toContain(page.id);

    const md = await exported(page.id, 'format=md');
    expect(md.statusCode).toBe(200);
    expect(md.body).toContain('## Congés');
    expect(md.headers['content-disposition']).toContain('.md');
    const html = await exported(page.id, 'format=html');
    expect(html.body).toMatch(/<!doctype html>/i);
    expect(html.body).toContain('Validation du chef de service');
    for (const [format, magic] of [
      ['docx', 'PK'],
      ['odt', 'PK'],
      ['pdf', '%PDF-'],
    ] as const) {
      const file = await exported(page.id, `format=${format}`);
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.subarray(0, magic.length).toString('latin1')).toBe(magic);
    }
    const odt = unzipSync(new Uint8Array((await exported(page.id, 'format=odt')).rawPayload));
    expect(strFromU8(odt['content.xml']!)).toContain('Annuel');
  });

  it('imports a Word document, and exports a page with its sub-pages as a zip', async () => {
    const docx = await Packer.toBuffer(
      new Document({
        sections: [
          {
            children: [
              new Paragraph({ text: 'Note de cadrage', heading: HeadingLevel.HEADING_1 }),
              new Paragraph({ children: [new TextRun({ text: 'Objectifs du projet', bold: true })] }),
            ],
          },
        ],
      }),
    );
    const response = await upload(
      `/api/docs/import?spaceId=${spaceId}&name=cadrage.docx`,
      docx,
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(response.statusCode).toBe(201);
    const parent = response.json<DocsDocument>();
    expect(parent.title).toBe('Note de cadrage');
    await call(alice, 'POST', '/api/docs', { spaceId, parentId: parent.id, title: 'Annexe budgétaire' });
    const zip = await exported(parent.id, 'format=md&withChildren=true');
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const entries = Object.keys(unzipSync(new Uint8Array(zip.rawPayload)));
    expect(entries).toHaveLength(2);
    expect(entries.some((path) => path.includes('/') && path.includes('Annexe'))).toBe(true);
  });

  it('refuses bad files with clear errors, and creates nothing', async () => {
    const before = (await call<{ items: DocsDocumentSummary[] }>(alice, 'GET', `/api/docs/spaces/${spaceId}/documents`))
      .body.items.length;
    const cases: Array<[string, Buffer, string, string]> = [
      ['faux.docx', Buffer.from('pas un fichier word'), 'application/octet-stream', 'DOCS_IMPORT_CORRUPT'],
      ['image.png', png, 'image/png', 'DOCS_IMPORT_UNSUPPORTED'],
      ['vide.md', Buffer.from('   '), 'text/markdown', 'DOCS_IMPORT_EMPTY'],
    ];
    for (const [name, body, type, code] of cases) {
      const response = await upload(`/api/docs/import?spaceId=${spaceId}&name=${name}`, body, type);
      expect({
        name,
        status: response.statusCode,
        code: response.json<{ error: { code: string } }>().error.code,
      }).toEqual({
        name,
        status: 400,
        code,
      });
    }
    const noName = await upload(`/api/docs/import?spaceId=${spaceId}`, Buffer.from('# x'), 'text/markdown');
    expect(noName.statusCode).toBe(400);
    const after = (await call<{ items: DocsDocumentSummary[] }>(alice, 'GET', `/api/docs/spaces/${spaceId}/documents`))
      .body.items.length;
    expect(after).toBe(before);
  });

  it('stores files of a page for its readers only, served safely', async () => {
    const page = (await call<DocsDocument>(alice, 'POST', '/api/docs', { spaceId, title: 'Avec image' })).body;
    const stored = await upload(`/api/docs/${page.id}/files?name=schema.png`, png, 'image/png');
    expect(stored.statusCode).toBe(201);
    const { url } = stored.json<{ url: string }>();
    const image = await app.http.inject({ method: 'GET', url, headers: alice });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['content-disposition']).toMatch(/^inline/);
    expect(image.headers['x-content-type-options']).toBe('nosniff');
    const html = await upload(
      `/api/docs/${page.id}/files?name=page.html`,
      Buffer.from('<script>alert(1)</script>'),
      'text/html',
    );
    const served = await app.http.inject({ method: 'GET', url: html.json<{ url: string }>().url, headers: alice });
    expect(served.headers['content-disposition']).toMatch(/^attachment/);
    expect((await app.http.inject({ method: 'GET', url, headers: bruno })).statusCode).toBe(404);
  });

  it('appends an answer of Albert to a live page, seen at once by its editors', async () => {
    const page = (await call<DocsDocument>(alice, 'POST', '/api/docs', { spaceId, title: 'Synthèse' })).body;
    const client = connectCollab({ address, documentId: page.id, headers: alice });
    clients.push(client);
    await client.authentication;
    client.type('Introduction');
    await client.acknowledged();
    const appended = await call(alice, 'POST', `/api/docs/${page.id}/append`, {
      markdown: '## Réponse d’Albert\n\nLe délai est de **deux mois** [1].',
    });
    expect(appended.status).toBe(204);
    await eventually(() => client.text().includes('deux mois'), 'the editor sees the appended answer');
    expect(client.text().indexOf('Introduction')).toBeLessThan(client.text().indexOf('Réponse d’Albert'));
    const readerOnly = await call<{ error: { code: string } }>(bruno, 'POST', `/api/docs/${page.id}/append`, {
      markdown: 'x',
    });
    expect(readerOnly.status).toBe(404);
  });
});
