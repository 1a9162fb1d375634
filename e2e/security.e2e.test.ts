/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bureauAddress, launchChromium, watchedContext, type Problems } from './browser.ts';

let browser: Browser;

beforeAll(async () => {
  // bureau.intranet reaches the same server under a name that is not loopback (see the last journey).
  browser = await launchChromium([`--host-resolver-rules=MAP bureau.intranet 127.0.0.1`]);
});
afterAll(async () => {
  await browser?.close();
});

const noProblems: Problems = { cspViolations: [], consoleErrors: [], pageErrors: [], failedRequests: [] };

describe('content security policy', () => {
  it('lets the home page load without a CSP violation or a console error', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      await page.goto('/');
      await expect.poll(() => page.getByRole('status').innerText()).toBe('Le service est opérationnel.');
      await expect.poll(() => page.getByRole('contentinfo').innerText()).toMatch(/Version \d/);
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });

  it('lets Swagger UI render the API at /api/docs/', async () => {
    const { context, page, problems } = await watchedContext(browser);
    try {
      const response = await page.goto('/api/docs/');
      expect(response?.status()).toBe(200);
      // The operations list is drawn from /api/docs/json by Swagger UI's scripts: the UI really works.
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
  it('serves a working /api/docs/ over plain HTTP under a host name', async () => {
    const port = new URL(bureauAddress()).port;
    const { context, page, problems } = await watchedContext(browser, { baseURL: `http://bureau.intranet:${port}` });
    try {
      await page.goto('/api/docs/', { waitUntil: 'load' });
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
      expect(page.url()).toBe(`${bureauAddress()}/quelque/part`);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Bienvenue sur Bureau');
      await expect.poll(() => page.getByRole('status').innerText()).toBe('Le service est opérationnel.');
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
