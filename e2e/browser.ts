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
 * API paths whose 404 the web app expects while their backend is being built (it then hides the
 * feature). Remove a prefix once its API lands: a 404 there becomes a failure again.
 */
const pendingApiPrefixes: readonly string[] = [];

/**
 * Chromium logs every HTTP error answer as a console error ("Failed to load resource"). Three are part of
 * normal operation: `GET /api/me` answers 401 to someone not signed in (the web app then shows the
 * sign-in page), `GET /_matrix/client/v3/room_keys/version` answers 404 while the person has no key backup
 * (the Matrix specification's answer, which the chat's encryption asks when it starts), and the pending APIs
 * above answer 404.
 */
function isExpectedHttpError(text: string, url: string): boolean {
  const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text)?.[1];
  if (status === undefined) return false;
  const pathname = URL.canParse(url) ? new URL(url).pathname : '';
  if (status === '401') return pathname === '/api/me';
  if (status === '404') {
    return (
      pathname === '/_matrix/client/v3/room_keys/version' ||
      pendingApiPrefixes.some((prefix) => pathname.startsWith(prefix))
    );
  }
  return false;
}

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
    if (message.type() !== 'error' || isExpectedHttpError(message.text(), message.location().url)) return;
    problems.consoleErrors.push(`${message.location().url}: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.pageErrors.push(String(error.error())));
  context.on('requestfailed', (request) => {
    // Requests cut short by a navigation (the notification stream, icons, fetches of the page left)
    // are not failures.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? '?'}`);
  });
  const page = await context.newPage();
  return { context, page, problems };
}

/**
 * Calls Bureau's API from the page, with its session and CSRF token, as the web app does; for a
 * journey's set-up (creating what it works on) rather than its steps, which go through the pages.
 */
export async function callApi<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await page.evaluate(
    async ({ method, path, body }) => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string | null };
      const response = await fetch(path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(me.csrfToken ? { 'x-csrf-token': me.csrfToken } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    },
    { method, path, body },
  );
  if (answer.status >= 400) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
  return (answer.text ? JSON.parse(answer.text) : undefined) as T;
}

/** The demo accounts' password (README, identity.seed.ts). */
export const demoPassword = 'Bureau-Demo-2026!';

/** No CSP violation, console error, uncaught exception or failed request happened. */
export const noProblems: Problems = { cspViolations: [], consoleErrors: [], pageErrors: [], failedRequests: [] };

/**
 * Signs in through the sign-in page, as a person would, and waits for the page it leads to
 * (the home page unless the sign-in page was reached from another one).
 */
export async function signIn(
  page: Page,
  email: string,
  password = demoPassword,
  locale: 'fr' | 'en' = 'fr',
): Promise<void> {
  const labels =
    locale === 'fr'
      ? { email: 'Adresse électronique', password: 'Mot de passe', submit: 'Se connecter' }
      : { email: 'E-mail address', password: 'Password', submit: 'Sign in' };
  if (page.url() === 'about:blank' || !new URL(page.url()).pathname.startsWith('/connexion')) {
    await page.goto('/connexion');
  }
  await page.getByRole('textbox', { name: new RegExp(`^${labels.email}`) }).fill(email);
  await page.getByLabel(labels.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: labels.submit, exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/connexion'));
  // The account menu's button (hidden on a phone, where it is inside DSFR's menu).
  await page.locator('[aria-label^="Mon compte"], [aria-label^="My account"]').first().waitFor({ state: 'attached' });
}
