import { recentItemsSchema, searchResultSchema } from '@bureau/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { createManualClock } from '../clock.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };

describe('GET /api/search', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let cookie: string;

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_RATE_LIMIT: '100000' });
    app = await buildApp(environment.config, { clock: createManualClock('2026-12-01T08:00:00.000Z') });
    await app.migrate();
    const { authz, search, newId } = app.platform;
    // The documents module defines `docs.space`, `docs.document` and the search type `docs.document`;
    // spaces are made searchable here too, to test several types.
    search.defineType({ type: 'docs.space', resourceType: 'docs.space' });

    const organisation = await app.identity.directory.createOrganisation(
      { name: 'Ministère des Tests', domains: ['tests.gouv.fr'] },
      system,
    );
    const user = await app.identity.directory.createUser(
      { email: 'agent@tests.gouv.fr', password, displayName: 'Agnès Agent', organisationId: organisation.id },
      system,
    );

    const space = { type: 'docs.space', id: newId() };
    const readable = { type: 'docs.document', id: newId() };
    const hidden = { type: 'docs.document', id: newId() };
    await authz.registerResources([space, { ...readable, parent: space }, { ...hidden, parent: space }]);
    await authz.grant(
      { resource: readable, principal: { kind: 'user', id: user.id }, role: 'reader' },
      { actor: system },
    );
    await authz.grant({ resource: space, principal: { kind: 'user', id: user.id }, role: 'reader' }, { actor: system });
    await authz.grant({ resource: hidden, principal: { kind: 'user', id: newId() }, role: 'owner' }, { actor: system });
    // The user reads the space (so its two documents) — except that `hidden` is in another space.
    const otherSpace = { type: 'docs.space', id: newId() };
    await authz.registerResource(otherSpace);
    await authz.moveResource(hidden, otherSpace);
    await search.indexMany([
      {
        type: 'docs.space',
        id: space.id,
        title: 'Espace budget',
        resource: space,
        url: `/espaces/${space.id}`,
        updatedAt: '2026-11-30T10:00:00.000Z',
      },
      {
        type: 'docs.document',
        id: readable.id,
        title: 'Budget primitif 2027',
        text: "Le budget de l'académie est présenté au conseil.",
        resource: readable,
        url: `/documents/${readable.id}`,
        updatedAt: '2026-11-30T11:00:00.000Z',
        label: 'internal',
      },
      {
        type: 'docs.document',
        id: hidden.id,
        title: 'Budget des primes confidentiel',
        resource: hidden,
        url: `/documents/${hidden.id}`,
        updatedAt: '2026-11-30T12:00:00.000Z',
      },
    ]);

    const login = await app.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: publicUrl },
      payload: { email: 'agent@tests.gouv.fr', password },
    });
    expect(login.statusCode).toBe(200);
    const session = login.cookies.find((candidate) => candidate.name === 'bureau_session');
    cookie = `bureau_session=${session?.value ?? ''}`;
  });

  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  const get = (query: string, headers: Record<string, string> = { cookie }) =>
    app.http.inject({ method: 'GET', url: `/api/search?${query}`, headers });

  it('answers what the signed-in user may read, with facets and highlighted snippets', async () => {
    const response = await get('q=budg');

    expect(response.statusCode).toBe(200);
    const body = searchResultSchema.parse(response.json());
    expect(body.items.map((item) => item.title).sort()).toEqual(['Budget primitif 2027', 'Espace budget']);
    expect(body.facets).toEqual([
      { type: 'docs.document', count: 1, isLowerBound: false },
      { type: 'docs.space', count: 1, isLowerBound: false },
    ]);
    expect(body.items.find((item) => item.type === 'docs.document')).toMatchObject({
      type: 'docs.document',
      label: 'internal',
      updatedAt: '2026-11-30T11:00:00.000Z',
      snippet: [
        { text: 'Le ', match: false },
        { text: 'budget', match: true },
        { text: " de l'académie est présenté au conseil.", match: false },
      ],
    });
    expect(response.body).not.toContain('confidentiel');
  });

  it('lists the recent items the user may read, newest first, for the home page', async () => {
    const response = await app.http.inject({
      url: '/api/search/recent?type=docs.document,docs.space',
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    const body = recentItemsSchema.parse(response.json());
    expect(body.items.map((item) => [item.title, item.updatedAt, item.snippet])).toEqual([
      ['Budget primitif 2027', '2026-11-30T11:00:00.000Z', []],
      ['Espace budget', '2026-11-30T10:00:00.000Z', []],
    ]);
    // Every type by default: the directory (indexed by the identity module) changed last.
    const all = recentItemsSchema.parse(
      (await app.http.inject({ url: '/api/search/recent?limit=3', headers: { cookie } })).json(),
    );
    expect(all.items.map((item) => item.type)).toEqual(['identity.user', 'identity.organisation', 'docs.document']);
    expect((await app.http.inject({ url: '/api/search/recent?limit=500', headers: { cookie } })).statusCode).toBe(400);
    expect((await app.http.inject({ url: '/api/search/recent' })).statusCode).toBe(401);
  });

  it('filters by type, repeated or comma-separated, and pages with the cursor', async () => {
    const documents = searchResultSchema.parse((await get('q=budget&type=docs.document')).json());
    expect(documents.items.map((item) => item.type)).toEqual(['docs.document']);
    const both = searchResultSchema.parse((await get('q=budget&type=docs.document,docs.space&limit=1')).json());
    expect(both.items).toHaveLength(1);
    const next = searchResultSchema.parse(
      (await get(`q=budget&type=docs.document&type=docs.space&limit=1&cursor=${both.nextCursor ?? ''}`)).json(),
    );
    expect(next.items).toHaveLength(1);
    expect(next.nextCursor).toBeNull();
    expect(next.items[0]?.id).not.toBe(both.items[0]?.id);
  });

  it('refuses an anonymous request with the sign-in error', async () => {
    const response = await get('q=budget', {});
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'IDENTITY_NOT_AUTHENTICATED' } });
  });

  it.each([
    ['q=', 'SEARCH_QUERY_EMPTY'],
    ['q=%20%20', 'SEARCH_QUERY_EMPTY'],
    ['', 'SEARCH_QUERY_EMPTY'],
    ['q=le%20la%20', 'SEARCH_QUERY_EMPTY'],
    [`q=${'a'.repeat(201)}`, 'SEARCH_QUERY_TOO_LONG'],
    ['q=budget&limit=0', 'SEARCH_LIMIT_INVALID'],
    ['q=budget&limit=51', 'SEARCH_LIMIT_INVALID'],
    ['q=budget&limit=beaucoup', 'SEARCH_LIMIT_INVALID'],
    ['q=budget&type=Docs', 'SEARCH_TYPE_UNKNOWN'],
    ['q=budget&type=docs.page', 'SEARCH_TYPE_UNKNOWN'],
    ['q=budget&cursor=abc', 'SEARCH_CURSOR_INVALID'],
  ])('refuses %s with 400 %s', async (query, code) => {
    const response = await get(query);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string; message: string } }>().error.code).toBe(code);
  });

  it('explains a refusal in French by default, and in English when asked', async () => {
    const french = await get('q=le%20');
    expect(french.json<{ error: { message: string } }>().error.message).toMatch(/Saisissez au moins un mot/);
    const english = await get('q=le%20', { cookie, 'accept-language': 'en' });
    expect(english.json<{ error: { message: string } }>().error.message).toMatch(/Type at least one word/);
  });
});
