import type { DocsDocument, DocsDocumentSummary, DocsShare, DocsSpace } from '@bureau/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };

/**
 * The documents API over HTTP, on the real database: spaces, the page tree, moves and copies, the trash,
 * favourites and recent pages, sharing through the permission model, and bad input.
 */
describe('Docs API (/api/docs)', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let alice: Record<string, string>;
  let bruno: Record<string, string>;
  let partner: Record<string, string>;
  let brunoId: string;
  let partnerId: string;
  let groupId: string;

  const call = async <T>(
    headers: Record<string, string>,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await app.http.inject({
      method,
      url,
      headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    return { status: response.statusCode, body: (response.body ? response.json() : undefined) as T };
  };

  const createPage = async (headers: Record<string, string>, spaceId: string, title: string, parentId?: string) => {
    const { status, body } = await call<DocsDocument>(headers, 'POST', '/api/docs', {
      spaceId,
      title,
      ...(parentId ? { parentId } : {}),
    });
    expect(status).toBe(201);
    return body;
  };

  const treeTitles = async (headers: Record<string, string>, spaceId: string, parentId?: string) => {
    const { body } = await call<{ items: DocsDocumentSummary[] }>(
      headers,
      'GET',
      `/api/docs/spaces/${spaceId}/documents${parentId ? `?parentId=${parentId}` : ''}`,
    );
    return body.items.map((item) => item.title);
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
    app = await buildApp(environment.config);
    await app.migrate();
    const directory = app.identity.directory;
    await directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    const aliceRow = await directory.createUser(
      { email: 'alice@min.gouv.fr', password, displayName: 'Alice Martin' },
      system,
    );
    brunoId = (await directory.createUser({ email: 'bruno@min.gouv.fr', password, displayName: 'Bruno Petit' }, system))
      .id;
    partnerId = (
      await directory.createUser(
        { email: 'partenaire@exemple.fr', password, displayName: 'Paul Partenaire', kind: 'external' },
        system,
      )
    ).id;
    groupId = (await directory.createGroup({ name: 'Cellule juridique' }, aliceRow.id, system)).id;
    alice = await signInHeaders(app, { email: 'alice@min.gouv.fr', password, publicUrl });
    bruno = await signInHeaders(app, { email: 'bruno@min.gouv.fr', password, publicUrl });
    partner = await signInHeaders(app, { email: 'partenaire@exemple.fr', password, publicUrl });
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  it('gives each user a personal space at first use, and only theirs', async () => {
    const first = await call<{ items: DocsSpace[] }>(alice, 'GET', '/api/docs/spaces');
    expect(first.status).toBe(200);
    expect(first.body.items.map((space) => [space.name, space.kind, space.role])).toEqual([
      ['Mes documents', 'personal', 'owner'],
    ]);
    const again = await call<{ items: DocsSpace[] }>(alice, 'GET', '/api/docs/spaces');
    expect(again.body.items.map((space) => space.id)).toEqual(first.body.items.map((space) => space.id));
    const ofBruno = await call<{ items: DocsSpace[] }>(bruno, 'GET', '/api/docs/spaces');
    expect(ofBruno.body.items).toHaveLength(1);
    expect(ofBruno.body.items[0]!.id).not.toBe(first.body.items[0]!.id);
    const peek = await call<{ error: { code: string } }>(bruno, 'GET', `/api/docs/spaces/${first.body.items[0]!.id}`);
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe('DOCS_SPACE_NOT_FOUND');
  });

  it('builds a tree of pages, in order, and moves pages within and across parents', async () => {
    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Projet RH' })).body;
    expect(space.kind).toBe('shared');
    expect(space.label).toBe('internal');
    const guide = await createPage(alice, space.id, 'Guide');
    const annexe = await createPage(alice, space.id, 'Annexe');
    const chapitre = await createPage(alice, space.id, 'Chapitre 1', guide.id);
    expect(await treeTitles(alice, space.id)).toEqual(['Guide', 'Annexe']);
    expect(await treeTitles(alice, space.id, guide.id)).toEqual(['Chapitre 1']);

    const top = await call<{ items: DocsDocumentSummary[] }>(alice, 'GET', `/api/docs/spaces/${space.id}/documents`);
    expect(top.body.items.find((item) => item.id === guide.id)?.hasChildren).toBe(true);

    // Before a sibling, then under another page.
    await call(alice, 'POST', `/api/docs/${annexe.id}/move`, { parentId: null, beforeId: guide.id });
    expect(await treeTitles(alice, space.id)).toEqual(['Annexe', 'Guide']);
    const moved = await call<DocsDocument>(alice, 'POST', `/api/docs/${annexe.id}/move`, { parentId: guide.id });
    expect(moved.status).toBe(200);
    expect(moved.body.ancestors.map((ancestor) => ancestor.title)).toEqual(['Guide']);
    expect(await treeTitles(alice, space.id, guide.id)).toEqual(['Chapitre 1', 'Annexe']);

    // Never under itself or below itself.
    const loop = await call<{ error: { code: string } }>(alice, 'POST', `/api/docs/${guide.id}/move`, {
      parentId: chapitre.id,
    });
    expect(loop.status).toBe(400);
    expect(loop.body.error.code).toBe('DOCS_PARENT_INVALID');

    // Many moves before the first sibling exhaust the gaps: siblings are renumbered, the order holds.
    const pages = [];
    for (const title of ['A', 'B', 'C']) pages.push(await createPage(alice, space.id, title, chapitre.id));
    for (let round = 0; round < 12; round++) {
      const [first, , last] = pages;
      await call(alice, 'POST', `/api/docs/${last!.id}/move`, { parentId: chapitre.id, beforeId: first!.id });
      pages.unshift(pages.pop()!);
    }
    expect(await treeTitles(alice, space.id, chapitre.id)).toEqual(pages.map((page) => page.title));
  });

  it('duplicates a page with its sub-pages, and the copy belongs to whoever copied it', async () => {
    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Modèles' })).body;
    const parent = await createPage(alice, space.id, 'Note');
    await createPage(alice, space.id, 'Annexe A', parent.id);
    const copy = await call<DocsDocument>(alice, 'POST', `/api/docs/${parent.id}/duplicate`, { withChildren: true });
    expect(copy.status).toBe(201);
    expect(copy.body.title).toBe('Note (copie)');
    expect(copy.body.role).toBe('owner');
    expect(await treeTitles(alice, space.id)).toEqual(['Note', 'Note (copie)']);
    expect(await treeTitles(alice, space.id, copy.body.id)).toEqual(['Annexe A']);
  });

  it('sends a page and its sub-pages to the trash, restores them, and deletes them for good', async () => {
    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Corbeille' })).body;
    const page = await createPage(alice, space.id, 'Brouillon');
    const child = await createPage(alice, space.id, 'Sous-brouillon', page.id);
    await call(alice, 'PUT', `/api/docs/${page.id}/favourite`);

    expect((await call(alice, 'DELETE', `/api/docs/${page.id}`)).status).toBe(204);
    expect(await treeTitles(alice, space.id)).toEqual([]);
    const trash = await call<{ items: DocsDocumentSummary[] }>(alice, 'GET', '/api/docs/trash');
    expect(trash.body.items.map((item) => item.title)).toContain('Brouillon');
    expect(trash.body.items.map((item) => item.title)).not.toContain('Sous-brouillon');
    const favourites = await call<{ items: DocsDocumentSummary[] }>(alice, 'GET', '/api/docs/favourites');
    expect(favourites.body.items.map((item) => item.id)).not.toContain(page.id);
    const renameTrashed = await call<{ error: { code: string } }>(alice, 'PATCH', `/api/docs/${page.id}`, {
      title: 'x',
    });
    expect(renameTrashed.body.error.code).toBe('DOCS_IN_TRASH');
    const notTrashed = await call<{ error: { code: string } }>(alice, 'POST', `/api/docs/${child.id}/restore`);
    expect(notTrashed.body.error.code).toBe('DOCS_NOT_IN_TRASH');

    const restored = await call<DocsDocument>(alice, 'POST', `/api/docs/${page.id}/restore`);
    expect(restored.status).toBe(200);
    expect(await treeTitles(alice, space.id, page.id)).toEqual(['Sous-brouillon']);

    await call(alice, 'DELETE', `/api/docs/${page.id}`);
    expect((await call(alice, 'DELETE', `/api/docs/${page.id}/permanently`)).status).toBe(204);
    expect((await call(alice, 'GET', `/api/docs/${page.id}`)).status).toBe(404);
    expect((await call(alice, 'GET', `/api/docs/${child.id}`)).status).toBe(404);
  });

  it('deletes an empty shared space with its trash, for its owners only, never a personal one', async () => {
    const personal = (await call<{ items: DocsSpace[] }>(alice, 'GET', '/api/docs/spaces')).body.items.find(
      (space) => space.kind === 'personal',
    )!;
    const kept = await call<{ error: { code: string } }>(alice, 'DELETE', `/api/docs/spaces/${personal.id}`);
    expect({ status: kept.status, code: kept.body.error.code }).toEqual({
      status: 400,
      code: 'DOCS_PERSONAL_SPACE_KEPT',
    });

    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Projet clos' })).body;
    const page = await createPage(alice, space.id, 'Compte rendu');
    const child = await createPage(alice, space.id, 'Annexe', page.id);
    await call(alice, 'POST', `/api/docs/spaces/${space.id}/shares`, {
      principal: { kind: 'all_agents' },
      role: 'editor',
    });
    const notOwner = await call<{ error: { code: string } }>(bruno, 'DELETE', `/api/docs/spaces/${space.id}`);
    expect(notOwner.body.error.code).toBe('DOCS_SPACE_NOT_FOUND');
    const notEmpty = await call<{ error: { code: string; message: string } }>(
      alice,
      'DELETE',
      `/api/docs/spaces/${space.id}`,
    );
    expect({ status: notEmpty.status, code: notEmpty.body.error.code }).toEqual({
      status: 409,
      code: 'DOCS_SPACE_NOT_EMPTY',
    });
    expect(notEmpty.body.error.message).toContain('2');

    expect((await call(alice, 'DELETE', `/api/docs/${page.id}`)).status).toBe(204);
    expect((await call(alice, 'DELETE', `/api/docs/spaces/${space.id}`)).status).toBe(204);
    expect((await call(alice, 'GET', `/api/docs/spaces/${space.id}`)).status).toBe(404);
    expect((await call(bruno, 'GET', `/api/docs/spaces/${space.id}`)).status).toBe(404);
    for (const id of [page.id, child.id]) expect((await call(alice, 'GET', `/api/docs/${id}`)).status).toBe(404);
    const trash = await call<{ items: DocsDocumentSummary[] }>(alice, 'GET', '/api/docs/trash');
    expect(trash.body.items.map((item) => item.id)).not.toContain(page.id);
    const spaces = await call<{ items: DocsSpace[] }>(alice, 'GET', '/api/docs/spaces');
    expect(spaces.body.items.map((item) => item.id)).not.toContain(space.id);
    expect((await call(alice, 'DELETE', `/api/docs/spaces/${space.id}`)).status).toBe(404);
    const malformed = await call<{ error: { code: string } }>(alice, 'DELETE', '/api/docs/spaces/pas-un-espace');
    expect({ status: malformed.status, code: malformed.body.error.code }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });

  it('shares through the permission model: users, groups, links with expiry, inherited grants shown', async () => {
    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Partagé' })).body;
    const page = await createPage(alice, space.id, 'Compte rendu');
    const child = await createPage(alice, space.id, 'Détail', page.id);
    expect((await call(bruno, 'GET', `/api/docs/${page.id}`)).status).toBe(404);

    const shared = await call<DocsShare>(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'user', id: brunoId },
      role: 'reader',
    });
    expect(shared.status).toBe(201);
    expect(shared.body.principal).toEqual({ kind: 'user', id: brunoId, name: 'Bruno Petit' });
    const asReader = await call<DocsDocument>(bruno, 'GET', `/api/docs/${child.id}`);
    expect(asReader.status).toBe(200);
    expect(asReader.body.abilities).toEqual({ read: true, comment: false, edit: false, share: false });
    const renameAsReader = await call<{ error: { code: string } }>(bruno, 'PATCH', `/api/docs/${page.id}`, {
      title: 'Piraté',
    });
    expect(renameAsReader.status).toBe(404);
    expect((await call(bruno, 'GET', `/api/docs/${page.id}/shares`)).status).toBe(404);

    // The child lists the grant as inherited from its parent.
    const childShares = await call<{ items: DocsShare[] }>(alice, 'GET', `/api/docs/${child.id}/shares`);
    const inherited = childShares.body.items.find(
      (share) => share.principal.kind === 'user' && share.principal.id === brunoId,
    );
    expect(inherited?.inheritedFrom).toEqual({ type: 'docs.document', id: page.id, title: 'Compte rendu' });

    // Raising Bruno to editor replaces his grant.
    await call(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'user', id: brunoId },
      role: 'editor',
    });
    expect((await call<DocsDocument>(bruno, 'GET', `/api/docs/${page.id}`)).body.role).toBe('editor');
    expect((await call(bruno, 'PATCH', `/api/docs/${page.id}`, { title: 'Compte rendu v2' })).status).toBe(200);

    // A link for anyone signed in, expiring; a public link is read-only.
    const publicEditor = await call<{ error: { code: string } }>(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'link', scope: 'public' },
      role: 'editor',
    });
    expect(publicEditor.body.error.code).toBe('DOCS_SHARE_PUBLIC_ROLE');
    const pastExpiry = await call<{ error: { code: string } }>(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'link', scope: 'authenticated' },
      role: 'reader',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(pastExpiry.body.error.code).toBe('DOCS_SHARE_EXPIRY_INVALID');
    expect((await call(partner, 'GET', `/api/docs/${page.id}`)).status).toBe(404);
    const link = await call<DocsShare>(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'link', scope: 'authenticated' },
      role: 'reader',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(link.status).toBe(201);
    expect((await call(partner, 'GET', `/api/docs/${page.id}`)).status).toBe(200);
    // A page opened by its link appears in the visitor's recent pages.
    const recent = await call<{ items: DocsDocumentSummary[] }>(partner, 'GET', '/api/docs/recent');
    expect(recent.body.items.map((item) => item.id)).toContain(page.id);
    expect((await call(alice, 'DELETE', `/api/docs/${page.id}/shares/${link.body.id}`)).status).toBe(204);
    expect((await call(partner, 'GET', `/api/docs/${page.id}`)).status).toBe(404);

    // Groups; and the last owner stays.
    const toGroup = await call<DocsShare>(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'group', id: groupId },
      role: 'commenter',
    });
    expect(toGroup.body.principal).toMatchObject({ kind: 'group', name: 'Cellule juridique' });
    // A page's own owner grant may go (the space's owner still owns it); the space's last owner stays.
    const spaceShares = await call<{ items: DocsShare[] }>(alice, 'GET', `/api/docs/spaces/${space.id}/shares`);
    const ownerGrant = spaceShares.body.items.find((share) => share.role === 'owner');
    const lastOwner = await call<{ error: { code: string } }>(
      alice,
      'DELETE',
      `/api/docs/spaces/${space.id}/shares/${ownerGrant!.id}`,
    );
    expect(lastOwner.body.error.code).toBe('DOCS_SHARE_LAST_OWNER');
    const unknownPrincipal = await call<{ error: { code: string } }>(alice, 'POST', `/api/docs/${page.id}/shares`, {
      principal: { kind: 'user', id: '00000000-0000-4000-8000-000000000000' },
      role: 'reader',
    });
    expect(unknownPrincipal.body.error.code).toBe('DOCS_PRINCIPAL_NOT_FOUND');
  });

  it('shares a whole space, never a personal one, and external users see only what is theirs', async () => {
    const personal = (await call<{ items: DocsSpace[] }>(alice, 'GET', '/api/docs/spaces')).body.items[0]!;
    const refused = await call<{ error: { code: string } }>(alice, 'POST', `/api/docs/spaces/${personal.id}/shares`, {
      principal: { kind: 'all_agents' },
      role: 'reader',
    });
    expect(refused.body.error.code).toBe('DOCS_PERSONAL_SPACE');

    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Direction' })).body;
    const page = await createPage(alice, space.id, 'Organigramme');
    await call(alice, 'POST', `/api/docs/spaces/${space.id}/shares`, {
      principal: { kind: 'all_agents' },
      role: 'editor',
    });
    const asAgent = await call<DocsDocument>(bruno, 'GET', `/api/docs/${page.id}`);
    expect(asAgent.body.role).toBe('editor');
    expect(
      (await call<{ items: DocsSpace[] }>(bruno, 'GET', '/api/docs/spaces')).body.items.map((s) => s.name),
    ).toContain('Direction');
    // All-agents grants never reach external users.
    expect((await call(partner, 'GET', `/api/docs/${page.id}`)).status).toBe(404);
    await call(alice, 'POST', `/api/docs/spaces/${space.id}/shares`, {
      principal: { kind: 'user', id: partnerId },
      role: 'reader',
    });
    expect((await call<DocsDocument>(partner, 'GET', `/api/docs/${page.id}`)).body.role).toBe('reader');

    // Only owners change the space's label; pages inherit it.
    const raised = await call<DocsSpace>(alice, 'PATCH', `/api/docs/spaces/${space.id}`, { label: 'sensitive' });
    expect(raised.body.label).toBe('sensitive');
    expect((await call<DocsDocument>(alice, 'GET', `/api/docs/${page.id}`)).body.label).toBe('sensitive');
  });

  it('lists favourites and recent pages the user may still read', async () => {
    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Favoris' })).body;
    const page = await createPage(alice, space.id, 'Procédure');
    expect((await call(alice, 'PUT', `/api/docs/${page.id}/favourite`)).status).toBe(204);
    const favourites = await call<{ items: DocsDocumentSummary[] }>(alice, 'GET', '/api/docs/favourites');
    expect(favourites.body.items[0]).toMatchObject({ id: page.id, isFavourite: true });
    await call(alice, 'GET', `/api/docs/${page.id}`);
    const recent = await call<{ items: DocsDocumentSummary[]; nextCursor: string | null }>(
      alice,
      'GET',
      '/api/docs/recent?limit=1',
    );
    expect(recent.body.items.map((item) => item.id)).toEqual([page.id]);
    expect(recent.body.nextCursor).not.toBeNull();
    const next = await call<{ items: DocsDocumentSummary[] }>(
      alice,
      'GET',
      `/api/docs/recent?limit=1&cursor=${recent.body.nextCursor}`,
    );
    expect(next.body.items.map((item) => item.id)).not.toContain(page.id);
    expect((await call(alice, 'DELETE', `/api/docs/${page.id}/favourite`)).status).toBe(204);
    expect((await call<{ items: DocsDocumentSummary[] }>(alice, 'GET', '/api/docs/favourites')).body.items).toEqual([]);
  });

  it('finds pages by title in the unified search, only for their readers', async () => {
    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Recherche' })).body;
    await createPage(alice, space.id, 'Télétravail des agents');
    const found = await call<{ items: Array<{ type: string; title: string }> }>(
      alice,
      'GET',
      '/api/search?q=teletravail&type=docs.document',
    );
    expect(found.body.items.map((item) => item.title)).toContain('Télétravail des agents');
    const hidden = await call<{ items: unknown[] }>(bruno, 'GET', '/api/search?q=teletravail&type=docs.document');
    expect(hidden.body.items).toEqual([]);
  });

  it('offers pages as templates to a space or to the organisation, and creates pages from them', async () => {
    const space = (await call<DocsSpace>(alice, 'POST', '/api/docs/spaces', { name: 'Secrétariat' })).body;
    const template = await createPage(alice, space.id, 'Note de service');
    const marked = await call<DocsDocument>(alice, 'PUT', `/api/docs/${template.id}/template`, { scope: 'space' });
    expect(marked.body.templateScope).toBe('space');
    const inSpace = await call<{ items: Array<{ id: string; templateScope: string }> }>(
      alice,
      'GET',
      `/api/docs/templates?spaceId=${space.id}`,
    );
    expect(inSpace.body.items.map((item) => item.id)).toEqual([template.id]);
    // Bruno is not a member of the space: the template is not offered to him.
    expect((await call<{ items: unknown[] }>(bruno, 'GET', '/api/docs/templates')).body.items).toEqual([]);

    await call(alice, 'PUT', `/api/docs/${template.id}/template`, { scope: 'organisation' });
    const forBruno = await call<{ items: Array<{ id: string; templateScope: string }> }>(
      bruno,
      'GET',
      '/api/docs/templates',
    );
    expect(forBruno.body.items).toEqual([expect.objectContaining({ id: template.id, templateScope: 'organisation' })]);
    const brunoSpace = (await call<{ items: DocsSpace[] }>(bruno, 'GET', '/api/docs/spaces')).body.items[0]!;
    const fromTemplate = await call<DocsDocument>(bruno, 'POST', '/api/docs', {
      spaceId: brunoSpace.id,
      templateId: template.id,
    });
    expect(fromTemplate.status).toBe(201);
    expect(fromTemplate.body.title).toBe('Note de service');
    expect(fromTemplate.body.role).toBe('owner');
    // External users never get organisation templates; a page that is not a template cannot serve as one.
    expect((await call<{ items: unknown[] }>(partner, 'GET', '/api/docs/templates')).body.items).toEqual([]);
    const notTemplate = await createPage(alice, space.id, 'Simple page');
    const refused = await call<{ error: { code: string } }>(alice, 'POST', '/api/docs', {
      spaceId: space.id,
      templateId: notTemplate.id,
    });
    expect(refused.body.error.code).toBe('DOCS_TEMPLATE_NOT_FOUND');
    await call(alice, 'PUT', `/api/docs/${template.id}/template`, { scope: null });
    expect((await call<{ items: unknown[] }>(bruno, 'GET', '/api/docs/templates')).body.items).toEqual([]);
    expect((await call(bruno, 'GET', `/api/docs/${template.id}`)).status).toBe(404);
  });

  it('lets programs act only within their API key’s scopes', async () => {
    const user = (await app.identity.directory.findUserByEmail('alice@min.gouv.fr'))!;
    const keyWith = async (scopes: Array<'chat' | 'docs:read' | 'docs:write'>) => ({
      authorization: `Bearer ${(await app.identity.auth.createUserApiKey(user, { name: scopes.join('+'), scopes }, system)).secret}`,
    });
    const chatOnly = await keyWith(['chat']);
    const reader = await keyWith(['docs:read']);
    const writer = await keyWith(['docs:write']);
    const refused = await call<{ error: { code: string } }>(chatOnly, 'GET', '/api/docs/spaces');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('IDENTITY_SCOPE_MISSING');
    const spaces = await call<{ items: DocsSpace[] }>(reader, 'GET', '/api/docs/spaces');
    expect(spaces.status).toBe(200);
    const personal = spaces.body.items.find((space) => space.kind === 'personal')!;
    expect((await call(reader, 'POST', '/api/docs', { spaceId: personal.id, title: 'Par programme' })).status).toBe(
      403,
    );
    expect((await call(writer, 'POST', '/api/docs', { spaceId: personal.id, title: 'Par programme' })).status).toBe(
      201,
    );
    expect((await call(writer, 'GET', '/api/docs/recent')).status).toBe(200);
  });

  it('answers bad input with a clear error, never a 500', async () => {
    const personal = (await call<{ items: DocsSpace[] }>(alice, 'GET', '/api/docs/spaces')).body.items[0]!;
    const cases: Array<[string, 'GET' | 'POST' | 'PATCH', string, unknown, number, string]> = [
      ['no space', 'POST', '/api/docs', { title: 'x' }, 400, 'VALIDATION_FAILED'],
      [
        'unknown space',
        'POST',
        '/api/docs',
        { spaceId: '00000000-0000-4000-8000-000000000000' },
        404,
        'DOCS_SPACE_NOT_FOUND',
      ],
      [
        'title too long',
        'POST',
        '/api/docs',
        { spaceId: personal.id, title: 'x'.repeat(201) },
        400,
        'VALIDATION_FAILED',
      ],
      ['not a uuid', 'GET', '/api/docs/pas-un-id', undefined, 400, 'VALIDATION_FAILED'],
      ['empty space name', 'POST', '/api/docs/spaces', { name: '  ' }, 400, 'VALIDATION_FAILED'],
      ['nothing to change', 'PATCH', `/api/docs/spaces/${personal.id}`, {}, 400, 'VALIDATION_FAILED'],
      ['bad cursor', 'GET', '/api/docs/recent?cursor=bm9wZQ', undefined, 400, 'DOCS_CURSOR_INVALID'],
    ];
    for (const [name, method, url, payload, status, code] of cases) {
      const response = await call<{ error: { code: string; message: string } }>(alice, method, url, payload);
      expect({ name, status: response.status, code: response.body.error.code }).toEqual({ name, status, code });
      expect(response.body.error.message.length).toBeGreaterThan(0);
    }
    const anonymous = await call<{ error: { code: string } }>({}, 'GET', '/api/docs/spaces');
    expect(anonymous.status).toBe(401);
    const badJson = await app.http.inject({
      method: 'POST',
      url: '/api/docs',
      headers: { ...alice, 'content-type': 'application/json' },
      payload: '{"spaceId":',
    });
    expect(badJson.statusCode).toBe(400);
  });
});
