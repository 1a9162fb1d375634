/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './axe.ts';
import { callApi, launchChromium, saveScreenshot, signIn, watchedContext } from './browser.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Every page of the web app, with its h1 in French (the state axe checks is the loaded page). */
const publicPages = [
  { name: 'login', path: '/connexion', heading: 'Connexion à Bureau' },
  { name: 'forgotten-password', path: '/mot-de-passe/oubli', heading: 'Mot de passe oublié' },
  {
    name: 'new-password',
    path: '/mot-de-passe/nouveau?jeton=0123456789abcdefghijklmnop',
    heading: 'Choisir un mot de passe',
  },
  { name: 'accessibility', path: '/accessibilite', heading: 'Accessibilité' },
];

const signedInPages = [
  { name: 'home', path: '/', heading: 'Bonjour Claire Martin' },
  { name: 'search', path: '/recherche?q=projet', heading: 'Recherche : projet' },
  { name: 'notifications', path: '/notifications', heading: 'Notifications' },
  { name: 'profile', path: '/compte/profil', heading: 'Mon profil' },
  { name: 'sessions', path: '/compte/sessions', heading: 'Mes sessions' },
  { name: 'api-keys', path: '/compte/cles-api', heading: 'Mes clés d’API' },
  { name: 'notification-settings', path: '/compte/notifications', heading: 'Préférences de notification' },
  { name: 'admin-organisations', path: '/administration/organisations', heading: 'Organisations' },
  { name: 'admin-users', path: '/administration/utilisateurs', heading: 'Comptes' },
  { name: 'admin-groups', path: '/administration/groupes', heading: 'Groupes' },
  { name: 'admin-invitations', path: '/administration/invitations', heading: 'Invitations' },
  { name: 'admin-import', path: '/administration/import', heading: 'Import CSV' },
  { name: 'admin-audit', path: '/administration/journal', heading: 'Journal d’audit' },
  { name: 'admin-sensitivity', path: '/administration/sensibilite', heading: 'Sensibilité par défaut' },
  { name: 'admin-service-keys', path: '/administration/cles-de-service', heading: 'Clés de service' },
  { name: 'admin-external-services', path: '/administration/services-externes', heading: 'Services externes' },
  { name: 'admin-instance', path: '/administration/instance', heading: 'Nom de l’administration' },
  { name: 'directory', path: '/annuaire', heading: 'Annuaire' },
  { name: 'albert', path: '/albert', heading: 'Albert' },
  { name: 'albert-collections', path: '/albert/collections', heading: 'Collections d’Albert' },
  { name: 'admin-albert-impact', path: '/administration/albert/impact', heading: 'Albert : impact' },
  { name: 'docs-home', path: '/documents', heading: 'Documents' },
  { name: 'docs-trash', path: '/documents/corbeille', heading: 'Corbeille' },
  { name: 'not-found', path: '/nulle/part', heading: 'Page introuvable' },
];

const directoryPageNames = ['directory-person', 'directory-organisation', 'directory-group', 'admin-merge'];

/** The directory's pages, whose addresses name demo records: found through the API once signed in. */
async function directoryPages(page: Page): Promise<typeof signedInPages> {
  const people = await callApi<{ items: { id: string; email: string }[] }>(
    page,
    'GET',
    '/api/directory/users?search=karim.benali',
  );
  const karim = people.items.find((person) => person.email === 'karim.benali@demo.gouv.fr');
  const organisations = await callApi<{ items: { id: string; name: string }[] }>(
    page,
    'GET',
    '/api/directory/organisations',
  );
  const dnum = organisations.items.find((organisation) => organisation.name === 'Direction du numérique');
  const groups = await callApi<{ items: { id: string; name: string }[] }>(page, 'GET', '/api/groups');
  const team = groups.items.find((group) => group.name === 'Équipe projet Bureau');
  if (!karim || !dnum || !team) throw new Error('the demo administration is not seeded');
  return [
    { name: 'directory-person', path: `/annuaire/personnes/${karim.id}`, heading: 'Karim Benali' },
    { name: 'directory-organisation', path: `/annuaire/organisations/${dnum.id}`, heading: 'Direction du numérique' },
    // Claire administers the instance: she manages every group (role buttons, the form to add members).
    { name: 'directory-group', path: `/annuaire/groupes/${team.id}`, heading: 'Équipe projet Bureau' },
    {
      name: 'admin-merge',
      path: `/administration/utilisateurs/${karim.id}/fusion`,
      heading: 'Fusionner avec un autre compte',
    },
  ];
}

const docsPageNames = ['docs-space', 'docs-page'];

