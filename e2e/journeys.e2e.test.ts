/// <reference lib="dom" />
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callApi, launchChromium, noProblems, saveScreenshot, signIn, watchedContext } from './browser.ts';

const run = promisify(execFile);
const bureauBin = path.resolve(import.meta.dirname, '../bin/bureau.js');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function heading(page: Page): Promise<string> {
  return page.getByRole('heading', { level: 1 }).innerText();
}

/** Waits for the page's h1, allowing for a lazily loaded module on a busy machine. */
async function expectHeading(page: Page, text: string): Promise<void> {
  await expect.poll(() => heading(page), { timeout: 10_000 }).toBe(text);
}

/** The e-mails Bureau kept in its development outbox (`bureau outbox`), as text. */
async function outbox(): Promise<string> {
  const { PATH, HOME } = process.env;
  const { stdout } = await run(process.execPath, [bureauBin, 'outbox', '--limit', '20'], {
    env: { PATH, HOME, BUREAU_DATA_DIR: inject('bureauDataDir'), BUREAU_LOG_LEVEL: 'warn' },
  });
  return stdout;
}

describe('moving between modules', () => {
  it('goes from module to module with the app switcher, which closes with Escape', async () => {
    const { context, page, problems } = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      await signIn(page, 'claire.martin@demo.gouv.fr');
      const gaufre = page.getByRole('button', { name: 'Services' }).first();
      expect(await gaufre.getAttribute('aria-expanded')).toBe('false');
      await gaufre.click();
      expect(await gaufre.getAttribute('aria-expanded')).toBe('true');
      const panel = page.getByRole('navigation', { name: 'Accéder aux services' });
      // Bureau's own modules (the external services that other journeys add are listed after them).
      expect(await panel.getByRole('list', { name: 'Services de Bureau' }).getByRole('link').allInnerTexts()).toEqual([
        'Accueil',
        'Messagerie',
        'Documents',
        'Albert',
        'Recherche',
        'Annuaire',
        'Administration',
      ]);
      await saveScreenshot(page, 'gaufre-open');
      await panel.getByRole('link', { name: 'Administration' }).click();
      await expect.poll(() => heading(page)).toBe('Organisations');
      await expect.poll(() => page.getByRole('main').innerText()).toContain('Ministère de la Démonstration');
      // The focus moved to the new page's content.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');

      await gaufre.click();
      await page.keyboard.press('Escape');
      expect(await gaufre.getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-controls'))).toContain('panel');

      await gaufre.click();
      await page
        .getByRole('navigation', { name: 'Accéder aux services' })
        .getByRole('link', { name: 'Accueil' })
        .click();
      await expect.poll(() => heading(page)).toBe('Bonjour Claire Martin');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });
});

describe('administration', () => {
  it('lets an administrator create an account, whose owner chooses a password and signs in', async () => {
    const email = `nouvel.agent.${Date.now()}@demo.gouv.fr`;
    const admin = await watchedContext(browser);
    try {
      await signIn(admin.page, 'claire.martin@demo.gouv.fr');
      await admin.page.goto('/administration/utilisateurs');
      await expect.poll(() => heading(admin.page)).toBe('Comptes');
      await admin.page.getByRole('textbox', { name: 'Adresse électronique' }).fill(email);
      await admin.page.getByRole('textbox', { name: 'Nom affiché' }).fill('Nouvel Agent');
      await admin.page.getByRole('button', { name: 'Créer le compte' }).click();
      await admin.page.getByText(`Le compte ${email} est créé`).waitFor();
      await expect.poll(() => admin.page.getByRole('table').innerText()).toContain(email);
      await saveScreenshot(admin.page, 'admin-user-created');
      expect(admin.problems).toEqual(noProblems);
    } finally {
      await admin.context.close();
    }

    // The welcome e-mail (kept in the development outbox) carries the link to choose a password.
    let link: string | undefined;
    await expect
      .poll(
        async () => {
          const mails = await outbox();
          const start = mails.indexOf(email);
          link =
            start < 0 ? undefined : /https?:\/\/\S+\/mot-de-passe\/nouveau\?jeton=[\w-]+/.exec(mails.slice(start))?.[0];
          return link;
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBeDefined();

    const newcomer = await watchedContext(browser);
    try {
      const password = 'Un mot de passe bien long 2026';
      await newcomer.page.goto(link ?? '');
      await expect.poll(() => heading(newcomer.page)).toBe('Choisir un mot de passe');
      await newcomer.page.getByLabel('Nouveau mot de passe').fill(password);
      await newcomer.page.getByLabel('Confirmer le mot de passe').fill(password);
      await newcomer.page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
      await newcomer.page.getByText('Votre mot de passe est enregistré').waitFor();
      await newcomer.page.getByRole('link', { name: 'Se connecter' }).click();
      await signIn(newcomer.page, email, password);
      await expect.poll(() => heading(newcomer.page)).toBe('Bonjour Nouvel Agent');
      // An agent who administers nothing has no administration console.
      const navigation = newcomer.page.getByRole('navigation', { name: 'Menu principal' });
      expect(await navigation.getByRole('link').allInnerTexts()).toEqual([
        'Accueil',
        'Messagerie',
        'Documents',
        'Albert',
        'Recherche',
        'Annuaire',
      ]);
      expect(newcomer.problems).toEqual(noProblems);
    } finally {
      await newcomer.context.close();
    }
  });

  it('filters the audit log, and shows the sign-ins', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      await signIn(page, 'claire.martin@demo.gouv.fr');
      await page.goto('/administration/journal');
      await expect.poll(() => heading(page)).toBe('Journal d’audit');
      await page.getByRole('textbox', { name: /^Action/ }).fill('identity.login');
      await page.getByRole('combobox', { name: 'Résultat' }).selectOption('success');
      await page.getByRole('button', { name: 'Filtrer' }).click();
      await page.waitForURL(/actionPrefix=identity\.login/);
      await expect.poll(() => page.getByRole('table').innerText()).toContain('identity.login.succeeded');
      expect(await page.getByRole('table').innerText()).not.toContain('identity.login.failed');
      await saveScreenshot(page, 'admin-audit-filtered');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });
});

describe('my account', () => {
  it('creates an API key, whose secret is shown once, and ends another session', async () => {
    const other = await watchedContext(browser);
    const { context, page, problems } = await watchedContext(browser);
    try {
      await signIn(other.page, 'sophie.leroy@demo.gouv.fr');
      await signIn(page, 'sophie.leroy@demo.gouv.fr');
      await page.goto('/compte/cles-api');
      await expect.poll(() => heading(page)).toBe('Mes clés d’API');
      await page.getByRole('textbox', { name: 'Nom de la clé' }).fill('Script de test');
      await page.getByText('Documents (lecture)').click();
      await page.getByRole('button', { name: 'Créer la clé' }).click();
      await expect.poll(() => page.getByTestId('api-key-secret').innerText()).toMatch(/^bk_/);
      await expect.poll(() => page.getByRole('table').innerText()).toContain('Script de test');

      await page.goto('/compte/sessions');
      await expect.poll(() => page.getByRole('button', { name: 'Fermer' }).count()).toBe(1);
      await page.getByRole('button', { name: 'Fermer' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Fermer' }).count()).toBe(0);
      // The other browser's session has ended: its next page asks for sign-in.
      await other.page.goto('/compte/profil');
      await other.page.waitForURL('**/connexion?retour=%2Fcompte%2Fprofil');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
      await other.context.close();
    }
  });
});

describe('an external partner', () => {
  it('sees neither the directory nor the administration', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      await signIn(page, 'lea.fontaine@partenaire.example.fr');
      await expect.poll(() => heading(page)).toBe('Bonjour Léa Fontaine');
      const navigation = page.getByRole('navigation', { name: 'Menu principal' });
      expect(await navigation.getByRole('link').allInnerTexts()).toEqual([
        'Accueil',
        'Messagerie',
        'Documents',
        'Recherche',
      ]);
      await page.getByRole('button', { name: 'Services' }).first().click();
      expect(
        await page
          .getByRole('navigation', { name: 'Accéder aux services' })
          .getByRole('list', { name: 'Services de Bureau' })
          .getByRole('link')
          .allInnerTexts(),
      ).toEqual(['Accueil', 'Messagerie', 'Documents', 'Recherche']);

      await page.goto('/administration/utilisateurs');
      await expect.poll(() => heading(page)).toBe('Accès refusé');
      await page.goto('/annuaire');
      await expect.poll(() => heading(page)).toBe('Accès refusé');
      await saveScreenshot(page, 'external-directory-forbidden');

      // Her own card, and the group she belongs to, are hers to see.
      const me = await callApi<{ id: string }>(page, 'GET', '/api/me');
      await page.goto(`/annuaire/personnes/${me.id}`);
      await expect.poll(() => heading(page)).toBe('Léa Fontaine');
      expect(await page.getByRole('main').innerText()).toMatch(/partenaire externe/i);
      await page.getByRole('main').getByRole('link', { name: 'Équipe projet Bureau' }).click();
      await expect.poll(() => heading(page)).toBe('Équipe projet Bureau');
      expect(await page.getByRole('main').innerText()).toContain('Léa Fontaine');
      // Not a manager: no way to add members.
      expect(await page.getByRole('heading', { name: 'Ajouter des membres' }).count()).toBe(0);
      await saveScreenshot(page, 'external-own-group');
      // The directory API refuses her, from her own browser session.
      const status = await page.evaluate(async () => (await fetch('/api/directory/users')).status);
      expect(status).toBe(403);
      await saveScreenshot(page, 'external-forbidden');
      // Chromium logs the 403 of that direct call; nothing else went wrong.
      expect(problems.consoleErrors.filter((error) => !error.includes('/api/directory/users'))).toEqual([]);
      expect(problems.cspViolations).toEqual([]);
      expect(problems.pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('search', () => {
  it('finds a group from the header’s search box and opens its directory page', async () => {
    const { context, page, problems } = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      await signIn(page, 'sophie.leroy@demo.gouv.fr');
      await page.getByRole('searchbox', { name: 'Rechercher' }).fill('Équipe projet');
      await page.getByRole('searchbox', { name: 'Rechercher' }).press('Enter');
      await page.waitForURL(/\/recherche\?q=/);
      await expect.poll(() => heading(page)).toBe('Recherche : Équipe projet');
      const results = page.getByRole('list', { name: 'Recherche' });
      const group = results.getByRole('link', { name: 'Équipe projet Bureau' });
      await expect.poll(() => group.count()).toBe(1);
      // Its type, as the facets name it (DSFR badges are in capitals).
      expect(await results.innerText()).toMatch(/groupes/i);
      await saveScreenshot(page, 'search-results');
      await group.click();
      await page.waitForURL(/\/annuaire\/groupes\/[\w-]+$/);
      await expect.poll(() => heading(page)).toBe('Équipe projet Bureau');
      const main = page.getByRole('main');
      await expect.poll(() => main.innerText()).toContain('Karim Benali');
      expect(await main.innerText()).toContain('Le projet de l’espace numérique, DNUM et DAJ.');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });
});

describe('notifications', () => {
  it('tells a person live, in the bell and to screen readers, that they were added to a group', async () => {
    const member = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    const admin = await watchedContext(browser);
    try {
      await signIn(member.page, 'thomas.nguyen@demo.gouv.fr');
      await expect.poll(() => heading(member.page)).toBe('Bonjour Thomas Nguyen');
      const bell = member.page.getByRole('button', { name: /^Notifications/ }).first();
      const before = (await bell.textContent()) ?? '';

      await signIn(admin.page, 'claire.martin@demo.gouv.fr');
      await admin.page.goto('/administration/groupes');
      await expect.poll(() => heading(admin.page)).toBe('Groupes');
      await admin.page
        .getByRole('textbox', { name: /^Ajouter un membre au groupe Équipe projet Bureau/ })
        .fill('thomas.nguyen@demo.gouv.fr');
      await admin.page.getByRole('button', { name: 'Ajouter' }).first().click();
      await expect
        .poll(() => admin.page.getByRole('region', { name: 'Équipe projet Bureau' }).innerText())
        .toContain('Thomas Nguyen');

      // No page load on the member's side: the stream brings the notification.
      const arrived = await bell
        .evaluate(
          (element, previous) =>
            new Promise<boolean>((resolve) => {
              const check = () => element.textContent !== previous;
              if (check()) return resolve(true);
              const observer = new MutationObserver(() => check() && resolve(true));
              observer.observe(element, { childList: true, subtree: true, characterData: true });
              setTimeout(() => resolve(false), 8_000);
            }),
          before,
        )
        .catch(() => false);
      expect(arrived).toBe(true);
      expect(await bell.textContent()).toMatch(/^Notifications\d+, \d+ non lue/);
      await expect
        .poll(() => member.page.locator('[data-live-region="notification"]').innerText())
        .toMatch(/^Nouvelle notification/);
      await bell.click();
      await saveScreenshot(member.page, 'notification-received');
      // The notification opens the group's page in the directory.
      await member.page
        .getByRole('link', { name: /Équipe projet Bureau/ })
        .first()
        .click();
      await expect.poll(() => heading(member.page)).toBe('Équipe projet Bureau');
      await expect.poll(() => member.page.getByRole('main').innerText()).toContain('Thomas Nguyen');
      expect(member.problems).toEqual(noProblems);
    } finally {
      await member.context.close();
      await admin.context.close();
    }
  });
});

describe('the directory', () => {
  it('lets an agent find a colleague, open their card, then their organisation and the one above', async () => {
    const { context, page, problems } = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      await signIn(page, 'sophie.leroy@demo.gouv.fr');
      await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Annuaire' }).click();
      await expectHeading(page, 'Annuaire');
      const main = page.getByRole('main');
      // The organisation tree, and everyone before any search.
      await expect.poll(() => main.getByRole('link', { name: 'Direction des affaires juridiques' }).count()).toBe(1);
      await page.getByRole('searchbox', { name: /^Rechercher une personne/ }).fill('Benali');
      await page.getByRole('search', { name: 'Rechercher une personne' }).getByRole('button').click();
      await page.waitForURL(/\/annuaire\?q=Benali/);
      const people = page.getByRole('list', { name: 'Personnes' });
      await expect.poll(() => people.getByRole('link').allInnerTexts()).toEqual(['Karim Benali']);
      await saveScreenshot(page, 'directory-search');

      await people.getByRole('link', { name: 'Karim Benali' }).click();
      await expectHeading(page, 'Karim Benali');
      expect(await main.innerText()).toContain('Chef de projet');
      expect(await main.getByRole('link', { name: 'karim.benali@demo.gouv.fr' }).getAttribute('href')).toBe(
        'mailto:karim.benali@demo.gouv.fr',
      );
      expect(await main.getByRole('link', { name: 'Équipe projet Bureau' }).count()).toBe(1);
      await saveScreenshot(page, 'directory-person');

      await main.getByRole('link', { name: 'Direction du numérique' }).click();
      await expectHeading(page, 'Direction du numérique');
      const breadcrumb = page.getByRole('navigation', { name: /fil d’Ariane|vous êtes ici/i });
      await expect.poll(() => breadcrumb.innerText()).toContain('Ministère de la Démonstration');
      await expect
        .poll(() => page.getByRole('list', { name: 'Les agents de Direction du numérique' }).innerText())
        .toContain('Karim Benali');
      await saveScreenshot(page, 'directory-organisation');

      await breadcrumb.getByRole('link', { name: 'Ministère de la Démonstration' }).click();
      await expectHeading(page, 'Ministère de la Démonstration');
      await expect.poll(() => main.innerText()).toContain('demo.gouv.fr');
      expect(await main.getByRole('link', { name: 'Direction du numérique' }).count()).toBe(1);
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('lets a group’s manager add a colleague, make them manager and remove them; a member leaves', async () => {
    const manager = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    const member = await watchedContext(browser);
    try {
      await signIn(manager.page, 'julie.moreau@demo.gouv.fr');
      const name = `Atelier design ${Date.now()}`;
      const group = await callApi<{ id: string }>(manager.page, 'POST', '/api/groups', { name, description: null });
      await manager.page.goto(`/annuaire/groupes/${group.id}`);
      await expectHeading(manager.page, name);
      const main = manager.page.getByRole('main');
      await expect.poll(() => main.innerText()).toContain('1 membre');

      await manager.page.getByRole('searchbox', { name: 'Personne à ajouter' }).fill('Nicolas');
      await manager.page.getByRole('button', { name: 'Personne à ajouter' }).click();
      await manager.page.getByRole('button', { name: 'Ajouter', exact: true }).click();
      await manager.page.getByText('Nicolas Petit a été ajouté(e) au groupe.').waitFor();
      await expect.poll(() => main.innerText()).toContain('2 membres');
      await saveScreenshot(manager.page, 'directory-group-manager');

      await manager.page.getByRole('button', { name: 'Nommer responsable' }).click();
      await manager.page.getByText('Le rôle de Nicolas Petit a été modifié.').waitFor();
      await expect.poll(() => manager.page.getByRole('button', { name: 'Rendre simple membre' }).count()).toBe(1);

      await manager.page.getByRole('button', { name: `Retirer Nicolas Petit du groupe ${name}` }).click();
      await manager.page.getByRole('button', { name: 'Confirmer' }).click();
      await manager.page.getByText('Nicolas Petit a été retiré(e) du groupe.').waitFor();
      await expect.poll(() => main.innerText()).toContain('1 membre');
      expect(manager.problems).toEqual(noProblems);

      // A member leaves on their own.
      await callApi(
        manager.page,
        'PUT',
        `/api/groups/${group.id}/members/${await userId(manager.page, 'camille.roux')}`,
        {
          role: 'member',
        },
      );
      await signIn(member.page, 'camille.roux@demo.gouv.fr');
      await member.page.goto(`/annuaire/groupes/${group.id}`);
      await expectHeading(member.page, name);
      expect(await member.page.getByRole('heading', { name: 'Ajouter des membres' }).count()).toBe(0);
      await member.page.getByRole('button', { name: 'Quitter le groupe' }).click();
      await member.page.getByRole('button', { name: 'Confirmer' }).click();
      await member.page.getByText(`Vous avez quitté le groupe « ${name} ».`).waitFor();
      expect(await member.page.getByRole('button', { name: 'Quitter le groupe' }).count()).toBe(0);
      expect(member.problems).toEqual(noProblems);
    } finally {
      await manager.context.close();
      await member.context.close();
    }
  });
});

/** The id of a demo agent, found through the directory. */
async function userId(page: Page, emailLocalPart: string): Promise<string> {
  const found = await callApi<{ items: { id: string; email: string }[] }>(
    page,
    'GET',
    `/api/directory/users?search=${emailLocalPart}`,
  );
  const user = found.items.find((item) => item.email.startsWith(`${emailLocalPart}@`));
  if (!user) throw new Error(`${emailLocalPart} is not in the directory`);
  return user.id;
}

describe('administration of the workplace', () => {
  it('adds an external service, which appears in another person’s app switcher, then removes it', async () => {
    const admin = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    const agent = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      await signIn(admin.page, 'claire.martin@demo.gouv.fr');
      await admin.page.goto('/administration/services-externes');
      await expectHeading(admin.page, 'Services externes');
      await admin.page.getByRole('button', { name: 'Ajouter un service' }).click();
      const id = admin.page.getByRole('textbox', { name: /^Identifiant/ }).last();
      // The new row's first field has the focus.
      expect(await id.evaluate((element) => element === document.activeElement)).toBe(true);
      await id.fill('Grist!');
      await admin.page.getByRole('textbox', { name: /^Nom/ }).last().fill('Grist');
      await admin.page
        .getByRole('textbox', { name: /^Adresse/ })
        .last()
        .fill('grist.numerique.gouv.fr');
      await admin.page.getByRole('button', { name: 'Enregistrer les services' }).click();
      // The form says what is wrong, field by field, DSFR style.
      await admin.page.getByRole('alert').filter({ hasText: 'Le formulaire contient 2 erreurs' }).waitFor();
      expect(await admin.page.locator('.fr-input-group--error').count()).toBe(2);
      await saveScreenshot(admin.page, 'admin-services-errors');

      await id.fill('grist');
      await admin.page
        .getByRole('textbox', { name: /^Adresse/ })
        .last()
        .fill('https://grist.numerique.gouv.fr');
      await admin.page
        .getByRole('textbox', { name: /^Description/ })
        .last()
        .fill('Tableurs collaboratifs');
      await admin.page.getByRole('button', { name: 'Enregistrer les services' }).click();
      await admin.page.getByText('Les services externes sont enregistrés.').waitFor();
      await saveScreenshot(admin.page, 'admin-services-saved');

      await signIn(agent.page, 'sophie.leroy@demo.gouv.fr');
      await agent.page.getByRole('button', { name: 'Services' }).first().click();
      const others = agent.page
        .getByRole('navigation', { name: 'Accéder aux services' })
        .getByRole('list', { name: 'Autres services' });
      const grist = others.getByRole('link', { name: /^Grist/ });
      await expect.poll(() => grist.innerText()).toContain('Tableurs collaboratifs');
      expect(await grist.getAttribute('href')).toBe('https://grist.numerique.gouv.fr');
      expect(await grist.getAttribute('target')).toBe('_blank');
      await saveScreenshot(agent.page, 'gaufre-external-service');

      // Removed and saved: the list is empty again.
      await admin.page.getByRole('button', { name: 'Retirer', exact: true }).last().click();
      await admin.page.getByRole('button', { name: 'Enregistrer les services' }).click();
      await admin.page.getByText('Les services externes sont enregistrés.').waitFor();
      const services = await callApi<{ items: { id: string }[] }>(agent.page, 'GET', '/api/workplace/services');
      expect(services.items.map((service) => service.id)).not.toContain('grist');
      expect(admin.problems).toEqual(noProblems);
      expect(agent.problems).toEqual(noProblems);
    } finally {
      await admin.context.close();
      await agent.context.close();
    }
  });

  it('revokes a pending invitation after asking for confirmation', async () => {
    const { context, page, problems } = await watchedContext(browser);
    const email = `invite.${Date.now()}@demo.gouv.fr`;
    try {
      await signIn(page, 'claire.martin@demo.gouv.fr');
      await page.goto('/administration/invitations');
      await expectHeading(page, 'Invitations');
      await page.getByRole('textbox', { name: 'Adresse électronique' }).fill(email);
      await page.getByRole('button', { name: 'Envoyer l’invitation' }).click();
      await page.getByText(`Invitation envoyée à ${email}`).waitFor();
      await expect.poll(() => page.getByRole('table').innerText()).toContain(email);

      await page.getByRole('button', { name: `Révoquer l’invitation de ${email}` }).click();
      const confirm = page.getByRole('button', { name: 'Confirmer' });
      expect(await confirm.evaluate((element) => element === document.activeElement)).toBe(true);
      await saveScreenshot(page, 'admin-invitation-confirm');
      await confirm.click();
      await page.getByText(`L’invitation de ${email} est révoquée.`).waitFor();
      await expect.poll(async () => (await page.getByRole('main').innerText()).includes(`\n${email}`)).toBe(false);
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('creates an organisation’s service key, shows its secret once, and revokes it', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      await signIn(page, 'claire.martin@demo.gouv.fr');
      await page.goto('/administration/cles-de-service');
      await expectHeading(page, 'Clés de service');
      const organisations = await callApi<{ items: { id: string; name: string }[] }>(
        page,
        'GET',
        '/api/admin/organisations',
      );
      const dnum = organisations.items.find((organisation) => organisation.name === 'Direction du numérique');
      await page.getByRole('combobox', { name: 'Organisation' }).selectOption(dnum?.id ?? '');
      await page.waitForURL(/organisation=/);
      await page.getByRole('textbox', { name: /^Nom de la clé/ }).fill('Passerelle DGFiP');
      await page.getByText('Documents (lecture)').click();
      await page.getByRole('button', { name: 'Créer la clé de service' }).click();
      await expect.poll(() => page.getByTestId('service-key-secret').innerText()).toMatch(/^bk_/);
      await expect.poll(() => page.getByRole('table').innerText()).toContain('Passerelle DGFiP');
      await saveScreenshot(page, 'admin-service-key-created');

      await page.getByRole('button', { name: 'Révoquer la clé Passerelle DGFiP' }).click();
      await page.getByRole('button', { name: 'Confirmer' }).click();
      await page.getByText('La clé « Passerelle DGFiP » est révoquée.').waitFor();
      await expect.poll(() => page.getByText('Aucune clé de service pour cette organisation.').count()).toBe(1);
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('merges a duplicate account into another and shows what moved', async () => {
    const { context, page, problems } = await watchedContext(browser);
    const stamp = Date.now();
    try {
      await signIn(page, 'claire.martin@demo.gouv.fr');
      const kept = await callApi<{ id: string }>(page, 'POST', '/api/admin/users', {
        email: `jeanne.dupont.${stamp}@demo.gouv.fr`,
        displayName: 'Jeanne Dupont',
      });
      const duplicate = await callApi<{ id: string }>(page, 'POST', '/api/admin/users', {
        email: `j.dupont.${stamp}@demo.gouv.fr`,
        displayName: 'J. Dupont',
      });
      const group = await callApi<{ id: string }>(page, 'POST', '/api/groups', { name: `Groupe ${stamp}` });
      await callApi(page, 'PUT', `/api/groups/${group.id}/members/${duplicate.id}`, { role: 'member' });

      await page.goto('/administration/utilisateurs');
      await page.getByRole('searchbox', { name: 'Rechercher un compte' }).fill(`jeanne.dupont.${stamp}`);
      await page.getByRole('button', { name: 'Rechercher un compte' }).click();
      await expect.poll(() => page.getByRole('table').innerText()).toContain('Jeanne Dupont');
      await page.getByRole('link', { name: 'Fusionner' }).click();
      await expectHeading(page, 'Fusionner avec un autre compte');
      expect(new URL(page.url()).pathname).toBe(`/administration/utilisateurs/${kept.id}/fusion`);

      await page.getByRole('searchbox', { name: 'Rechercher le compte en double' }).fill(`j.dupont.${stamp}`);
      await page.getByRole('button', { name: 'Rechercher le compte en double' }).click();
      await page.getByText(`J. Dupont (j.dupont.${stamp}@demo.gouv.fr)`).click();
      await page.getByText('Cette opération est définitive').waitFor();
      await saveScreenshot(page, 'admin-merge-confirm');
      await page.getByRole('button', { name: 'Fusionner les comptes' }).click();
      await page.getByText(/est fusionné dans celui de Jeanne Dupont/).waitFor();
      expect(await page.getByRole('main').innerText()).toContain('1 groupe');
      await saveScreenshot(page, 'admin-merge-done');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });
});
