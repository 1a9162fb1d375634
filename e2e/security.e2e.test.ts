/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bureauAddress, launchChromium, noProblems, signIn, watchedContext } from './browser.ts';

let browser: Browser;

beforeAll(async () => {
  // bureau.intranet reaches the same server under a name that is not loopback (see the last journey).
  browser = await launchChromium([`--host-resolver-rules=MAP bureau.intranet 127.0.0.1`]);
});
afterAll(async () => {
  await browser?.close();
});

describe('content security policy', () => {
  it('lets the sign-in page, the home page and a lazily loaded module run without a CSP violation or a console error', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      await page.goto('/');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Connexion à Bureau');
      await expect.poll(() => page.getByRole('contentinfo').innerText()).toMatch(/Version \d/);
      // The DSFR (styles, fonts, icons, its script) comes from Bureau itself.
      expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toMatch(/Marianne/);
      await signIn(page, 'claire.martin@demo.gouv.fr');
      await page
        .getByRole('navigation', { name: 'Menu principal' })
        .getByRole('link', { name: 'Administration' })
        .click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Organisations');
      // Switching the theme goes through DSFR's display settings, without an inline style.
      await page.getByRole('button', { name: /^Paramètres d.affichage$/ }).click();
      await page.getByText('Thème sombre').click();
      await expect.poll(() => page.getAttribute('html', 'data-fr-theme')).toBe('dark');
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300); // Violation reports are delivered asynchronously.
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('lets Swagger UI render the API at /api/reference/', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      const response = await page.goto('/api/reference/');
      expect(response?.status()).toBe(200);
      // The operations list is drawn from /api/reference/json by Swagger UI's scripts: the UI really works.
      await page.locator('.opblock-summary-path', { hasText: /^\/healthz$/ }).waitFor({ timeout: 15_000 });
      await page.locator('.opblock-summary-path', { hasText: /^\/api\/instance$/ }).waitFor();
      expect(await page.locator('.information-container .title').innerText()).toContain('Bureau API');
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300); // Violation reports are delivered asynchronously.
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  // Swagger UI's CSP once carried upgrade-insecure-requests, which blanked the page over plain HTTP
  // under a host name other than localhost (a test server on the LAN).
  it('serves a working /api/reference/ over plain HTTP under a host name', async () => {
    const port = new URL(bureauAddress()).port;
    const { context, page, problems } = await watchedContext(browser, { baseURL: `http://bureau.intranet:${port}` });
    try {
      await page.goto('/api/reference/', { waitUntil: 'load' });
      expect(problems.failedRequests).toEqual([]);
      await page.locator('.opblock-summary-path', { hasText: /^\/healthz$/ }).waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
    }
  });
});

describe('addresses typed in the address bar', () => {
  it('serves the web app for a deep link, so that its router can show it', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      const response = await page.goto('/quelque/part');
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      // Not signed in: the router sends the visitor to the sign-in page, which will bring them back.
      await page.waitForURL(`${bureauAddress()}/connexion?retour=%2Fquelque%2Fpart`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Connexion à Bureau');
      await signIn(page, 'claire.martin@demo.gouv.fr');
      expect(page.url()).toBe(`${bureauAddress()}/quelque/part`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Page introuvable');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('answers an unknown API path with the JSON 404, not with the web app', async () => {
    const { context, page } = await watchedContext(browser);
    try {
      const response = await page.goto('/api/nothing');
      expect(response?.status()).toBe(404);
      expect(response?.headers()['content-type']).toMatch(/^application\/json/);
      const body = (await response?.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('NOT_FOUND');
      expect(body.error.message).toEqual(expect.any(String));
      expect(await page.locator('#root').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
