/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bureauAddress, launchChromium, noProblems, saveScreenshot, signIn, watchedContext } from './browser.ts';

let browser: Browser;
let instanceName: string;

beforeAll(async () => {
  browser = await launchChromium();
  const instance = (await (await fetch(`${bureauAddress()}/api/instance`)).json()) as { name: string };
  instanceName = instance.name;
});
afterAll(async () => {
  await browser?.close();
});

async function overflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
}

describe('sign-in and home page', () => {
  it('asks for sign-in in French, names the administration, starts with skip links, then signs in', async () => {
    const { context, page, problems } = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      const response = await page.goto('/');
      expect(response?.status()).toBe(200);
      await page.waitForURL('**/connexion');
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      expect(instanceName).toBe('Administration de démonstration');
      const header = page.getByRole('banner');
      await expect.poll(() => header.innerText()).toContain(instanceName);
      expect(await header.innerText()).toContain('Bureau');
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Connexion à Bureau');
      await expect.poll(() => page.title()).toBe(`Connexion à Bureau – Bureau – ${instanceName}`);
      // No SSO provider is configured on this server: no ProConnect button.
      expect(await page.getByText('S’identifier avec').count()).toBe(0);

      // The first Tab lands on the skip links; "Contenu" moves the focus to the main content.
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => ({
        text: document.activeElement?.textContent,
        href: document.activeElement?.getAttribute('href'),
      }));
      expect(focused).toEqual({ text: 'Contenu', href: '#content' });
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');
      await saveScreenshot(page, 'login-fr-light');

      await signIn(page, 'claire.martin@demo.gouv.fr');
      expect(new URL(page.url()).pathname).toBe('/');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Bonjour Claire Martin');
      // The sign-in was a navigation: the focus is on the main content.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');
      await expect.poll(() => page.title()).toBe(`Accueil – Bureau – ${instanceName}`);
      const navigation = page.getByRole('navigation', { name: 'Menu principal' });
      expect(await navigation.getByRole('link').allInnerTexts()).toEqual([
        'Accueil',
        'Messagerie',
        'Documents',
        'Albert',
        'Recherche',
        'Annuaire',
        'Administration',
      ]);
      await saveScreenshot(page, 'home-fr-light');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('refuses a wrong password with the server’s message, and keeps the person on the sign-in page', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      await page.goto('/connexion');
      await page.getByRole('textbox', { name: /^Adresse électronique/ }).fill('claire.martin@demo.gouv.fr');
      await page.getByLabel('Mot de passe', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toMatch(/mot de passe|identifiants/i);
      expect(new URL(page.url()).pathname).toBe('/connexion');
      // The 401 of the failed sign-in is logged by Chromium; nothing else went wrong.
      expect(problems.consoleErrors.filter((error) => !error.includes('/api/auth/login'))).toEqual([]);
      expect(problems.cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('brings a deep link back after sign-in, and signs out from the account menu', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      await page.goto('/compte/sessions');
      await page.waitForURL('**/connexion?retour=%2Fcompte%2Fsessions');
      await signIn(page, 'karim.benali@demo.gouv.fr');
      expect(new URL(page.url()).pathname).toBe('/compte/sessions');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Mes sessions');
      await expect.poll(() => page.getByRole('table').innerText()).toMatch(/cette session/i);

      await page
        .getByRole('button', { name: /^Mon compte/ })
        .first()
        .click();
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL('**/connexion');
      await page.goto('/');
      await page.waitForURL('**/connexion');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('switches to English, and keeps the choice after a reload', async () => {
    const { context, page, problems } = await watchedContext(browser, {
      viewport: { width: 1280, height: 800 },
      colorScheme: 'dark',
    });
    try {
      await page.goto('/connexion');
      await page.getByRole('button', { name: 'English – Switch to English' }).first().click();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in to Bureau');
      await page.reload();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in to Bureau');
      await signIn(page, 'claire.martin@demo.gouv.fr', undefined, 'en');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Hello Claire Martin');
      await saveScreenshot(page, 'home-en-dark');

      await page.getByRole('button', { name: 'Français – Passer en français' }).first().click();
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      await page.reload();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Bonjour Claire Martin');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('fits a phone screen without horizontal scrolling, signed out and signed in', async () => {
    const { context, page, problems } = await watchedContext(browser, {
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await page.goto('/connexion');
      await expect.poll(() => page.getByRole('banner').innerText()).toContain(instanceName);
      expect((await overflow(page)).scrollWidth).toBeLessThanOrEqual((await overflow(page)).clientWidth);
      await saveScreenshot(page, 'login-phone');
      await signIn(page, 'claire.martin@demo.gouv.fr');
      const home = await overflow(page);
      expect(home.scrollWidth).toBeLessThanOrEqual(home.clientWidth);
      await saveScreenshot(page, 'home-phone');

      // On a phone the header's tools and the navigation are in DSFR's menu.
      await page.getByRole('button', { name: 'Menu' }).click();
      const menu = page.locator('#header-menu-modal-header');
      await menu.getByRole('link', { name: 'Administration' }).waitFor();
      await saveScreenshot(page, 'home-phone-menu');
      await menu.getByRole('link', { name: 'Administration' }).click();
      await page.waitForURL('**/administration/organisations');

      // WCAG 1.4.10 (reflow): still no horizontal scrolling at 320 CSS pixels.
      await page.setViewportSize({ width: 320, height: 640 });
      const narrowest = await overflow(page);
      expect(narrowest.scrollWidth).toBeLessThanOrEqual(narrowest.clientWidth);
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });
});
