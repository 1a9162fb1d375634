import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { describeUserAgent } from './identity.notifications.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

type SearchBody = {
  items: Array<{ type: string; id: string; title: string; url: string }>;
  facets: Array<{ type: string; count: number }>;
};
type NotificationsBody = {
  items: Array<{
    type: string;
    title: string;
    body: string | null;
    url: string | null;
    actor: { displayName: string } | null;
  }>;
};

/** The identity module feeds the unified search and the notification inbox before any other module exists. */
describe('Identity in the search and the inbox', () => {
  let environment: TestEnvironment;
  let app: BureauApp;

  beforeEach(async () => {
    environment = await createTestEnvironment({
      BUREAU_PUBLIC_URL: publicUrl,
      BUREAU_LOG_LEVEL: 'error',
      BUREAU_RATE_LIMIT: '100000',
    });
    app = await buildApp(environment.config);
    await app.migrate();
    const { directory } = app.identity;
    const ministry = await directory.createOrganisation(
      { name: 'Ministère de l’Écologie', siret: '11000201100044', domains: ['ecologie.gouv.fr'] },
      system,
    );
    await directory.createUser(
      {
        email: 'helene.genereux@ecologie.gouv.fr',
        displayName: 'Hélène Généreux',
        title: 'Cheffe de bureau',
        password,
      },
      system,
    );
    await directory.createUser({ email: 'marc.petit@ecologie.gouv.fr', displayName: 'Marc Petit', password }, system);
    await directory.createUser(
      { email: 'ines@partenaire.fr', displayName: 'Inès Partenaire', password, kind: 'external' },
      system,
    );
    await directory.createGroup(
      { name: 'Cellule énergies renouvelables', description: 'Éolien et photovoltaïque', organisationId: ministry.id },
      null,
      system,
    );
    await app.platform.events.drain();
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  async function signIn(email: string): Promise<Record<string, string>> {
    const login = await app.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: publicUrl, 'user-agent': firefox },
      payload: { email, password },
    });
    expect(login.statusCode).toBe(200);
    const session = login.cookies.find((cookie) => cookie.name === 'bureau_session')?.value ?? '';
    return { cookie: `bureau_session=${session}`, origin: publicUrl };
  }

  async function search(headers: Record<string, string>, q: string): Promise<SearchBody> {
    const response = await app.http.inject({ url: `/api/search?q=${encodeURIComponent(q)}`, headers });
    expect(response.statusCode).toBe(200);
    return response.json<SearchBody>();
  }

  async function inbox(headers: Record<string, string>): Promise<NotificationsBody['items']> {
    await app.platform.events.drain();
    const response = await app.http.inject({ url: '/api/notifications', headers });
    expect(response.statusCode).toBe(200);
    return response.json<NotificationsBody>().items;
  }

  it('makes people, groups and organisations findable by agents only, and keeps them up to date', async () => {
    const agent = await signIn('marc.petit@ecologie.gouv.fr');
    const people = await search(agent, 'helene genereux');
    expect(people.items.map((item) => [item.type, item.title])).toEqual([['identity.user', 'Hélène Généreux']]);
    expect(people.items[0]?.url).toMatch(/^\/annuaire\/personnes\//);
    expect((await search(agent, 'cheffe')).items.map((item) => item.title)).toEqual(['Hélène Généreux']);
    const energy = await search(agent, 'énergie');
    expect(energy.items.map((item) => [item.type, item.title])).toEqual([
      ['identity.group', 'Cellule énergies renouvelables'],
    ]);
    expect((await search(agent, 'ecologie')).facets).toEqual(
      expect.arrayContaining([
        { type: 'identity.organisation', count: 1, isLowerBound: false },
        { type: 'identity.user', count: 2, isLowerBound: false },
      ]),
    );

    // External partners cannot browse the directory: the search finds nothing of it for them.
    const partner = await signIn('ines@partenaire.fr');
    expect(await search(partner, 'helene')).toMatchObject({ items: [], facets: [] });

    // A renamed person is found by the new name; a deactivated one is no longer found.
    const helene = (await app.identity.directory.findUserByEmail('helene.genereux@ecologie.gouv.fr'))!;
    await app.identity.directory.updateProfile(helene.id, { displayName: 'Hélène Généreux-Martin' }, system);
    await app.platform.events.drain();
    expect((await search(agent, 'martin')).items.map((item) => item.title)).toEqual(['Hélène Généreux-Martin']);
    await app.identity.directory.deactivateUser(helene.id, system);
    await app.platform.events.drain();
    expect((await search(agent, 'helene')).items).toEqual([]);

    // A rebuild finds the same entries, and drops what should not be there.
    expect(await app.identity.reindexSearch()).toEqual({ indexed: 4, removed: 0 });
    expect((await search(agent, 'petit')).items.map((item) => item.title)).toEqual(['Marc Petit']);
  });

  it('notifies additions to a group, accepted invitations and new sign-ins, in the reader’s language', async () => {
    const { directory, onboarding } = app.identity;
    const marc = (await directory.findUserByEmail('marc.petit@ecologie.gouv.fr'))!;
    const helene = (await directory.findUserByEmail('helene.genereux@ecologie.gouv.fr'))!;
    const group = await directory.createGroup({ name: 'Comité de pilotage' }, helene.id, system);
    await directory.setGroupMember(group.id, marc.id, 'member', { userId: helene.id, label: helene.email });

    const marcHeaders = await signIn('marc.petit@ecologie.gouv.fr');
    const items = await inbox(marcHeaders);
    expect(items.map((item) => item.type)).toEqual(['identity.session.new_sign_in', 'identity.group.member_added']);
    expect(items[1]).toMatchObject({
      title: 'Vous avez été ajouté(e) au groupe « Comité de pilotage »',
      body: 'Par Hélène Généreux.',
      url: `/annuaire/groupes/${group.id}`,
      actor: { displayName: 'Hélène Généreux' },
    });
    expect(items[0]).toMatchObject({ title: 'Nouvelle connexion à votre compte', url: '/compte/sessions' });
    expect(items[0]?.body).toContain('Firefox, Linux');
    const english = await app.http.inject({
      url: '/api/notifications',
      headers: { ...marcHeaders, 'accept-language': 'en' },
    });
    expect(english.json<NotificationsBody>().items[1]?.title).toBe('You were added to the group “Comité de pilotage”');

    const { token } = await onboarding.invite({ email: 'nouvelle@ecologie.gouv.fr', kind: 'agent' }, helene, {
      userId: helene.id,
      label: helene.email,
    });
    await onboarding.acceptInvitation(
      token,
      { displayName: 'Nadia Nouvelle', password },
      { system: true, label: 'test' },
    );
    const heleneItems = await inbox(await signIn('helene.genereux@ecologie.gouv.fr'));
    expect(heleneItems.map((item) => item.title)).toContain('Nadia Nouvelle a accepté votre invitation');
  });

  it('describes browsers briefly', () => {
    expect(describeUserAgent(firefox)).toBe('Firefox, Linux');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0',
      ),
    ).toBe('Edge, Windows');
    expect(describeUserAgent(null)).toBeNull();
  });
});
