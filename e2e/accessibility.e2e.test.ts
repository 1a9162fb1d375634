/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchedContext } from './browser.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Runs axe-core on the page for the WCAG 2 A and AA rules and returns its serious and critical
 * violations, one line each. axe is evaluated through the devtools protocol, which the page's CSP
 * (no inline or foreign script) does not apply to, so the page is tested with its real CSP.
 */
async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } })
      .axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${violation.id} (${violation.impact ?? '?'}): ${node.target.join(' ')}: ${node.failureSummary ?? ''}`,
      ),
    );
}

describe('accessibility of the home page (axe-core, WCAG 2.1 A and AA)', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const locale of ['fr', 'en'] as const) {
      it(`has no serious or critical violation in ${colorScheme} mode, in ${locale}`, async () => {
        const { context, page } = await watchedContext(browser, { colorScheme });
        try {
          if (locale === 'en') await context.addInitScript(() => localStorage.setItem('bureau.locale', 'en'));
          await page.goto('/');
          expect(await page.getAttribute('html', 'lang')).toBe(locale);
          // Wait for the final state: instance name, version and service status loaded.
          await expect.poll(() => page.getByRole('status').getAttribute('class')).toContain('status--ok');
          await expect.poll(() => page.getByRole('contentinfo').innerText()).toMatch(/Version \d/);
          expect(await seriousAxeViolations(page)).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }
});
