/// <reference lib="dom" />
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './axe.ts';
import { callApi, launchChromium, noProblems, saveScreenshot, signIn, watchedContext } from './browser.ts';

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

/** Selects a piece of the page's text with the mouse's result: a DOM selection, which the editor reads. */
async function selectText(page: Page, text: string): Promise<void> {
  await editor(page).getByText(text).first().click();
  await editor(page).evaluate((element, wanted) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const start = node.textContent?.indexOf(wanted) ?? -1;
      if (start < 0) continue;
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + wanted.length);
      const selection = getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      return;
    }
  }, text);
}

describe('documents written together', () => {
  it('edits a page live with a colleague, discusses it with a mention that notifies, lets a commenter comment, keeps readers out', async () => {
    const title = `Note de cadrage ${Date.now()}`;
    const antoine = await watchedContext(browser, { viewport: { width: 1400, height: 900 } });
    const fatima = await watchedContext(browser, { viewport: { width: 1400, height: 900 } });
    try {
      await Promise.all([
        signIn(antoine.page, 'antoine.dubois@demo.gouv.fr'),
        signIn(fatima.page, 'fatima.elamrani@demo.gouv.fr'),
      ]);

      // Antoine creates a blank page from the documents' home and names it.
      await antoine.page
        .getByRole('navigation', { name: 'Menu principal' })
        .getByRole('link', { name: 'Documents' })
        .click();
      await expect.poll(() => heading(antoine.page)).toBe('Documents');
      await antoine.page.getByRole('button', { name: 'Nouveau document' }).click();
      const newPage = antoine.page.getByRole('dialog', { name: 'Nouveau document' });
      expect(await newPage.getByRole('radio', { name: 'Page vierge' }).isChecked()).toBe(true);
      await newPage.getByRole('button', { name: 'Créer la page' }).click();
      await antoine.page.waitForURL(/\/documents\/[0-9a-f-]{36}$/);
      const documentId = new URL(antoine.page.url()).pathname.split('/').at(-1) ?? '';
      await antoine.page.getByRole('textbox', { name: 'Titre du document' }).fill(title);
      await antoine.page.getByRole('textbox', { name: 'Titre du document' }).press('Enter');
      await expect.poll(() => heading(antoine.page)).toBe(title);

      // He shares it with Fatima as an editor.
      await antoine.page.getByRole('button', { name: 'Partager', exact: true }).click();
      const share = antoine.page.getByRole('dialog', { name: `Partager « ${title} »` });
      await share.getByRole('searchbox', { name: /^Personne/ }).fill('Fatima');
      await share.getByRole('button', { name: /^Fatima El Amrani/ }).click();
      await share.getByRole('combobox', { name: 'Rôle' }).selectOption('editor');
      await share.getByRole('button', { name: 'Donner accès' }).click();
      await share.getByText('Fatima El Amrani a maintenant accès.').waitFor();
      await share.getByRole('button', { name: 'Fermer' }).click();

      // Both are on the page; what one types appears on the other's screen, with the writer's cursor.
      await editor(antoine.page).click();
      await antoine.page.keyboard.type('Bonjour Fatima, voici le projet de note.');
      await fatima.page.goto(`/documents/${documentId}`);
      await expect.poll(() => heading(fatima.page)).toBe(title);
      await editor(fatima.page).getByText('voici le projet de note').waitFor();
      await antoine.page.keyboard.type(' Relis-le.');
      await editor(fatima.page).getByText('Relis-le.').waitFor();
      await fatima.page
        .locator('.bn-collaboration-cursor__label', { hasText: 'Antoine Dubois' })
        .waitFor({ state: 'attached' });
      await expect
        .poll(() => fatima.page.getByRole('list', { name: 'Personnes sur la page' }).innerText())
        .toContain('Antoine Dubois');

      await editor(fatima.page).getByText('Relis-le.').click();
      await fatima.page.keyboard.press('End');
      await fatima.page.keyboard.type(' D’accord.');
      await editor(antoine.page).getByText('D’accord.').waitFor();

      // Fatima comments on a piece of the text and mentions Antoine.
      await selectText(fatima.page, 'projet de note');
      await fatima.page.getByRole('button', { name: 'Ajouter un commentaire' }).click();
      const composer = fatima.page.getByRole('textbox', { name: 'Nouveau commentaire' });
      await composer.pressSequentially('Peux-tu relire @Ant');
      await fatima.page.getByRole('option', { name: /Antoine Dubois/ }).click();
      await composer.pressSequentially('merci !');
      await fatima.page.getByRole('button', { name: 'Commenter', exact: true }).click();
      const fatimaThread = fatima.page.getByRole('article', { name: 'Sur « projet de note »' });
      await fatimaThread.getByText('Peux-tu relire').waitFor();
      expect(await fatimaThread.getByRole('link', { name: '@Antoine Dubois' }).count()).toBe(1);
      // The commented text is marked on both screens.
      await antoine.page.locator('.bn-thread-mark', { hasText: 'projet de note' }).waitFor();

      // Antoine is notified; the notification opens the page on that discussion.
      await antoine.page
        .getByRole('button', { name: /^Notifications/ })
        .first()
        .click();
      await antoine.page.getByRole('link', { name: `Fatima El Amrani vous a mentionné dans « ${title} »` }).click();
      await antoine.page.waitForURL(/\?discussion=/);
      const antoineThread = antoine.page.getByRole('article', { name: 'Sur « projet de note »' });
      await antoineThread.getByText('Peux-tu relire').waitFor();
      await expect
        .poll(() => antoine.page.evaluate(() => document.activeElement?.getAttribute('aria-labelledby') !== null))
        .toBe(true);
      expect(await antoineThread.evaluate((element) => element === document.activeElement)).toBe(true);
      await saveScreenshot(antoine.page, 'docs-discussion');

      // Antoine resolves it: Fatima sees it among the resolved ones.
      await antoineThread.getByRole('button', { name: 'Résoudre' }).click();
      await antoine.page.getByText('Discussion résolue.').waitFor();
      await fatima.page.getByText('Résolues (1)').waitFor();

      // The document page has no serious accessibility violation, discussions shown.
      expect({ page: 'docs-page', violations: await seriousAxeViolations(antoine.page) }).toEqual({
        page: 'docs-page',
        violations: [],
      });

      // Fatima becomes a commenter: her page is read only, yet she comments on a piece of its text.
      const fatimaId = (
        await callApi<{ items: { id: string; email: string }[] }>(
          antoine.page,
          'GET',
          '/api/directory/users?search=fatima.elamrani',
        )
      ).items.find((person) => person.email === 'fatima.elamrani@demo.gouv.fr')?.id;
      const giveFatima = (role: string) =>
        callApi(antoine.page, 'POST', `/api/docs/${documentId}/shares`, {
          principal: { kind: 'user', id: fatimaId },
          role,
        });
      await giveFatima('commenter');
      await fatima.page.reload();
      await editor(fatima.page).getByText('D’accord.').waitFor();
      expect(await editor(fatima.page).getAttribute('contenteditable')).toBe('false');
      await selectText(fatima.page, 'Relis-le.');
      await fatima.page.getByRole('button', { name: 'Ajouter un commentaire' }).click();
      await fatima.page.getByRole('textbox', { name: 'Nouveau commentaire' }).pressSequentially('Plus court ?');
      await fatima.page.getByRole('button', { name: 'Commenter', exact: true }).click();
      await fatima.page.getByRole('article', { name: 'Sur « Relis-le. »' }).getByText('Plus court ?').waitFor();
      await antoine.page.locator('.bn-thread-mark', { hasText: 'Relis-le.' }).waitFor();

      // Then a reader: her keys change nothing, and she cannot comment.
      await giveFatima('reader');
      await fatima.page.reload();
      await editor(fatima.page).getByText('D’accord.').waitFor();
      expect(await editor(fatima.page).getAttribute('contenteditable')).toBe('false');
      expect(await fatima.page.getByText('Lecture seule').count()).toBe(1);
      const before = await editor(fatima.page).innerText();
      await editor(fatima.page).getByText('D’accord.').click();
      await fatima.page.keyboard.type('Texte interdit');
      expect(await editor(fatima.page).innerText()).toBe(before);
      expect(await fatima.page.getByRole('button', { name: 'Ajouter un commentaire' }).count()).toBe(0);
      await saveScreenshot(fatima.page, 'docs-reader');

      expect(antoine.problems).toEqual(noProblems);
      expect(fatima.problems).toEqual(noProblems);
    } finally {
      await antoine.context.close();
      await fatima.context.close();
    }
  });

  it('deletes a space from its settings once its pages are in the trash', async () => {
    const name = `Projet clos ${Date.now()}`;
    const antoine = await watchedContext(browser);
    try {
      await signIn(antoine.page, 'antoine.dubois@demo.gouv.fr');
      const space = await callApi<{ id: string }>(antoine.page, 'POST', '/api/docs/spaces', { name });
      const page = await callApi<{ id: string }>(antoine.page, 'POST', '/api/docs', {
        spaceId: space.id,
        title: 'Compte rendu final',
      });
      await antoine.page.goto(`/documents/espaces/${space.id}`);
      await expect.poll(() => heading(antoine.page)).toBe(name);

      // A space with a page outside the trash stays, and says why.
      const settings = async () => {
        await antoine.page.getByRole('main').getByRole('button', { name: 'Paramètres', exact: true }).click();
        await antoine.page.getByRole('button', { name: 'Supprimer l’espace' }).click();
        await antoine.page.getByRole('button', { name: 'Supprimer l’espace' }).click();
      };
      await settings();
      await expect.poll(() => antoine.page.getByText(/contient encore 1 page/).count()).toBe(1);
      expect(await seriousAxeViolations(antoine.page)).toEqual([]);
      await antoine.page.getByRole('button', { name: 'Annuler' }).click();

      await callApi(antoine.page, 'DELETE', `/api/docs/${page.id}`);
      await settings();
      await expect.poll(() => heading(antoine.page)).toBe('Documents');
      await expect
        .poll(() =>
          antoine.page
            .getByRole('status')
            .filter({ hasText: `L’espace « ${name} » a été supprimé.` })
            .count(),
        )
        .toBe(1);
      expect(await antoine.page.getByRole('link', { name }).count()).toBe(0);
      // The refusal above is the only error the browser saw.
      expect(antoine.problems).toEqual({ ...noProblems, consoleErrors: [expect.stringContaining('status of 409')] });
    } finally {
      await antoine.context.close();
    }
  });
});
