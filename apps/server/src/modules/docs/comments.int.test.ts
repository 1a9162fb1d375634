import { docsFragmentName, type DocsDocument, type DocsSpace } from '@bureau/contracts';
import * as Y from 'yjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { discussionsDocumentName } from './collab/collab-store.ts';
import { threadsMapName } from './comments.service.ts';
import { connectCollab, eventually, type CollabClient } from './testing/collab-client.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };

const paragraph = (text: string, extra: unknown[] = []) => [
  { type: 'paragraph', content: [{ type: 'text', text, styles: {} }, ...extra] },
];

/**
 * Comments anchored to text (BlockNote's REST thread store): written through the API with the permission
 * model's checks, seen live by every editor through the page's Yjs map, anchored by a mark the server
 * puts on the selected text; mentions and replies notify.
 */
describe('Docs comments (/api/docs/:id/threads)', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let address: string;
  let alice: Record<string, string>;
  let bruno: Record<string, string>;
  let carla: Record<string, string>;
  let aliceId: string;
  let brunoId: string;
  let carlaId: string;
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
      // As BlockNote's thread store does: JSON declared even when there is no body.
      headers: { ...headers, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    return { status: response.statusCode, body: (response.body ? response.json() : undefined) as T };
  };
  const notificationsOf = async (headers: Record<string, string>) =>
    (await call<{ items: Array<{ type: string; title: string; url: string }> }>(headers, 'GET', '/api/notifications'))
      .body.items;

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
    aliceId = (
      await directory.createUser({ email: 'alice@min.gouv.fr', password, displayName: 'Alice Martin' }, system)
    ).id;
    brunoId = (await directory.createUser({ email: 'bruno@min.gouv.fr', password, displayName: 'Bruno Petit' }, system))
      .id;
    carlaId = (await directory.createUser({ email: 'carla@min.gouv.fr', password, displayName: 'Carla Roux' }, system))
      .id;
    alice = await signInHeaders(app, { email: 'alice@min.gouv.fr', password, publicUrl });
    bruno = await signInHeaders(app, { email: 'bruno@min.gouv.fr', password, publicUrl });
    carla = await signInHeaders(app, { email: 'carla@min.gouv.fr', password, publicUrl });
    spaceId = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Relecture' })).body.id;
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  it('lets a commenter comment on selected text, seen live by the editor, and notifies the page’s author', async () => {
    const page = (await call<DocsDocument>(alice, 'POST', '/api/docs', { spaceId, title: 'Circulaire' })).body;
    await call(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'user', id: brunoId },
      role: 'commenter',
    });
    const editor = connectCollab({ address, documentId: page.id, headers: alice });
    clients.push(editor);
    await editor.authentication;
    editor.type('Les congés sont posés avant le 31 mars.');
    await editor.acknowledged();

    // Bruno's own connection is read-only: his comment goes through the API.
    const reader = connectCollab({ address, documentId: page.id, headers: bruno });
    clients.push(reader);
    expect(await reader.authentication).toEqual({ scope: 'readonly' });
    await eventually(() => reader.text().includes('31 mars'), 'Bruno sees the page');
    const created = await call<{ id: string; comments: Array<{ userId: string }> }>(
      bruno,
      'POST',
      `/api/docs/${page.id}/threads`,
      {
        initialComment: { body: paragraph('Pourquoi le 31 mars ?') },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.comments[0]!.userId).toBe(brunoId);

    // The selection « 31 mars », as BlockNote sends it: relative Yjs positions in the text.
    const group = reader.document.getXmlFragment(docsFragmentName).get(0) as Y.XmlElement;
    const paragraphNode = (group.get(0) as Y.XmlElement).get(0) as Y.XmlElement;
    const content = paragraphNode.get(0) as Y.XmlText;
    const start: number = String(content.toString()).indexOf('31 mars');
    const anchor: unknown = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(content, start));
    const head: unknown = Y.relativePositionToJSON(
      Y.createRelativePositionFromTypeIndex(content, start + '31 mars'.length),
    );
    const selection = { prosemirror: { anchor: 0, head: 0 }, yjs: { anchor, head } };
    const anchored = await call(bruno, 'POST', `/api/docs/${page.id}/threads/${created.body.id}/addToDocument`, {
      selection,
    });
    expect(anchored.status).toBe(200);

    // The threads live in the page's discussions document, which the editor follows live; the page holds none.
    const discussions = connectCollab({ address, documentId: discussionsDocumentName(page.id), headers: alice });
    clients.push(discussions);
    expect(await discussions.authentication).toEqual({ scope: 'readonly' });
    await eventually(
      () => discussions.document.getMap(threadsMapName).has(created.body.id),
      'the editor sees the thread',
    );
    expect(editor.document.getMap(threadsMapName).size).toBe(0);
    const editorText = (
      (editor.document.getXmlFragment(docsFragmentName).get(0) as Y.XmlElement).get(0) as Y.XmlElement
    ).get(0) as Y.XmlElement;
    await eventually(
      () =>
        (
          (editorText.get(0) as Y.XmlText).toDelta() as Array<{
            insert: string;
            attributes?: Record<string, { threadId?: string }>;
          }>
        ).some(
          (part) =>
            part.insert === '31 mars' &&
            Object.entries(part.attributes ?? {}).some(
              ([key, value]) => key.startsWith('comment--') && value.threadId === created.body.id,
            ),
        ),
      'the commented text carries the thread’s mark',
    );

    // The commented text stays in exports; a copy of the page takes its text, not its discussions.
    const markdown = await app.http.inject({
      method: 'GET',
      url: `/api/docs/${page.id}/export?format=md`,
      headers: alice,
    });
    expect(markdown.body).toContain('31 mars');
    const copy = await call<DocsDocument>(alice, 'POST', `/api/docs/${page.id}/duplicate`, {});
    const copied = new Y.Doc();
    Y.applyUpdate(copied, await app.docs.store.stateOf(copy.body.id));
    expect(copied.getMap(threadsMapName).size).toBe(0);
    const copiedText = (
      ((copied.getXmlFragment(docsFragmentName).get(0) as Y.XmlElement).get(0) as Y.XmlElement).get(0) as Y.XmlElement
    ).get(0) as Y.XmlText;
    expect(copiedText.toDelta()).toEqual([{ insert: 'Les congés sont posés avant le 31 mars.' }]);

    const notified = await notificationsOf(alice);
    expect(notified[0]).toMatchObject({ type: 'docs.comment.added', title: 'Bruno Petit a commenté « Circulaire »' });
    expect(notified[0]!.url).toBe(`/documents/${page.id}?discussion=${created.body.id}`);
  });

  it('notifies people mentioned, and the thread’s participants when someone replies', async () => {
    const page = (await call<DocsDocument>(alice, 'POST', '/api/docs', { spaceId, title: 'Budget 2027' })).body;
    await call(alice, 'POST', `/api/docs/spaces/${spaceId}/shares`, {
      principal: { kind: 'user', id: carlaId },
      role: 'commenter',
    });
    const thread = await call<{ id: string }>(alice, 'POST', `/api/docs/${page.id}/threads`, {
      initialComment: {
        body: paragraph('Peux-tu relire ', [
          {
            type: 'link',
            href: `/annuaire/personnes/${carlaId}`,
            content: [{ type: 'text', text: '@Carla Roux', styles: {} }],
          },
        ]),
      },
    });
    expect(thread.status).toBe(201);
    expect((await notificationsOf(carla))[0]).toMatchObject({
      type: 'docs.comment.mentioned',
      title: 'Alice Martin vous a mentionné dans « Budget 2027 »',
    });
    // Bruno, who cannot read the page, is never told about it even when mentioned.
    await call(alice, 'POST', `/api/docs/${page.id}/threads/${thread.body.id}/comments`, {
      comment: {
        body: paragraph('Et toi ', [
          {
            type: 'link',
            href: `/annuaire/personnes/${brunoId}`,
            content: [{ type: 'text', text: '@Bruno', styles: {} }],
          },
        ]),
      },
    });
    expect((await notificationsOf(bruno)).filter((item) => item.url.includes(page.id))).toEqual([]);

    const reply = await call(carla, 'POST', `/api/docs/${page.id}/threads/${thread.body.id}/comments`, {
      comment: { body: paragraph('Relu, deux remarques.') },
    });
    expect(reply.status).toBe(201);
    expect((await notificationsOf(alice)).find((item) => item.url.includes(thread.body.id))).toMatchObject({
      type: 'docs.comment.added',
      title: 'Carla Roux a commenté « Budget 2027 »',
    });
  });

  it('resolves and reopens threads; only authors edit their comments; readers cannot comment', async () => {
    const page = (await call<DocsDocument>(alice, 'POST', '/api/docs', { spaceId, title: 'Procédure' })).body;
    await call(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'user', id: brunoId },
      role: 'reader',
    });
    const thread = await call<{ id: string; comments: Array<{ id: string }> }>(
      carla,
      'POST',
      `/api/docs/${page.id}/threads`,
      {
        initialComment: { body: paragraph('Remarque de Carla') },
      },
    );
    const commentId = thread.body.comments[0]!.id;
    const byAlice = await call<{ error: { code: string } }>(
      alice,
      'PUT',
      `/api/docs/${page.id}/threads/${thread.body.id}/comments/${commentId}`,
      { comment: { body: paragraph('Réécrit par Alice') } },
    );
    expect(byAlice.status).toBe(403);
    expect(byAlice.body.error.code).toBe('DOCS_COMMENT_FORBIDDEN');
    expect(
      (
        await call(carla, 'PUT', `/api/docs/${page.id}/threads/${thread.body.id}/comments/${commentId}`, {
          comment: { body: paragraph('Remarque corrigée') },
        })
      ).status,
    ).toBe(200);
    expect((await call(alice, 'POST', `/api/docs/${page.id}/threads/${thread.body.id}/resolve`)).status).toBe(200);
    const live = new Y.Doc();
    Y.applyUpdate(live, await app.docs.store.stateOf(discussionsDocumentName(page.id)));
    expect((live.getMap(threadsMapName).get(thread.body.id) as Y.Map<unknown>).get('resolved')).toBe(true);
    expect((await call(alice, 'POST', `/api/docs/${page.id}/threads/${thread.body.id}/unresolve`)).status).toBe(200);

    const asReader = await call<{ error: { code: string } }>(bruno, 'POST', `/api/docs/${page.id}/threads`, {
      initialComment: { body: paragraph('Je ne devrais pas pouvoir') },
    });
    expect(asReader.status).toBe(403);
    expect(asReader.body.error.code).toBe('DOCS_COMMENT_FORBIDDEN');
    const unknownThread = await call<{ error: { code: string } }>(
      alice,
      'POST',
      `/api/docs/${page.id}/threads/inconnu/resolve`,
    );
    expect(unknownThread.body.error.code).toBe('DOCS_THREAD_NOT_FOUND');
    const badBody = await call(alice, 'POST', `/api/docs/${page.id}/threads`, {
      initialComment: { body: 'pas des blocs' },
    });
    expect(badBody.status).toBe(400);
    const users = await call<{ items: Array<{ id: string; username: string }> }>(
      alice,
      'GET',
      `/api/docs/users?ids=${carlaId},${aliceId}`,
    );
    expect(users.body.items.map((user) => user.username).sort()).toEqual(['Alice Martin', 'Carla Roux']);
  });
});