/** The documents' pages that name a space or a page: Claire's personal space, and a page written in it. */
async function docsPages(page: Page): Promise<typeof signedInPages> {
  const spaces = await callApi<{ items: { id: string; kind: string; name: string }[] }>(
    page,
    'GET',
    '/api/docs/spaces',
  );
  const personal = spaces.items.find((space) => space.kind === 'personal');
  if (!personal) throw new Error('no personal space');
  const title = `Page d’essai ${Date.now()}`;
  const document = await callApi<{ id: string }>(page, 'POST', '/api/docs', { spaceId: personal.id, title });
  await callApi(page, 'POST', `/api/docs/${document.id}/append`, {
    markdown:
      '## Contexte\n\nUn paragraphe avec du **gras** et un [lien](https://www.service-public.fr).\n\n- un\n- deux',
  });
  return [
    { name: 'docs-space', path: `/documents/espaces/${personal.id}`, heading: personal.name },
    { name: 'docs-page', path: `/documents/${document.id}`, heading: title },
  ];
}

/** Opens a page and waits until it has loaded its data (no "Chargement…" left). */
async function openPage(page: Page, path: string, heading: string): Promise<void> {
  await page.goto(path);
  // Generous timeouts: the machine running the journeys may be busy.
  await expect
    .poll(() => page.getByRole('heading', { level: 1 }).innerText(), { message: path, timeout: 10_000 })
    .toBe(heading);
  await expect
    .poll(() => page.getByText(/^Chargement/).count(), { message: `${path} loaded`, timeout: 10_000 })
    .toBe(0);
  await page.waitForLoadState('networkidle');
}

describe('accessibility of every page (axe-core, WCAG 2.1 A and AA)', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical violation on the public pages in ${colorScheme} mode`, async () => {
      const { context, page } = await watchedContext(browser, { colorScheme });
      try {
        for (const target of publicPages) {
          await openPage(page, target.path, target.heading);
          expect(await page.getAttribute('html', 'data-fr-theme')).toBe(colorScheme);
          expect({ page: target.name, violations: await seriousAxeViolations(page) }).toEqual({
            page: target.name,
            violations: [],
          });
          await saveScreenshot(page, `page-${target.name}-${colorScheme}`);
        }
      } finally {
        await context.close();
      }
    });
  }

  // One test per page (each with its own time budget), in one signed-in browser per colour scheme.
  for (const colorScheme of ['light', 'dark'] as const) {
    describe(`signed-in pages in ${colorScheme} mode`, () => {
      let watched: Awaited<ReturnType<typeof watchedContext>> | undefined;
      let targets: typeof signedInPages = [];

      beforeAll(async () => {
        watched = await watchedContext(browser, { colorScheme });
        await signIn(watched.page, 'claire.martin@demo.gouv.fr');
        targets = [...signedInPages, ...(await directoryPages(watched.page)), ...(await docsPages(watched.page))];
      });
      afterAll(async () => {
        await watched?.context.close();
      });

      it.each([...signedInPages.map((target) => target.name), ...directoryPageNames, ...docsPageNames])(
        'has no serious or critical violation on %s',
        async (name) => {
          const page = watched!.page;
          const target = targets.find((candidate) => candidate.name === name)!;
          await openPage(page, target.path, target.heading);
          expect(await page.getAttribute('html', 'data-fr-theme')).toBe(colorScheme);
          expect({ page: target.name, violations: await seriousAxeViolations(page) }).toEqual({
            page: target.name,
            violations: [],
          });
          await saveScreenshot(page, `page-${target.name}-${colorScheme}`);
        },
      );

      it.each(['Services', 'Notifications'])(
        'has no serious or critical violation with the %s panel open',
        async (button) => {
          const page = watched!.page;
          await page.goto('/');
          await page
            .getByRole('button', { name: new RegExp(`^${button}`) })
            .first()
            .click();
          expect({ panel: button, violations: await seriousAxeViolations(page) }).toEqual({
            panel: button,
            violations: [],
          });
          await saveScreenshot(page, `panel-${button.toLowerCase()}-${colorScheme}`);
        },
      );
    });
  }

  describe('in English', () => {
    it('has no serious or critical violation in English', async () => {
      const { context, page } = await watchedContext(browser);
      try {
        await context.addInitScript(() => localStorage.setItem('bureau.locale', 'en'));
        await page.goto('/connexion');
        expect(await page.getAttribute('html', 'lang')).toBe('en');
        await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in to Bureau');
        expect(await seriousAxeViolations(page)).toEqual([]);
        await signIn(page, 'claire.martin@demo.gouv.fr', undefined, 'en');
        await page.goto('/administration/journal');
        await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Audit log');
        await page.waitForLoadState('networkidle');
        expect(await seriousAxeViolations(page)).toEqual([]);
        await saveScreenshot(page, 'page-admin-audit-en');
      } finally {
        await context.close();
      }
    });
  });
});
