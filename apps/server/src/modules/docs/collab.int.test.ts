import { docsFragmentName, type DocsDocument, type DocsSpace } from '@bureau/contracts';
import { sql } from 'kysely';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { discussionsDocumentName } from './collab/collab-store.ts';
import { fragmentText } from './collab/fragment-text.ts';
import { connectCollab, eventually, type CollabClient } from './testing/collab-client.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };

/**
 * Real-time editing on `/collab` with real Hocuspocus providers: convergence, permissions checked at
 * connection and on every change, tokens, storage on the server, versions restored into live pages.
 */
describe('Docs real-time editing (/collab)', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let address: string;
  let alice: Record<string, string>;
  let bruno: Record<string, string>;
  let carla: Record<string, string>;
  let brunoId: string;
  let carlaId: string;
  let spaceId: string;
  const clients: CollabClient[] = [];

  const call = async <T>(
    headers: Record<string, string>,
    method: 'GET' | 'POST' | 'DELETE',
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
  const connect = (options: { documentId: string; headers?: Record<string, string>; token?: string }) => {
    const client = connectCollab({ address, ...options });
    clients.push(client);
    return client;
  };
  const newPage = async (title: string) =>
    (await call<DocsDocument>(alice, 'POST', '/api/docs', { spaceId, title })).body;
  const share = (documentId: string, userId: string, role: string) =>
    call<{ id: string }>(alice, 'POST', `/api/docs/${documentId}/shares`, {
      principal: { kind: 'user', id: userId },
      role,
    });
  const storedText = async (documentId: string) => {
    const document = new Y.Doc();
    Y.applyUpdate(document, await app.docs.store.stateOf(documentId));
    return fragmentText(document.getXmlFragment(docsFragmentName));
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({
      BUREAU_PUBLIC_URL: publicUrl,
      BUREAU_LOG_LEVEL: 'error',
      BUREAU_HOST: '127.0.0.1',
    });
    app = await buildApp(environment.config);
    address = await app.listen();
    const directory = app.identity.directory;
    await directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    await directory.createUser({ email: 'alice@min.gouv.fr', password, displayName: 'Alice' }, system);
    brunoId = (await directory.createUser({ email: 'bruno@min.gouv.fr', password, displayName: 'Bruno' }, system)).id;
    carlaId = (await directory.createUser({ email: 'carla@min.gouv.fr', password, displayName: 'Carla' }, system)).id;
    await directory.createUser({ email: 'dora@min.gouv.fr', password, displayName: 'Dora' }, system);
    alice = await signInHeaders(app, { email: 'alice@min.gouv.fr', password, publicUrl });
    bruno = await signInHeaders(app, { email: 'bruno@min.gouv.fr', password, publicUrl });
    carla = await signInHeaders(app, { email: 'carla@min.gouv.fr', password, publicUrl });
    spaceId = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Équipe' })).body.id;
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  it('makes two editors converge, and stores every acknowledged change on the server', async () => {
    const page = await newPage('Compte rendu');
    await share(page.id, brunoId, 'editor');
    const first = connect({ documentId: page.id, headers: alice });
    const second = connect({ documentId: page.id, headers: bruno });
    expect(await first.authentication).toEqual({ scope: 'read-write' });
    expect(await second.authentication).toEqual({ scope: 'read-write' });
    for (let index = 0; index < 20; index++) {
      first.type(`Alice ${index}`);
      second.type(`Bruno ${index}`);
    }
    await Promise.all([first.acknowledged(), second.acknowledged()]);
    await eventually(() => first.text() === second.text() && first.text().split('\n').length === 40, 'convergence');
    // Acknowledged means stored: the database alone has every line.
    const stored = await storedText(page.id);
    expect(stored.split('\n').sort()).toEqual(first.text().split('\n').sort());
    // When the last editor leaves, the page is compacted: one state, no update rows left, nothing lost.
    const expected = first.text();
    first.destroy();
    second.destroy();
    const updateRows = async () =>
      (
        await sql<{ count: number }>`select count(*) as count from docs_updates where document_id = ${page.id}`.execute(
          app.platform.database.executor,
        )
      ).rows[0]!.count;
    await eventually(() => app.docs.collab().connectionCount() === 0, 'the editors left');
    await eventually(() => app.docs.collab().hocuspocus.getDocumentsCount() === 0, 'the page is unloaded');
    expect(Number(await updateRows())).toBe(0);
    expect((await storedText(page.id)).split('\n').sort()).toEqual(expected.split('\n').sort());
  });

  it('merges without loss the changes made during a network cut', async () => {
    const page = await newPage('Hors ligne');
    await share(page.id, brunoId, 'editor');
    const online = connect({ documentId: page.id, headers: alice });
    const travelling = connect({ documentId: page.id, headers: bruno });
    await Promise.all([online.authentication, travelling.authentication]);
    online.type('Avant la coupure');
    await online.acknowledged();
    await eventually(() => travelling.text().includes('Avant la coupure'), 'Bruno is in sync');
    // Bruno's network goes down: both keep writing.
    travelling.provider.configuration.websocketProvider.disconnect();
    travelling.type('Écrit dans le train');
    online.type('Écrit au bureau');
    await online.acknowledged();
    expect(travelling.text()).not.toContain('Écrit au bureau');
    // Back online: the provider reconnects, and both sides get what they missed.
    await travelling.provider.configuration.websocketProvider.connect();
    await eventually(
      () => online.text().includes('Écrit dans le train') && travelling.text().includes('Écrit au bureau'),
      'both converge after the reconnection',
    );
    await travelling.acknowledged();
    expect(online.text()).toBe(travelling.text());
    expect((await storedText(page.id)).split('\n').sort()).toEqual(online.text().split('\n').sort());
  });

  it('refuses a reader’s changes on the server, even from a hand-made client', async () => {
    const page = await newPage('Note');
    await share(page.id, carlaId, 'reader');
    const editor = connect({ documentId: page.id, headers: alice });
    await editor.authentication;
    editor.type('Texte de l’auteur');
    await editor.acknowledged();
    const reader = connect({ documentId: page.id, headers: carla });
    expect(await reader.authentication).toEqual({ scope: 'readonly' });
    await eventually(() => reader.text() === 'Texte de l’auteur', 'the reader sees the page');
    // The provider sends the change anyway (nothing stops a hand-made client): the server applies nothing.
    reader.type('Modification interdite');
    // And a hand-made client with the reader's cookie sends a well-formed update of its own.
    const forged = new Y.Doc();
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(reader.document));
    forged.getXmlFragment(docsFragmentName).insert(0, [new Y.XmlText('Injection')]);
    const update = Y.encodeStateAsUpdate(forged, Y.encodeStateVector(reader.document));
    const message = (type: number, write: (encoder: encoding.Encoder) => void) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, page.id);
      encoding.writeVarUint(encoder, type);
      write(encoder);
      return Buffer.from(encoding.toUint8Array(encoder));
    };
    const raw = new WebSocket(`${address.replace(/^http/, 'ws')}/collab`, { headers: carla });
    await new Promise((resolve) => raw.on('open', resolve));
    raw.send(message(2, (encoder) => (encoding.writeVarUint(encoder, 0), encoding.writeVarString(encoder, 'session'))));
    await new Promise((resolve) => setTimeout(resolve, 200));
    raw.send(
      message(0, (encoder) => (encoding.writeVarUint(encoder, 2), encoding.writeVarUint8Array(encoder, update))),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    raw.close();
    expect(editor.text()).toBe('Texte de l’auteur');
    expect(await storedText(page.id)).toBe('Texte de l’auteur');
  });

  it('does not let a user without access connect, nor a cross-site page with the cookie', async () => {
    const page = await newPage('Confidentiel');
    const dora = await signInHeaders(app, { email: 'dora@min.gouv.fr', password, publicUrl });
    const outsider = connect({ documentId: page.id, headers: dora });
    expect('failed' in (await outsider.authentication)).toBe(true);
    expect(outsider.text()).toBe('');
    const anonymous = connect({ documentId: page.id });
    expect('failed' in (await anonymous.authentication)).toBe(true);

    const crossSite = new WebSocket(`${address.replace(/^http/, 'ws')}/collab`, {
      headers: { cookie: alice.cookie!, origin: 'https://evil.example' },
    });
    const status = await new Promise<number>((resolve) => {
      crossSite.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      crossSite.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
  });

  it('lets anyone with a public link read the page live, never write, nor see its discussions and editors', async () => {
    const page = await newPage('Avis au public');
    const editor = connect({ documentId: page.id, headers: alice });
    await editor.authentication;
    editor.type('Fermeture exceptionnelle le 2 janvier.');
    await editor.acknowledged();
    editor.provider.setAwarenessField('user', { name: 'Alice' });
    const thread = await call<{ id: string }>(alice, 'POST', `/api/docs/${page.id}/threads`, {
      initialComment: { body: [{ type: 'paragraph', content: [{ type: 'text', text: 'Note interne', styles: {} }] }] },
    });
    expect(thread.status).toBe(201);
    const before = connect({ documentId: page.id });
    expect('failed' in (await before.authentication)).toBe(true);
    expect((await call(alice, 'GET', `/api/docs/${page.id}`)).status).toBe(200);
    await call(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'link', scope: 'public' },
      role: 'reader',
    });
    const anonymousPage = await call<DocsDocument>({}, 'GET', `/api/docs/${page.id}`);
    expect(anonymousPage.status).toBe(200);
    expect(anonymousPage.body.abilities).toEqual({ read: true, comment: false, edit: false, share: false });
    const visitor = connect({ documentId: page.id });
    expect(await visitor.authentication).toEqual({ scope: 'readonly' });
    await eventually(() => visitor.text() === 'Fermeture exceptionnelle le 2 janvier.', 'the visitor reads the page');
    expect(anonymousPage.body.createdBy).toBeNull();
    // Nor its history: what was removed before the page was published, and who wrote each version.
    const version = await call<{ id: string }>(alice, 'POST', `/api/docs/${page.id}/versions`, { name: 'Brouillon' });
    expect(version.status).toBe(201);
    for (const url of [`/api/docs/${page.id}/versions`, `/api/docs/${page.id}/versions/${version.body.id}`]) {
      const history = await call<{ error: { code: string } }>({}, 'GET', url);
      expect({ url, status: history.status, code: history.body.error.code }).toEqual({
        url,
        status: 401,
        code: 'DOCS_VERSIONS_SIGN_IN_REQUIRED',
      });
    }
    visitor.type('Tag');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await storedText(page.id)).toBe('Fermeture exceptionnelle le 2 janvier.');

    // The discussions are a document of their own, for signed-in readers: nothing of them reaches a visitor.
    expect(Buffer.from(Y.encodeStateAsUpdate(visitor.document)).includes('Note interne')).toBe(false);
    const visitorDiscussions = connect({ documentId: discussionsDocumentName(page.id) });
    expect('failed' in (await visitorDiscussions.authentication)).toBe(true);
    const discussions = connect({ documentId: discussionsDocumentName(page.id), headers: alice });
    // Read-only even for the page's editor: only the server writes them, after the permission model.
    expect(await discussions.authentication).toEqual({ scope: 'readonly' });
    await eventually(() => discussions.document.getMap('threads').has(thread.body.id), 'the editor reads the thread');

    // Editors see the visitor (« Visiteur »); the visitor gets no awareness, so no editor's name.
    visitor.provider.setAwarenessField('user', { name: 'Visiteur' });
    const names = (client: CollabClient) =>
      [...client.provider.awareness!.getStates().values()].map((state) => (state['user'] as { name?: string })?.name);
    await eventually(() => names(editor).includes('Visiteur'), 'the editor sees the visitor');
    editor.provider.setAwarenessField('user', { name: 'Alice (modifié)' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(names(visitor)).toEqual(['Visiteur']);

    // Removing the link cuts the visitor off at once, although a read-only connection sends nothing.
    const shares = await call<{ items: Array<{ id: string; principal: { kind: string } }> }>(
      alice,
      'GET',
      `/api/docs/${page.id}/shares`,
    );
    const link = shares.body.items.find((share) => share.principal.kind === 'link')!;
    const connections = app.docs.collab().connectionCount();
    await call(alice, 'DELETE', `/api/docs/${page.id}/shares/${link.id}`);
    await eventually(() => app.docs.collab().connectionCount() === connections - 1, 'the visitor is disconnected');
  });

  it('accepts a short-lived collaboration token for this page only', async () => {
    const page = await newPage('Par jeton');
    const other = await newPage('Autre page');
    const token = await call<{ token: string; url: string; fragment: string }>(
      alice,
      'POST',
      `/api/docs/${page.id}/collab-token`,
    );
    expect(token.status).toBe(200);
    expect(token.body.fragment).toBe('document-store');
    const client = connect({ documentId: page.id, token: token.body.token });
    expect(await client.authentication).toEqual({ scope: 'read-write' });
    client.type('Écrit par un programme');
    await client.acknowledged();
    expect(await storedText(page.id)).toBe('Écrit par un programme');
    const elsewhere = connect({ documentId: other.id, token: token.body.token });
    expect('failed' in (await elsewhere.authentication)).toBe(true);
    const forged = connect({ documentId: page.id, token: 'bdt_forged' });
    expect('failed' in (await forged.authentication)).toBe(true);
  });

  it('stops accepting changes once the editor’s right is revoked during the session', async () => {
    const page = await newPage('Révocation');
    const grant = await share(page.id, brunoId, 'editor');
    const client = connect({ documentId: page.id, headers: bruno });
    await client.authentication;
    client.type('Avant');
    await client.acknowledged();
    await call(alice, 'DELETE', `/api/docs/${page.id}/shares/${grant.body.id}`);
    await share(page.id, brunoId, 'reader');
    // The revocation reaches the open connection at once (it becomes read-only).
    client.type('Après');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await storedText(page.id)).toBe('Avant');
  });

  it('disconnects editors of a page sent to the trash', async () => {
    const page = await newPage('À jeter');
    const client = connect({ documentId: page.id, headers: alice });
    await client.authentication;
    client.type('Bientôt à la corbeille');
    await client.acknowledged();
    expect((await call(alice, 'DELETE', `/api/docs/${page.id}`)).status).toBe(204);
    await eventually(() => app.docs.collab().connectionCount() === 0, 'the page’s connections closed');
  });

  it('restores a version into the live page, keeping the content before as a version', async () => {
    const page = await newPage('Versions');
    const client = connect({ documentId: page.id, headers: alice });
    await client.authentication;
    client.type('Première rédaction');
    await client.acknowledged();
    const named = await call<{ id: string; kind: string }>(alice, 'POST', `/api/docs/${page.id}/versions`, {
      name: 'Relue par la cheffe',
    });
    expect(named.status).toBe(201);
    client.type('Ajout malheureux');
    await client.acknowledged();
    const restored = await call<{ kind: string }>(
      alice,
      'POST',
      `/api/docs/${page.id}/versions/${named.body.id}/restore`,
    );
    expect(restored.status).toBe(200);
    expect(restored.body.kind).toBe('before-restore');
    await eventually(() => client.text() === 'Première rédaction', 'the editor sees the restored version');
    expect(await storedText(page.id)).toBe('Première rédaction');
    const versions = await call<{ items: Array<{ kind: string; name: string | null }> }>(
      alice,
      'GET',
      `/api/docs/${page.id}/versions`,
    );
    expect(versions.body.items.map((version) => version.kind)).toEqual(
      expect.arrayContaining(['before-restore', 'named']),
    );
  });

  it('closes the connection of a client sending a malformed update, and stores nothing of it', async () => {
    const page = await newPage('Robustesse');
    const client = connect({ documentId: page.id, headers: alice });
    await client.authentication;
    client.type('Contenu sain');
    await client.acknowledged();
    const before = await storedText(page.id);
    // A Hocuspocus sync "update" message carrying garbage instead of a Yjs update.
    const encoder = [page.id.length, ...Buffer.from(page.id), 0, 2, 4, 0xff, 0xff, 0xff, 0xff];
    const raw = new WebSocket(`${address.replace(/^http/, 'ws')}/collab`, { headers: alice });
    await new Promise((resolve) => raw.on('open', resolve));
    const authMessage = [page.id.length, ...Buffer.from(page.id), 2, 0, 7, ...Buffer.from('session')];
    raw.send(Buffer.from(authMessage));
    await new Promise((resolve) => setTimeout(resolve, 200));
    raw.send(Buffer.from(encoder));
    await new Promise((resolve) => setTimeout(resolve, 300));
    raw.close();
    expect(await storedText(page.id)).toBe(before);
  });
});
