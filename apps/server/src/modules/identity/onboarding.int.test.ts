import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createManualClock, type ManualClock } from '../../platform/clock.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };

describe('Identity: invitations, password reset, CSV import, organisations and groups', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let clock: ManualClock;
  let ministryId: string;
  let directionId: string;
  let adminCookie: string;

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_RATE_LIMIT: '100000' });
    clock = createManualClock('2026-11-29T08:00:00.000Z');
    app = await buildApp(environment.config, { clock });
    await app.migrate();
    const directory = app.identity.directory;
    ministryId = (await directory.createOrganisation({ name: 'Ministère', domains: ['m.gouv.fr'] }, system)).id;
    directionId = (await directory.createOrganisation({ name: 'Direction', parentId: ministryId }, system)).id;
    await directory.createUser({ email: 'admin@m.gouv.fr', password, isInstanceAdmin: true }, system);
    await directory.createUser({ email: 'agent@m.gouv.fr', password, organisationId: directionId }, system);
    adminCookie = await signIn('admin@m.gouv.fr');
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  async function signIn(email: string, secret = password): Promise<string> {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: publicUrl },
      payload: { email, password: secret },
    });
    expect(response.statusCode).toBe(200);
    return `bureau_session=${response.cookies.find((cookie) => cookie.name === 'bureau_session')?.value ?? ''}`;
  }

  function post(url: string, cookie: string | undefined, payload: unknown) {
    return app.http.inject({
      method: 'POST',
      url,
      headers: { origin: publicUrl, ...(cookie ? { cookie } : {}) },
      payload: payload as Record<string, unknown>,
    });
  }

  /** The token of the last e-mail sent to `to` (from its link), as the person would click it. */
  async function tokenMailedTo(to: string): Promise<string> {
    const { items } = await app.platform.mail.listOutbox({ limit: 50 });
    const message = items.find((item) => item.to.includes(to));
    const token = /jeton=([A-Za-z0-9_-]+)/.exec(message?.text ?? '')?.[1];
    if (!token) throw new Error(`no link mailed to ${to}`);
    return token;
  }

  it('resets a forgotten password through an e-mailed single-use link, ending the old sessions', async () => {
    const oldSession = await signIn('agent@m.gouv.fr');
    expect((await post('/api/auth/password-reset', undefined, { email: 'agent@m.gouv.fr' })).statusCode).toBe(202);
    expect((await post('/api/auth/password-reset', undefined, { email: 'nobody@m.gouv.fr' })).statusCode).toBe(202);
    const { items } = await app.platform.mail.listOutbox({ limit: 10 });
    expect(items.map((item) => item.to[0])).toEqual(['agent@m.gouv.fr']);

    const token = await tokenMailedTo('agent@m.gouv.fr');
    const weak = await post('/api/auth/password-reset/confirm', undefined, { token, password: 'short' });
    expect(weak.json<{ error: { code: string } }>().error.code).toBe('IDENTITY_WEAK_PASSWORD');
    const confirmed = await post('/api/auth/password-reset/confirm', undefined, {
      token,
      password: 'A-brand-new-password-7',
    });
    expect(confirmed.statusCode).toBe(204);
    expect((await app.http.inject({ url: '/api/me', headers: { cookie: oldSession } })).statusCode).toBe(401);
    await signIn('agent@m.gouv.fr', 'A-brand-new-password-7');

    const reused = await post('/api/auth/password-reset/confirm', undefined, {
      token,
      password: 'Yet-another-password-8',
    });
    expect(reused.statusCode).toBe(410);
    expect(reused.json<{ error: { code: string } }>().error.code).toBe('IDENTITY_RESET_TOKEN_INVALID');
  });

  it('refuses a reset link after an hour', async () => {
    await post('/api/auth/password-reset', undefined, { email: 'agent@m.gouv.fr' });
    const token = await tokenMailedTo('agent@m.gouv.fr');
    clock.advance(61 * 60_000);
    const late = await post('/api/auth/password-reset/confirm', undefined, {
      token,
      password: 'A-brand-new-password-7',
    });
    expect(late.statusCode).toBe(410);
  });

  it('invites an agent by e-mail; the link creates the account, signs it in, and works once', async () => {
    const received: string[] = [];
    app.platform.events.subscribe('identity.invitation.accepted', (event) => {
      received.push(event.payload.userId);
    });
    const invited = await post('/api/admin/invitations', adminCookie, {
      email: 'nouvelle@m.gouv.fr',
      organisationId: directionId,
    });
    expect(invited.statusCode).toBe(201);
    const token = await tokenMailedTo('nouvelle@m.gouv.fr');

    const described = await app.http.inject({ url: `/api/invitations/${token}` });
    expect(described.json()).toMatchObject({
      email: 'nouvelle@m.gouv.fr',
      kind: 'agent',
      organisationName: 'Direction',
    });

    const accepted = await post(`/api/invitations/${token}/accept`, undefined, {
      displayName: 'Nina Nouvelle',
      password: 'Her-own-password-2026',
    });
    expect(accepted.statusCode).toBe(201);
    const cookie = accepted.cookies.find((candidate) => candidate.name === 'bureau_session');
    const me = await app.http.inject({ url: '/api/me', headers: { cookie: `bureau_session=${cookie?.value ?? ''}` } });
    expect(me.json()).toMatchObject({
      email: 'nouvelle@m.gouv.fr',
      displayName: 'Nina Nouvelle',
      organisation: { id: directionId },
    });

    const again = await post(`/api/invitations/${token}/accept`, undefined, {
      displayName: 'Quelqu’un',
      password: 'Another-password-2026',
    });
    expect(again.statusCode).toBe(410);
    await app.platform.events.drain();
    expect(received).toHaveLength(1);
  });

  it('lets a group manager invite an external partner into the group, but not an agent', async () => {
    const agentCookie = await signIn('agent@m.gouv.fr');
    const group = await post('/api/groups', agentCookie, { name: 'Projet commun' });
    expect(group.statusCode).toBe(201);
    const groupId = group.json<{ id: string }>().id;

    const agentInvite = await post('/api/admin/invitations', agentCookie, { email: 'x@m.gouv.fr', kind: 'agent' });
    expect(agentInvite.statusCode).toBe(403);
    const partnerInvite = await post('/api/admin/invitations', agentCookie, {
      email: 'partenaire@exemple.fr',
      kind: 'external',
      groupId,
    });
    expect(partnerInvite.statusCode).toBe(201);
    const token = await tokenMailedTo('partenaire@exemple.fr');
    await post(`/api/invitations/${token}/accept`, undefined, {
      displayName: 'Paul Partenaire',
      password: 'Partner-password-2026',
    });

    const partner = await app.identity.directory.findUserByEmail('partenaire@exemple.fr');
    expect(partner?.kind).toBe('external');
    const members = await app.identity.directory.groupMembers(groupId);
    expect(members.map((member) => member.email).sort()).toEqual(['agent@m.gouv.fr', 'partenaire@exemple.fr']);

    // An external user creates no group.
    const partnerCookie = await signIn('partenaire@exemple.fr', 'Partner-password-2026');
    expect((await post('/api/groups', partnerCookie, { name: 'Le mien' })).statusCode).toBe(403);
  });

  it('lets only managers change a group’s members, and a member leave', async () => {
    const agentCookie = await signIn('agent@m.gouv.fr');
    const other = await app.identity.directory.createUser({ email: 'autre@m.gouv.fr', password }, system);
    const groupId = (await post('/api/groups', agentCookie, { name: 'Équipe' })).json<{ id: string }>().id;
    const otherCookie = await signIn('autre@m.gouv.fr');

    const put = (cookie: string, userId: string, role: string) =>
      app.http.inject({
        method: 'PUT',
        url: `/api/groups/${groupId}/members/${userId}`,
        headers: { cookie, origin: publicUrl },
        payload: { role },
      });
    expect((await put(otherCookie, other.id, 'manager')).statusCode).toBe(403);
    const added = await put(agentCookie, other.id, 'member');
    expect(added.statusCode).toBe(200);
    expect(added.json<{ members: Array<{ email: string; role: string }> }>().members).toEqual([
      expect.objectContaining({ email: 'agent@m.gouv.fr', role: 'manager' }),
      expect.objectContaining({ email: 'autre@m.gouv.fr', role: 'member' }),
    ]);
    const mine = await app.http.inject({ url: '/api/groups', headers: { cookie: otherCookie } });
    expect(mine.json<{ items: Array<{ id: string }> }>().items.map((group) => group.id)).toEqual([groupId]);

    const left = await app.http.inject({
      method: 'DELETE',
      url: `/api/groups/${groupId}/members/${other.id}`,
      headers: { cookie: otherCookie, origin: publicUrl },
    });
    expect(left.statusCode).toBe(200);
    expect(left.json<{ members: unknown[] }>().members).toHaveLength(1);
  });

  it('imports accounts from CSV all or nothing, listing every problem by line', async () => {
    const importCsv = (csv: string, dryRun = false) =>
      app.http.inject({
        method: 'POST',
        url: `/api/admin/users/import?dryRun=${String(dryRun)}`,
        headers: { cookie: adminCookie, origin: publicUrl, 'content-type': 'text/csv' },
        payload: csv,
      });
    const broken = await importCsv(
      'courriel;nom;organisation\nun@m.gouv.fr;Un;Direction\npas-une-adresse;Deux;Direction\nagent@m.gouv.fr;Trois;Inconnue\n',
    );
    expect(broken.statusCode).toBe(400);
    const body = broken.json<{
      error: { code: string; details: { issues: Array<{ line: number; field: string }> } };
    }>();
    expect(body.error.code).toBe('IDENTITY_IMPORT_INVALID');
    expect(body.error.details.issues.map((issue) => `${issue.line}:${issue.field}`).sort()).toEqual([
      '3:email',
      '4:email',
      '4:organisation',
    ]);
    expect(await app.identity.directory.findUserByEmail('un@m.gouv.fr')).toBeUndefined();

    const csv =
      'email,display_name,kind,organisation,title\nun@m.gouv.fr,Une Personne,agent,Direction,Juriste\ndeux@ailleurs.fr,Deux,external,,\n';
    const checked = await importCsv(csv, true);
    expect(checked.json()).toEqual({ rows: 2, created: 0, dryRun: true });
    expect(await app.identity.directory.findUserByEmail('un@m.gouv.fr')).toBeUndefined();

    const imported = await importCsv(csv);
    expect(imported.json()).toEqual({ rows: 2, created: 2, dryRun: false });
    const one = await app.identity.directory.findUserByEmail('un@m.gouv.fr');
    expect(one).toMatchObject({
      display_name: 'Une Personne',
      organisation_id: directionId,
      title: 'Juriste',
      kind: 'agent',
    });
    // Each imported person chooses their password through the welcome link.
    const token = await tokenMailedTo('deux@ailleurs.fr');
    expect(
      (await post('/api/auth/password-reset/confirm', undefined, { token, password: 'Deux-chooses-this-1' }))
        .statusCode,
    ).toBe(204);
    await signIn('deux@ailleurs.fr', 'Deux-chooses-this-1');
  });

  it('lets organisation administrators manage their sub-tree only', async () => {
    const head = await app.identity.directory.createUser(
      { email: 'chef@m.gouv.fr', password, organisationId: directionId },
      system,
    );
    await app.identity.directory.addOrganisationAdmin(directionId, head.id, system);
    const headCookie = await signIn('chef@m.gouv.fr');

    const service = await post('/api/admin/organisations', headCookie, { name: 'Service', parentId: directionId });
    expect(service.statusCode).toBe(201);
    expect(
      (await post('/api/admin/organisations', headCookie, { name: 'Ailleurs', parentId: ministryId })).statusCode,
    ).toBe(403);
    expect((await post('/api/admin/organisations', headCookie, { name: 'Racine' })).statusCode).toBe(403);

    const tree = await app.http.inject({ url: '/api/admin/organisations', headers: { cookie: headCookie } });
    expect(
      tree
        .json<{ items: Array<{ name: string }> }>()
        .items.map((item) => item.name)
        .sort(),
    ).toEqual(['Direction', 'Service']);
    const all = await app.http.inject({ url: '/api/admin/organisations', headers: { cookie: adminCookie } });
    expect(all.json<{ items: Array<{ name: string; domains: string[] }> }>().items).toContainEqual(
      expect.objectContaining({ name: 'Ministère', domains: ['m.gouv.fr'] }),
    );

    const created = await post('/api/admin/users', headCookie, {
      email: 'recrue@m.gouv.fr',
      organisationId: service.json<{ id: string }>().id,
    });
    expect(created.statusCode).toBe(201);
    expect(
      (await post('/api/admin/users', headCookie, { email: 'autre@m.gouv.fr', organisationId: ministryId })).statusCode,
    ).toBe(403);
    expect(
      (
        await post('/api/admin/users', headCookie, {
          email: 'root2@m.gouv.fr',
          organisationId: directionId,
          isInstanceAdmin: true,
        })
      ).statusCode,
    ).toBe(403);
    await tokenMailedTo('recrue@m.gouv.fr');
  });

  it('lists pending invitations to administrators of their organisations, and revokes one at once', async () => {
    const head = await app.identity.directory.createUser(
      { email: 'chef@m.gouv.fr', password, organisationId: directionId },
      system,
    );
    await app.identity.directory.addOrganisationAdmin(directionId, head.id, system);
    const headCookie = await signIn('chef@m.gouv.fr');
    expect(
      (await post('/api/admin/invitations', adminCookie, { email: 'a@m.gouv.fr', organisationId: ministryId }))
        .statusCode,
    ).toBe(201);
    expect(
      (await post('/api/admin/invitations', headCookie, { email: 'b@m.gouv.fr', organisationId: directionId }))
        .statusCode,
    ).toBe(201);
    const tokenB = await tokenMailedTo('b@m.gouv.fr');

    const list = async (cookie: string) => {
      const response = await app.http.inject({ url: '/api/admin/invitations', headers: { cookie } });
      expect(response.statusCode).toBe(200);
      return response.json<{ items: Array<{ id: string; email: string; invitedBy: string | null }> }>().items;
    };
    expect((await list(adminCookie)).map((item) => item.email)).toEqual(['b@m.gouv.fr', 'a@m.gouv.fr']);
    const headList = await list(headCookie);
    expect(headList.map((item) => item.email)).toEqual(['b@m.gouv.fr']);
    const agent = await app.identity.directory.createUser({ email: 'agent2@m.gouv.fr', password }, system);
    const agentCookie = await signIn(agent.email);
    expect(
      (await app.http.inject({ url: '/api/admin/invitations', headers: { cookie: agentCookie } })).statusCode,
    ).toBe(403);

    const revoke = (id: string, cookie: string) =>
      app.http.inject({
        method: 'DELETE',
        url: `/api/admin/invitations/${id}`,
        headers: { origin: publicUrl, cookie },
      });
    const invitationA = (await list(adminCookie)).find((item) => item.email === 'a@m.gouv.fr');
    expect((await revoke(invitationA?.id ?? '', headCookie)).statusCode).toBe(403);
    expect((await revoke(headList[0]?.id ?? '', headCookie)).statusCode).toBe(204);
    expect((await revoke(headList[0]?.id ?? '', headCookie)).statusCode).toBe(404);
    expect((await app.http.inject({ url: `/api/invitations/${tokenB}` })).statusCode).toBe(410);
    expect((await list(adminCookie)).map((item) => item.email)).toEqual(['a@m.gouv.fr']);
    const audit = await app.platform.audit.query({ action: 'identity.invitation.revoked', limit: 5 });
    expect(audit.items).toHaveLength(1);
  });
});
