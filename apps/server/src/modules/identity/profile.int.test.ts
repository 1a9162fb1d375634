import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };
/** The smallest valid PNG: one transparent pixel. */
const onePixelPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

describe('Identity: profile, picture and directory', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let agentCookie: string;
  let partnerCookie: string;

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl });
    app = await buildApp(environment.config);
    await app.migrate();
    await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['m.gouv.fr'] }, system);
    await app.identity.directory.createUser({ email: 'agent@m.gouv.fr', password, displayName: 'Alice Agent' }, system);
    await app.identity.directory.createUser({ email: 'bob@m.gouv.fr', password, displayName: 'Bob Bureau' }, system);
    await app.identity.directory.createUser({ email: 'p@partenaire.fr', password, kind: 'external' }, system);
    agentCookie = await signIn('agent@m.gouv.fr');
    partnerCookie = await signIn('p@partenaire.fr');
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  async function signIn(email: string): Promise<string> {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: publicUrl },
      payload: { email, password },
    });
    return `bureau_session=${response.cookies.find((cookie) => cookie.name === 'bureau_session')?.value ?? ''}`;
  }

  it('changes the display name, title and phone, and refuses a malformed phone number', async () => {
    const patch = (payload: Record<string, unknown>) =>
      app.http.inject({
        method: 'PATCH',
        url: '/api/me',
        headers: { cookie: agentCookie, origin: publicUrl },
        payload,
      });
    const changed = await patch({ displayName: 'Alice A.', title: 'Cheffe de bureau', phone: '+33 1 23 45 67 89' });
    expect(changed.statusCode).toBe(200);
    const me = await app.http.inject({ url: '/api/me', headers: { cookie: agentCookie } });
    expect(me.json()).toMatchObject({ displayName: 'Alice A.', title: 'Cheffe de bureau', phone: '+33 1 23 45 67 89' });
    const bad = await patch({ phone: 'call me maybe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_FAILED');
  });

  it('stores a picture whose content matches its type, and serves it to signed-in users', async () => {
    const put = (type: string, payload: Buffer) =>
      app.http.inject({
        method: 'PUT',
        url: '/api/me/avatar',
        headers: { cookie: agentCookie, origin: publicUrl, 'content-type': type },
        payload,
      });
    const fake = await put('image/png', Buffer.from('<svg onload="alert(1)"></svg>'));
    expect(fake.statusCode).toBe(415);
    expect((await put('image/svg+xml', Buffer.from('<svg/>'))).statusCode).toBe(415);
    expect((await put('image/png', onePixelPng)).statusCode).toBe(204);

    const me = await app.http.inject({ url: '/api/me', headers: { cookie: agentCookie } });
    const id = me.json<{ id: string }>().id;
    const picture = await app.http.inject({ url: `/api/users/${id}/avatar`, headers: { cookie: partnerCookie } });
    expect(picture.statusCode).toBe(200);
    expect(picture.headers['content-type']).toBe('image/png');
    expect(picture.rawPayload.equals(onePixelPng)).toBe(true);
    expect((await app.http.inject({ url: `/api/users/${id}/avatar` })).statusCode).toBe(401);
  });

  it('lets agents search the directory, and not external users', async () => {
    const found = await app.http.inject({ url: '/api/directory/users?search=bob', headers: { cookie: agentCookie } });
    expect(found.statusCode).toBe(200);
    expect(found.json<{ items: Array<{ email: string }> }>().items.map((item) => item.email)).toEqual([
      'bob@m.gouv.fr',
    ]);
    const refused = await app.http.inject({ url: '/api/directory/users', headers: { cookie: partnerCookie } });
    expect(refused.statusCode).toBe(403);
  });

  it('shows agents the cards of people, groups and organisation units; external users only their own and their groups', async () => {
    const { directory } = app.identity;
    const ministry = (await directory.listOrganisations())[0]!;
    const direction = await directory.createOrganisation({ name: 'Direction', parentId: ministry.id }, system);
    const bob = (await directory.findUserByEmail('bob@m.gouv.fr'))!;
    const partner = (await directory.findUserByEmail('p@partenaire.fr'))!;
    const team = await directory.createGroup({ name: 'Équipe' }, bob.id, system);
    await directory.setGroupMember(team.id, partner.id, 'member', system);
    const hidden = await directory.createGroup({ name: 'Autre' }, bob.id, system);
    const agentCookie = await signIn('agent@m.gouv.fr');
    const partnerCookie = await signIn('p@partenaire.fr');
    const get = (url: string, cookie: string) => app.http.inject({ url, headers: { cookie } });

    const card = await get(`/api/directory/users/${bob.id}`, agentCookie);
    expect(card.statusCode).toBe(200);
    expect(card.json()).toMatchObject({
      displayName: 'Bob Bureau',
      organisation: { id: ministry.id, name: 'Ministère' },
      groups: [
        { id: hidden.id, name: 'Autre' },
        { id: team.id, name: 'Équipe' },
      ],
    });
    expect((await get(`/api/directory/users/${bob.id}`, partnerCookie)).statusCode).toBe(403);
    expect((await get(`/api/directory/users/${partner.id}`, partnerCookie)).statusCode).toBe(200);

    const unit = await get(`/api/directory/organisations/${direction.id}`, agentCookie);
    expect(unit.json()).toMatchObject({
      name: 'Direction',
      path: [{ id: ministry.id, name: 'Ministère' }],
      children: [],
    });
    const top = await get(`/api/directory/organisations/${ministry.id}`, agentCookie);
    expect(top.json()).toMatchObject({ domains: ['m.gouv.fr'], path: [], children: [{ id: direction.id }] });
    expect((await get('/api/directory/organisations', partnerCookie)).statusCode).toBe(403);
    const members = await get(`/api/directory/users?organisationId=${ministry.id}&limit=10`, agentCookie);
    expect(
      members
        .json<{ items: Array<{ displayName: string }> }>()
        .items.map((item) => item.displayName)
        .sort(),
    ).toEqual(['Alice Agent', 'Bob Bureau']);

    expect((await get(`/api/groups/${team.id}`, agentCookie)).json()).toMatchObject({ name: 'Équipe' });
    expect((await get(`/api/groups/${team.id}`, partnerCookie)).statusCode).toBe(200);
    expect((await get(`/api/groups/${hidden.id}`, partnerCookie)).statusCode).toBe(404);
  });
});
