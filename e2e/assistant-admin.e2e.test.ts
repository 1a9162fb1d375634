/// <reference lib="dom" />
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './axe.ts';
import { launchChromium, noProblems, saveScreenshot, signIn, watchedContext } from './browser.ts';
import { startBureau, type RunningBureau } from './bureau-server.ts';
import { freePort } from './global-setup.ts';

/*
 * Albert's administration, on a Bureau of its own: the shared one of the global setup has no providers
 * file. Its one provider points to a port where nothing listens, so its first health check finds it down.
 */

let browser: Browser;
let bureau: RunningBureau;
let configDirectory: string;

/** The provider of the providers file: read-only in the web app. */
const fileProvider = { id: 'albert-etat', name: 'Albert du cloud de l’État', alias: 'albert-large' };

beforeAll(async () => {
  configDirectory = await mkdtemp(path.join(tmpdir(), 'bureau-e2e-albert-'));
  const providersFile = path.join(configDirectory, 'ai-providers.json');
  await writeFile(
    providersFile,
    JSON.stringify({
      providers: [
        {
          id: fileProvider.id,
          name: fileProvider.name,
          // Port 9 (discard): nothing listens there, the health check fails at once.
          baseUrl: 'http://127.0.0.1:9/v1',
          hosting: 'state-cloud',
          clearance: 'sensitive',
          operator: 'DINUM',
          models: [{ name: fileProvider.alias, upstream: 'mistral-medium', type: 'chat' }],
        },
      ],
    }),
  );
  const port = await freePort();
  [browser, bureau] = await Promise.all([
    launchChromium(),
    startBureau({
      BUREAU_PORT: String(port),
      BUREAU_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BUREAU_DEMO: '1',
      BUREAU_RATE_LIMIT: '100000',
      BUREAU_AI_PROVIDERS_FILE: providersFile,
    }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  const code = await bureau?.stop();
  await rm(configDirectory, { recursive: true, force: true });
  // Like the global teardown: a clean exit, and no error logged meanwhile.
  const errors = (bureau?.output() ?? '').split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
  expect({ code, errors }).toEqual({ code: 0, errors: [] });
});

function heading(page: Page): Promise<string> {
  return page.getByRole('heading', { level: 1 }).innerText();
}

/** The text of the page's main content, its spaces made plain (French numbers use narrow no-break spaces). */
async function mainText(page: Page): Promise<string> {
  return (await page.getByRole('main').innerText()).replace(/[\u00a0\u202f]/g, ' ');
}

/** Waits for the page's data (no "Chargement…" left, no request in flight), then runs axe. */
async function expectNoAxeViolation(page: Page, name: string): Promise<void> {
  await expect.poll(() => page.getByText(/^Chargement/).count(), { message: `${name} loaded` }).toBe(0);
  await page.waitForLoadState('networkidle');
  expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({ page: name, violations: [] });
}

/**
 * Runs axe on the journey's page (light theme), then on the same address in a second, dark browser
 * signed in as the same person: each screen is checked in both themes, in the same state.
 */
async function expectAccessibleInBothThemes(light: Page, dark: Page, name: string): Promise<void> {
  await expectNoAxeViolation(light, `${name} (light)`);
  await saveScreenshot(light, `${name}-light`);
  await dark.goto(light.url());
  await expect.poll(() => heading(dark)).toBe(await heading(light));
  expect(await dark.getAttribute('html', 'data-fr-theme')).toBe('dark');
  await expectNoAxeViolation(dark, `${name} (dark)`);
  await saveScreenshot(dark, `${name}-dark`);
}

/** Opens one of Albert's pages through its links, as a person would. */
async function openAlbertPage(page: Page, link: string, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages d’Albert' }).getByRole('link', { name: link }).click();
  await expect.poll(() => heading(page)).toBe(title);
  expect(
    await page
      .getByRole('navigation', { name: 'Pages d’Albert' })
      .getByRole('link', { name: link })
      .getAttribute('aria-current'),
  ).toBe('page');
}

/** A request to Albert's OpenAI-compatible API with the page's session, outside the page (no console noise). */
async function askAlbert(context: BrowserContext, level: string): Promise<number> {
  const me = (await (await context.request.get('/api/me')).json()) as { csrfToken: string };
  const answer = await context.request.post('/v1/chat/completions', {
    headers: { 'x-csrf-token': me.csrfToken, 'x-bureau-sensitivity': level },
    data: { model: fileProvider.alias, messages: [{ role: 'user', content: 'Bonjour' }] },
  });
  return answer.status();
}

describe('Albert’s administration (instance administrators)', () => {
  it('lists the providers, adds one, sets a quota and shows the usage, accessible in both themes', async () => {
    const { context, page, problems } = await watchedContext(browser, {
      baseURL: bureau.address,
      colorScheme: 'light',
      viewport: { width: 1280, height: 900 },
    });
    const dark = await watchedContext(browser, { baseURL: bureau.address, colorScheme: 'dark' });
    try {
      await signIn(page, 'claire.martin@demo.gouv.fr');
      await signIn(dark.page, 'claire.martin@demo.gouv.fr');
      await page.goto('/administration/organisations');
      await expect.poll(() => heading(page)).toBe('Organisations');
      await page.getByRole('link', { name: 'Albert (IA)' }).click();

      // Providers: the file's, read-only, found down by its first health check.
      await expect.poll(() => heading(page)).toBe('Albert : fournisseurs de modèles');
      expect(new URL(page.url()).pathname).toBe('/administration/albert/fournisseurs');
      const providers = page.getByRole('table');
      const fileRow = providers.getByRole('row').filter({ hasText: fileProvider.id });
      await expect.poll(() => fileRow.textContent()).toContain('En panne');
      const fileRowText = (await fileRow.textContent()) ?? '';
      for (const text of [
        fileProvider.name,
        'Cloud de l’État',
        'DINUM',
        'Sensible',
        fileProvider.alias,
        'Fichier de configuration',
        'Lecture seule',
        '0 requête en cours sur 16 au plus',
      ]) {
        expect(fileRowText).toContain(text);
      }
      expect(await fileRow.getByRole('button').count()).toBe(0);
      await expectAccessibleInBothThemes(page, dark.page, 'albert-providers');

      // The clearances offered follow the hosting (“Cloud au centre”).
      const clearance = page.getByRole('group', { name: /^Habilitation/ });
      expect(await clearance.getByRole('radio').count()).toBe(2);
      await page.getByRole('combobox', { name: 'Hébergement' }).selectOption('on-premises');
      expect(await clearance.getByRole('radio').count()).toBe(4);

      // A taken identifier: the server's message shows on the field.
      await page.getByRole('textbox', { name: /^Identifiant/ }).fill(fileProvider.id);
      await page.getByRole('textbox', { name: /^Adresse de l’API/ }).fill('http://127.0.0.1:9/v1');
      await page.getByRole('textbox', { name: /^Alias/ }).fill('albert-local');
      await page.getByRole('button', { name: 'Ajouter un fournisseur' }).click();
      await page.getByText(`Un fournisseur « ${fileProvider.id} » existe déjà.`).waitFor();
      await expectNoAxeViolation(page, 'albert-provider-error (light)');

      const secret = 'sk-e2e-ne-jamais-afficher-2026';
      await page.getByRole('textbox', { name: /^Identifiant/ }).fill('onprem-vllm');
      await page.getByRole('textbox', { name: /^Nom \(facultatif\)/ }).fill('vLLM du ministère');
      await page.getByLabel(/^Clé secrète/).fill(secret);
      await clearance.locator('label', { hasText: 'Diffusion restreinte' }).click();
      expect(await clearance.getByRole('radio', { name: /^Diffusion restreinte/ }).isChecked()).toBe(true);
      await page.getByRole('textbox', { name: /^Nom chez le fournisseur/ }).fill('Qwen/Qwen3-32B');
      await page.getByRole('spinbutton', { name: /^Requêtes simultanées/ }).fill('4');
      await page.locator('label', { hasText: 'Pseudonymiser les données personnelles' }).click();
      await page.getByRole('button', { name: 'Ajouter un fournisseur' }).click();
      await page.getByText('Le fournisseur « vLLM du ministère » est ajouté.').waitFor();
      const addedRow = providers.getByRole('row').filter({ hasText: 'onprem-vllm' });
      await expect.poll(() => addedRow.count()).toBe(1);
      const addedRowText = (await addedRow.textContent()) ?? '';
      for (const text of [
        'vLLM du ministère',
        'Infrastructure de l’administration',
        'Diffusion restreinte',
        'albert-local',
        'Qwen/Qwen3-32B',
        'Ajouté ici',
        '0 requête en cours sur 4 au plus',
        'Données personnelles pseudonymisées',
      ]) {
        expect(addedRowText).toContain(text);
      }
      // The secret key went to the server and is shown nowhere, not even left in its field.
      expect(await page.content()).not.toContain(secret);
      expect(await page.getByLabel(/^Clé secrète/).inputValue()).toBe('');
      await expectAccessibleInBothThemes(page, dark.page, 'albert-provider-added');

      // Models: each alias with its providers.
      await openAlbertPage(page, 'Modèles', 'Albert : modèles');
      await expect.poll(() => page.getByRole('table').innerText()).toContain('albert-local');
      const largeRow = page.getByRole('row').filter({ hasText: fileProvider.alias });
      expect(await largeRow.textContent()).toContain(fileProvider.name);
      expect(await largeRow.textContent()).toContain('En panne');
      await expectAccessibleInBothThemes(page, dark.page, 'albert-models');

      // Quotas: one for Claire's organisation and the file's model.
      const me = (await (await context.request.get('/api/me')).json()) as {
        organisation: { id: string; name: string };
      };
      await openAlbertPage(page, 'Quotas', 'Albert : quotas');
      await page.getByText('Aucun quota').waitFor();
      await page.getByRole('combobox', { name: 'Organisation' }).selectOption(me.organisation.id);
      await page.getByRole('combobox', { name: 'Modèle' }).selectOption(fileProvider.alias);
      await page.getByRole('spinbutton', { name: /^Requêtes par minute/ }).fill('60');
      await page.getByRole('spinbutton', { name: /^Jetons par minute/ }).fill('100000');
      await page.getByRole('button', { name: 'Enregistrer le quota' }).click();
      await page.getByText(`Le quota de ${me.organisation.name} pour ${fileProvider.alias} est enregistré.`).waitFor();
      const quotaRow = page.getByRole('row').filter({ hasText: me.organisation.name });
      await expect.poll(() => quotaRow.count()).toBe(1);
      const quotaRowText = (await quotaRow.innerText()).replace(/[\u00a0\u202f]/g, ' ');
      for (const text of [fileProvider.alias, '60', '100 000', 'Illimité']) expect(quotaRowText).toContain(text);
      await expectAccessibleInBothThemes(page, dark.page, 'albert-quotas');

      // Usage: nothing yet.
      await openAlbertPage(page, 'Utilisation', 'Albert : utilisation');
      await page.getByText('Aucune requête à Albert sur cette période.').waitFor();
      expect(await page.getByRole('combobox', { name: 'Période' }).inputValue()).toBe('30');
      await expectAccessibleInBothThemes(page, dark.page, 'albert-usage-empty');

      // A request with restricted data: no provider of the model is cleared for it, Albert refuses it.
      expect(await askAlbert(context, 'restricted')).toBe(403);
      await page.getByRole('combobox', { name: 'Période' }).selectOption('7');
      await expect.poll(() => new URL(page.url()).searchParams.get('jours')).toBe('7');
      await page.getByRole('heading', { name: 'Refus pour sensibilité' }).waitFor();
      expect(await mainText(page)).toContain('1 (1 pour sensibilité, 0 pour quota)');
      expect(await page.getByRole('table', { name: 'Requêtes par jour' }).locator('tbody tr').count()).toBe(7);
      const refusals = page.getByRole('table', { name: 'Refus pour sensibilité' });
      expect(await refusals.textContent()).toContain('Diffusion restreinte');
      expect(await page.getByRole('table', { name: 'Par organisation' }).innerText()).toContain(me.organisation.name);
      await expectAccessibleInBothThemes(page, dark.page, 'albert-usage');

      // Back to the providers: the one added here can be deleted, after a confirmation.
      await openAlbertPage(page, 'Fournisseurs', 'Albert : fournisseurs de modèles');
      await page.getByRole('button', { name: 'Supprimer le fournisseur vLLM du ministère' }).click();
      await page.getByRole('button', { name: 'Confirmer' }).click();
      await page.getByText('Le fournisseur « vLLM du ministère » est supprimé.').waitFor();
      await expect.poll(() => page.getByRole('row').filter({ hasText: 'onprem-vllm' }).count()).toBe(0);

      // Chromium logs every error answer: the taken identifier's 409 is the one expected.
      expect(problems).toEqual({
        ...noProblems,
        consoleErrors: [expect.stringMatching(/\/api\/admin\/assistant\/providers: .* status of 409 /)],
      });
      expect(dark.problems).toEqual(noProblems);
    } finally {
      await context.close();
      await dark.context.close();
    }
  });
});
