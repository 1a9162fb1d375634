/// <reference lib="dom" />
// The functions passed to page.evaluate() and addInitScript() run in the browser: they need DOM types.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { findChromium } from './chromium-path.ts';

/** Where the journeys save their screenshots: outside the repository, to look at after a run. */
export const screenshotDirectory = '/tmp/bureau-e2e';

/** Flags for a headless Chromium that stays quiet: no GPU, sandbox, first-run page or background traffic. */
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The address of the Bureau started by e2e/global-setup.ts. */
export function bureauAddress(): string {
  return inject('bureauAddress');
}

/** Launches Debian's Chromium (or BUREAU_CHROMIUM) through playwright-core. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium: run "bash scripts/install-test-dependencies.sh".');
  return chromium.launch({ executablePath, args: [...chromiumArgs, ...extraArgs] });
}

/** Saves a full-page screenshot as /tmp/bureau-e2e/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDirectory, `${name}.png`), fullPage: true });
}

/** One Content-Security-Policy violation, as the page's `securitypolicyviolation` event describes it. */
export interface CspViolation {
  page: string;
  directive: string;
  blocked: string;
  source: string;
  line: number;
  column: number;
}

/** What went wrong in a browser context: CSP violations, console errors, uncaught exceptions, failed requests. */
export interface Problems {
  cspViolations: CspViolation[];
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
}

const cspBinding = '__bureauE2eCspViolation';

/**
 * A fresh browser context (its own profile: no stored language, no cache) whose pages report every
 * problem into the returned lists. CSP violations are caught by a listener that the devtools protocol
 * injects before the page's own scripts (the CSP forbids inline scripts, not this).
 */
export async function watchedContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; problems: Problems }> {
  const context = await browser.newContext({ baseURL: bureauAddress(), ...options });
  // Fail fast: the server is local, nothing should take long (Playwright waits 30 s by default).
  context.setDefaultTimeout(10_000);
  const problems: Problems = { cspViolations: [], consoleErrors: [], pageErrors: [], failedRequests: [] };
  await context.exposeBinding(cspBinding, (_source, violation: CspViolation) => {
    problems.cspViolations.push(violation);
  });
  await context.addInitScript((binding: string) => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as Record<string, (violation: CspViolation) => void>)[binding];
      void report?.({
        page: location.href,
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: event.sourceFile,
        line: event.lineNumber,
        column: event.columnNumber,
      });
    });
  }, cspBinding);
  context.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(`${message.location().url}: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.pageErrors.push(String(error.error())));
  context.on('requestfailed', (request) => {
    problems.failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? '?'}`);
  });
  const page = await context.newPage();
  return { context, page, problems };
}
