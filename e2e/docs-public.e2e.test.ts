/// <reference lib="dom" />
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './axe.ts';
import { bureauAddress, launchChromium, noProblems, saveScreenshot, signIn, watchedContext } from './browser.ts';
import type { Problems } from './browser.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function heading(page: Page): Promise<string> {
  return page.getByRole('heading', { level: 1 }).innerText();
}

/** The page's text, as a screen reader user finds it. */
function editor(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Contenu de la page' });
}

const publicLink = 'Toute personne ayant le lien (lecture seule)';

/**
 * The visitor's problems but one: once the public link is gone, `GET /api/docs/:id` answers 404, which
 * Chromium logs as a console error, and the page then says the document is not public.
 */
function withoutExpectedNotFound(problems: Problems, documentId: string): Problems {
  const notFound = `${bureauAddress()}/api/docs/${documentId}: Failed to load resource: the server responded with a status of 404`;
  return { ...problems, consoleErrors: problems.consoleErrors.filter((error) => !error.startsWith(notFound)) };
}

describe('a page read through its public link', () => {
  it('lets a visitor who is not signed in read a page live, never write, until the link is removed', async () => {
    const title = `Avis au public ${Date.now()}`;
    const antoine = await watchedContext(browser, {
      viewport: { width: 1400, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const visitor = await watchedContext(browser, { viewport: { width: 1280, height: 900 } });
    try {
      await signIn(antoine.page, 'antoine.dubois@demo.gouv.fr');

      // Antoine creates a page, names it and writes a sentence.
      await antoine.page.goto('/documents');
      await expect.poll(() => heading(antoine.page)).toBe('Documents');
      await antoine.page.getByRole('button', { name: 'Nouveau document' }).click();
      await antoine.page
        .getByRole('dialog', { name: 'Nouveau document' })
        .getByRole('button', { name: 'Créer la page' })
        .click();
      await antoine.page.waitForURL(/\/documents\/[0-9a-f-]{36}$/);
      const documentId = new URL(antoine.page.url()).pathname.split('/').at(-1) ?? '';
      await antoine.page.getByRole('textbox', { name: 'Titre du document' }).fill(title);
      await antoine.page.getByRole('textbox', { name: 'Titre du document' }).press('Enter');
      await expect.poll(() => heading(antoine.page)).toBe(title);
      await editor(antoine.page).click();
      await antoine.page.keyboard.type('La mairie sera fermée le 2 janvier.');

      // He shares it with anyone who has the link, and copies the link the dialog gives.
      await antoine.page.getByRole('button', { name: 'Partager', exact: true }).click();
      const share = antoine.page.getByRole('dialog', { name: `Partager « ${title} »` });
      // DSFR's radio buttons are drawn by their labels, which take the clicks.
      await share.getByText('Lien', { exact: true }).click();
      await share.getByText(publicLink, { exact: true }).click();
      expect(await share.getByRole('radio', { name: publicLink, exact: true }).isChecked()).toBe(true);
      expect(await share.getByRole('combobox', { name: /^Rôle/ }).isDisabled()).toBe(true);
      await share.getByRole('button', { name: 'Donner accès' }).click();
      await share.getByText(`${publicLink} a maintenant accès.`).waitFor();
      await share.getByText('Un lien public est actif').waitFor();
      await share.getByRole('button', { name: 'Copier le lien' }).click();
      await share.getByText('Copié dans le presse-papiers.').waitFor();
      const link = await antoine.page.evaluate(() => navigator.clipboard.readText());
      expect(link).toBe(`${bureauAddress()}/documents/${documentId}`);
      expect(await share.getByText(link, { exact: true }).count()).toBe(1);
      await share.getByRole('button', { name: 'Fermer' }).click();

      // The rest of the documents still asks a visitor who is not signed in to sign in first.
      await visitor.page.goto('/documents/corbeille');
      await visitor.page.waitForURL(`${bureauAddress()}/connexion?retour=%2Fdocuments%2Fcorbeille`);

      // A visitor who is not signed in opens the link: the page, read only, under the instance's header.
      await visitor.page.goto(link);
      await expect.poll(() => heading(visitor.page)).toBe(title);
      expect(visitor.page.url()).toBe(link);
      await expect
        .poll(() => visitor.page.getByRole('banner').innerText())
        .toContain('Administration de démonstration');
      await editor(visitor.page).getByText('La mairie sera fermée le 2 janvier.').waitFor();
      expect(await visitor.page.getByText('Lecture seule', { exact: true }).count()).toBe(1);
      expect(await visitor.page.getByRole('link', { name: 'Se connecter' }).getAttribute('href')).toBe(
        `/connexion?retour=${encodeURIComponent(`/documents/${documentId}`)}`,
      );
      // Nothing of the signed-in page: no tree, sharing, actions, discussions.
      for (const name of ['Partager', 'Plus d’actions', 'Favori']) {
        expect(await visitor.page.getByRole('button', { name, exact: true }).count()).toBe(0);
      }
      expect(await visitor.page.getByRole('button', { name: /^Discussions/ }).count()).toBe(0);
      await expect
        .poll(() => visitor.page.locator('.bureau-docs-connection [role="status"]').innerText())
        .toBe('Synchronisé');

      // What Antoine types appears live; he sees the visitor among the people on the page.
      await editor(antoine.page).getByText('La mairie sera fermée le 2 janvier.').click();
      await antoine.page.keyboard.press('End');
      await antoine.page.keyboard.type(' Réouverture le 3 janvier.');
      await editor(visitor.page).getByText('Réouverture le 3 janvier.').waitFor();
      await expect
        .poll(() => antoine.page.getByRole('list', { name: 'Personnes sur la page' }).innerText())
        .toContain('Visiteur');

      // The visitor's keys change nothing, on their screen or on Antoine's.
      expect(await editor(visitor.page).getAttribute('contenteditable')).toBe('false');
      const before = await editor(visitor.page).innerText();
      await editor(visitor.page).getByText('Réouverture le 3 janvier.').click();
      await visitor.page.keyboard.type('Texte interdit');
      await visitor.page.keyboard.press('Enter');
      expect(await editor(visitor.page).innerText()).toBe(before);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await editor(antoine.page).innerText()).not.toContain('Texte interdit');

      // The public view has no serious accessibility violation.
      expect({ page: 'docs-public', violations: await seriousAxeViolations(visitor.page) }).toEqual({
        page: 'docs-public',
        violations: [],
      });
      await saveScreenshot(visitor.page, 'docs-public');

      // Antoine removes the public link: on reload, the visitor is told to sign in.
      await antoine.page.getByRole('button', { name: 'Partager', exact: true }).click();
      await share.getByRole('button', { name: `Retirer l’accès de ${publicLink}` }).click();
      await share.getByRole('button', { name: 'Confirmer' }).click();
      await share.getByText(`L’accès de ${publicLink} est retiré.`).waitFor();
      // The removal is announced at once; the notice goes when the list of shares has been read again.
      await expect.poll(() => share.getByText('Un lien public est actif').count()).toBe(0);
      await share.getByRole('button', { name: 'Fermer' }).click();

      await visitor.page.reload();
      await expect.poll(() => heading(visitor.page)).toBe('Ce document n’existe pas, ou il n’est pas public');
      expect(await visitor.page.getByRole('textbox', { name: 'Contenu de la page' }).count()).toBe(0);
      await saveScreenshot(visitor.page, 'docs-public-gone');

      // Signing in from there brings the person back to the page, whole, with their own rights.
      await visitor.page.getByRole('link', { name: 'Se connecter' }).click();
      await visitor.page.waitForURL(/\/connexion\?retour=/);
      await signIn(visitor.page, 'antoine.dubois@demo.gouv.fr');
      expect(visitor.page.url()).toBe(link);
      await visitor.page.getByRole('textbox', { name: 'Titre du document' }).waitFor();
      await editor(visitor.page).getByText('Réouverture le 3 janvier.').waitFor();
      expect(await editor(visitor.page).getAttribute('contenteditable')).toBe('true');

      expect(antoine.problems).toEqual(noProblems);
      expect(withoutExpectedNotFound(visitor.problems, documentId)).toEqual(noProblems);
    } finally {
      await antoine.context.close();
      await visitor.context.close();
    }
  });
});
