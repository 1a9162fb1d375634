/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bureauAddress, launchChromium, saveScreenshot, watchedContext, type Problems } from './browser.ts';

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

function expectNoProblems(problems: Problems): void {
  expect(problems).toEqual({ cspViolations: [], consoleErrors: [], pageErrors: [], failedRequests: [] });
}

describe('home page', () => {
  it('speaks French by default, names the administration, shows the service ready, and starts with the skip link', async () => {
    const { context, page, problems } = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      const response = await page.goto('/');
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      expect(instanceName).toBe('Administration de démonstration');

      const header = page.getByRole('banner');
      await expect.poll(() => header.innerText()).toContain(instanceName);
      expect(await header.innerText()).toContain('Bureau');
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Bienvenue sur Bureau');
      await expect.poll(() => page.getByRole('status').innerText()).toBe('Le service est opérationnel.');
      await expect.poll(() => page.title()).toBe(`Bureau – ${instanceName}`);

      // The first Tab lands on the skip link, which then shows; Enter moves the focus to the content.
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement;
        const box = element?.getBoundingClientRect();
        return {
          text: element?.textContent,
          className: element?.className,
          href: element?.getAttribute('href'),
          visible: box !== undefined && box.top >= 0 && box.bottom > 0 && box.height > 0,
        };
      });
      expect(focused).toEqual({ text: 'Aller au contenu', className: 'skip-link', href: '#content', visible: true });
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');

      await page.evaluate(() => window.scrollTo(0, 0));
      await saveScreenshot(page, 'home-fr-light');
      expectNoProblems(problems);
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
      await page.goto('/');
      await page.getByRole('button', { name: 'Switch to English' }).click();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Welcome to Bureau');
      await expect.poll(() => page.getByRole('status').innerText()).toBe('The service is up and running.');
      expect(await page.getByRole('link', { name: 'Skip to content' }).count()).toBe(1);

      await page.reload();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Welcome to Bureau');
      await expect.poll(() => page.getByRole('banner').innerText()).toContain(instanceName);
      await expect.poll(() => page.getByRole('status').innerText()).toBe('The service is up and running.');
      await saveScreenshot(page, 'home-en-dark');

      // And back to French, which the next visit keeps too.
      await page.getByRole('button', { name: 'Passer en français' }).click();
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      await page.reload();
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Bienvenue sur Bureau');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  it('fits a phone screen without horizontal scrolling, in French and in English', async () => {
    const { context, page, problems } = await watchedContext(browser, { viewport: { width: 375, height: 812 } });
    try {
      const overflow = () =>
        page.evaluate(() => {
          const root = document.scrollingElement ?? document.documentElement;
          return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
        });
      await page.goto('/');
      await expect.poll(() => page.getByRole('status').innerText()).toBe('Le service est opérationnel.');
      await expect.poll(() => page.getByRole('banner').innerText()).toContain(instanceName);
      const french = await overflow();
      expect(french.scrollWidth).toBeLessThanOrEqual(french.clientWidth);
      await saveScreenshot(page, 'home-phone');

      await page.getByRole('button', { name: 'Switch to English' }).click();
      const english = await overflow();
      expect(english.scrollWidth).toBeLessThanOrEqual(english.clientWidth);

      // WCAG 1.4.10 (reflow): still no horizontal scrolling at 320 CSS pixels.
      await page.setViewportSize({ width: 320, height: 640 });
      const narrowest = await overflow();
      expect(narrowest.scrollWidth).toBeLessThanOrEqual(narrowest.clientWidth);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});
