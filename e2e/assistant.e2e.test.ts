/// <reference lib="dom" />
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFakeOpenAiUpstream,
  type FakeChatRequest,
  type FakeUpstream,
} from '../apps/server/src/modules/assistant/testing/fake-openai-upstream.ts';
import {
  servicePublicXml,
  type FicheFixture,
} from '../apps/server/src/modules/assistant/testing/knowledge-fixtures.ts';
import { seriousAxeViolations } from './axe.ts';
import { launchChromium, noProblems, saveScreenshot, signIn, watchedContext } from './browser.ts';
import { startBureau, type RunningBureau } from './bureau-server.ts';
import { freePort } from './global-setup.ts';

/*
 * Albert for agents, on a Bureau of its own: its providers file points to an OpenAI-compatible upstream
 * started here (its answers scripted, streamed word by word with a pause), and a small service-public
 * collection is imported with `bureau albert import` into its data folder before the journey.
 */

const bin = path.resolve(import.meta.dirname, '../bin/bureau.js');
const run = promisify(execFile);

const fiches: FicheFixture[] = [
  {
    id: 'F1412',
    type: 'Fiche pratique',
    title: 'Copie certifiée conforme d’un document administratif',
    date: '2026-02-03',
    chapters: [
      {
        title: 'Demandée par une administration française',
        paragraphs: [
          'Une administration française ne peut plus exiger de copie certifiée conforme : une simple photocopie lisible suffit.',
          'L’administration peut vérifier l’original en cas de doute sur l’authenticité du document.',
        ],
      },
    ],
  },
  {
    id: 'F1342',
    type: 'Fiche pratique',
    title: 'Carte d’identité d’un majeur',
    chapters: [
      {
        title: 'Coût',
        paragraphs: ['La carte d’identité est gratuite, sauf en cas de perte ou de vol : timbre fiscal de 25 €.'],
      },
    ],
  },
  {
    id: 'F2112',
    type: 'Fiche pratique',
    title: 'Acte de naissance : comment l’obtenir ?',
    chapters: [
      {
        title: 'Demande en ligne',
        paragraphs: ['La demande d’un acte de naissance est gratuite et peut se faire en ligne ou en mairie.'],
      },
    ],
  },
];

const question = 'Une administration peut-elle exiger une copie certifiée conforme ?';
const ficheTitle = 'Copie certifiée conforme d’un document administratif';

/** The number under which the prompt gives the passage holding `word` (`[n] Title › headings\ntext` blocks). */
function passageNumber(request: FakeChatRequest, word: string): number {
  const last = request.messages.findLast((message) => message.role === 'user');
  const text = typeof last?.content === 'string' ? last.content : '';
  for (const block of text.split('\n\n')) {
    const match = /^\[(\d+)\]/.exec(block);
    if (match && block.includes(word)) return Number(match[1]);
  }
  return 99;
}

let browser: Browser;
let bureau: RunningBureau;
let upstream: FakeUpstream;
let configDirectory: string;

beforeAll(async () => {
  upstream = await startFakeOpenAiUpstream({
    name: 'albert-e2e',
    models: [{ id: 'mistral-small-e2e', type: 'chat' }],
    chunkDelayMs: 30,
    reply: (request) => {
      const number = passageNumber(request, 'photocopie');
      return (
        `Non : une administration française ne peut plus exiger de copie certifiée conforme, une simple photocopie lisible suffit [${number}]. ` +
        `En cas de doute sur l’authenticité du document, l’administration peut vérifier l’original [${number}].`
      );
    },
  });
  configDirectory = await mkdtemp(path.join(tmpdir(), 'bureau-e2e-albert-answers-'));
  const providersFile = path.join(configDirectory, 'ai-providers.json');
  await writeFile(
    providersFile,
    JSON.stringify({
      providers: [
        {
          id: 'onprem-vllm',
          name: 'vLLM du ministère',
          baseUrl: upstream.baseUrl,
          hosting: 'secnumcloud',
          clearance: 'sensitive',
          models: [{ name: 'albert-large', upstream: 'mistral-small-e2e', type: 'chat' }],
        },
      ],
    }),
  );
  const feed = path.join(configDirectory, 'service-public');
  await mkdir(feed);
  for (const fiche of fiches) await writeFile(path.join(feed, `${fiche.id}.xml`), servicePublicXml(fiche));
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
  // The operator's command, beside the running server, on its data folder.
  const { PATH, HOME } = process.env;
  await run(process.execPath, [bin, 'albert', 'import', 'service-public', '--path', feed], {
    cwd: bureau.dataDir,
    env: { PATH, HOME, BUREAU_DATA_DIR: bureau.dataDir, BUREAU_LOG_LEVEL: 'warn' },
  });
});

afterAll(async () => {
  await browser?.close();
  const code = await bureau?.stop();
  await upstream?.close();
  await rm(configDirectory, { recursive: true, force: true });
  const errors = (bureau?.output() ?? '').split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
  expect({ code, errors }).toEqual({ code: 0, errors: [] });
});

function heading(page: Page): Promise<string> {
  return page.getByRole('heading', { level: 1 }).innerText();
}

/** Waits for the page's data (no "Chargement…", no request in flight unless a sync loop runs), then runs axe. */
async function expectNoAxeViolation(page: Page, name: string, options = { hasSyncLoop: false }): Promise<void> {
  await expect.poll(() => page.getByText(/^Chargement/).count(), { message: `${name} loaded` }).toBe(0);
  // The chat's Matrix client keeps a long poll open: the network is never idle once it runs.
  if (!options.hasSyncLoop) await page.waitForLoadState('networkidle');
  expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({ page: name, violations: [] });
}

describe('Albert (agents)', () => {
  it('streams a sourced answer, shows its sources, keeps the opinion given, accessible in both themes', async () => {
    const { context, page, problems } = await watchedContext(browser, {
      baseURL: bureau.address,
      colorScheme: 'light',
      viewport: { width: 1400, height: 1000 },
    });
    const dark = await watchedContext(browser, { baseURL: bureau.address, colorScheme: 'dark' });
    try {
      await signIn(page, 'antoine.dubois@demo.gouv.fr');
      await signIn(dark.page, 'antoine.dubois@demo.gouv.fr');
      await page
        .getByRole('navigation', { name: 'Menu principal' })
        .getByRole('link', { name: 'Albert', exact: true })
        .click();
      await expect.poll(() => heading(page)).toBe('Albert');
      await page
        .getByRole('navigation', { name: 'Historique des conversations' })
        .getByText('Aucune conversation')
        .waitFor();

      // The question, sent with Enter.
      const composer = page.getByRole('textbox', { name: /^Votre question/ });
      await composer.fill(question);
      expect(await page.getByText(`${question.length} / 2000 caractères`).count()).toBe(1);
      await composer.press('Enter');

      // The answer appears as it is written: part of it while Albert is still writing.
      const turn = page.locator('article.bureau-albert-turn').first();
      await expect
        .poll(() =>
          turn.evaluate((element) => ({
            isWriting: element.querySelector('.bureau-albert-turn__writing') !== null,
            hasText: (element.querySelector('.bureau-albert-turn__text p')?.textContent ?? '').length > 0,
          })),
        )
        .toEqual({ isWriting: true, hasText: true });
      const partial = await turn.locator('.bureau-albert-turn__text p').first().innerText();
      expect(await turn.locator('.bureau-albert-turn__answer').getAttribute('aria-busy')).toBe('true');

      // Then the final answer, at the conversation's own address, titled by its question.
      await expect.poll(() => turn.locator('.bureau-albert-turn__writing').count()).toBe(0);
      const final = await turn.locator('.bureau-albert-turn__text').innerText();
      expect(final).toContain('une simple photocopie lisible suffit');
      expect(final).toContain('l’administration peut vérifier l’original');
      expect(final.length).toBeGreaterThan(partial.length);
      expect(partial).not.toContain('vérifier l’original');
      await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/albert\/conversations\/[0-9a-f-]{36}$/);
      await expect.poll(() => heading(page)).toBe(question);
      expect(await turn.locator('.bureau-albert-turn__answer').getAttribute('aria-busy')).toBe('false');
      // Who processed it, at which level.
      const served = ((await turn.locator('.bureau-albert-turn__served').textContent()) ?? '').replace(/\s+/g, ' ');
      expect(served).toContain('Traité par vLLM du ministère (cloud qualifié SecNumCloud)');
      expect(served).toContain('niveau Public');
      // The live region said the whole answer once complete (not word by word), and how many sources.
      await expect
        .poll(() => page.locator('.bureau-albert-announcer').textContent())
        .toMatch(
          /^Réponse d’Albert : Non.*photocopie lisible suffit\. En cas de doute.*l’original\. 1 source citée\.$/,
        );

      // The sources panel: the fiche, its link (a new window), its collection and the passage.
      const sources = page.getByRole('region', { name: 'Sources de la réponse 1' });
      const link = sources.getByRole('link', { name: ficheTitle });
      expect(await link.getAttribute('href')).toBe('https://www.service-public.fr/particuliers/vosdroits/F1412');
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('title')).toBe(`${ficheTitle} - nouvelle fenêtre`);
      const sourcesText = await sources.innerText();
      expect(sourcesText).toContain('Demandée par une administration française');
      expect(sourcesText).toContain('simple photocopie lisible');
      // The history lists the conversation.
      await page
        .getByRole('navigation', { name: 'Historique des conversations' })
        .getByRole('link', { name: question })
        .waitFor();

      // A citation marker moves the focus to its source.
      const markers = turn.getByRole('button', { name: new RegExp(`^Source \\d+ : ${ficheTitle}$`) });
      expect(await markers.count()).toBe(2);
      await markers.first().click();
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.id ?? ''))
        .toMatch(/^albert-source-[0-9a-f-]{36}-\d+$/);
      expect(await page.evaluate(() => document.activeElement?.classList.contains('is-highlighted'))).toBe(true);
      await saveScreenshot(page, 'albert-answer');

      // Axe, with the answer shown, in both themes.
      await expectNoAxeViolation(page, 'albert-answer (light)');
      await dark.page.goto(page.url());
      await expect.poll(() => heading(dark.page)).toBe(question);
      await dark.page.getByRole('region', { name: 'Sources de la réponse 1' }).getByRole('link').first().waitFor();
      expect(await dark.page.getAttribute('html', 'data-fr-theme')).toBe('dark');
      await expectNoAxeViolation(dark.page, 'albert-answer (dark)');
      await saveScreenshot(dark.page, 'albert-answer-dark');

      // An opinion: not useful, because of invented information.
      await turn.getByRole('button', { name: 'Pas utile' }).click();
      expect(await turn.getByRole('button', { name: 'Pas utile' }).getAttribute('aria-pressed')).toBe('true');
      const reason = turn.getByRole('button', { name: 'Informations inventées' });
      await reason.click();
      expect(await reason.getAttribute('aria-pressed')).toBe('true');
      await turn.getByRole('button', { name: 'Enregistrer l’avis' }).click();
      await turn.getByText('Merci, votre avis est enregistré.').waitFor();
      await expectNoAxeViolation(page, 'albert-feedback (light)');

      // Kept when the conversation is opened again.
      await page.reload();
      await expect.poll(() => heading(page)).toBe(question);
      const reloaded = page.locator('article.bureau-albert-turn').first();
      await reloaded.getByText('Votre avis : réponse pas utile (Informations inventées).').waitFor();
      expect(await reloaded.getByRole('button', { name: 'Pas utile' }).getAttribute('aria-pressed')).toBe('true');
      expect(await reloaded.getByRole('button', { name: 'Utile', exact: true }).getAttribute('aria-pressed')).toBe(
        'false',
      );

      // Sent to a chat room, with its sources, through the chat's Matrix client (signed in on first use).
      const sendButton = reloaded.getByRole('button', { name: 'Envoyer dans un salon' });
      await sendButton.click();
      const sendDialog = page.getByRole('dialog', { name: 'Envoyer la réponse dans un salon' });
      await sendDialog.getByText('Vous n’avez rejoint aucun salon ni aucune conversation.').waitFor();
      const roomId = await page.evaluate(async () => {
        const session = JSON.parse(localStorage.getItem('bureau.chat.session') ?? '{}') as { accessToken: string };
        const created = await fetch('/_matrix/client/v3/createRoom', {
          method: 'POST',
          headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Équipe accueil', preset: 'private_chat' }),
        });
        return ((await created.json()) as { room_id: string }).room_id;
      });
      await sendDialog.getByRole('radio', { name: 'Équipe accueil' }).waitFor();
      expect(await sendDialog.getByRole('radio', { name: 'Équipe accueil' }).isChecked()).toBe(true);
      await sendDialog.getByRole('button', { name: 'Envoyer le message' }).click();
      await sendDialog.getByText('La réponse est envoyée dans « Équipe accueil ».').waitFor();
      const sent = await page.evaluate(async (room) => {
        const session = JSON.parse(localStorage.getItem('bureau.chat.session') ?? '{}') as { accessToken: string };
        const answer = await fetch(`/_matrix/client/v3/rooms/${encodeURIComponent(room)}/messages?dir=b&limit=10`, {
          headers: { authorization: `Bearer ${session.accessToken}` },
        });
        const body = (await answer.json()) as { chunk: { type: string; content: { body?: string } }[] };
        return body.chunk.find((event) => event.type === 'm.room.message')?.content.body ?? '';
      }, roomId);
      expect(sent).toContain(`Question : ${question}`);
      expect(sent).toContain('une simple photocopie lisible suffit');
      expect(sent).toContain(`Sources :\n[`);
      expect(sent).toContain('https://www.service-public.fr/particuliers/vosdroits/F1412');
      await expectNoAxeViolation(page, 'albert-send-to-room (light)', { hasSyncLoop: true });
      await page.keyboard.press('Escape');
      await expect.poll(() => sendDialog.count()).toBe(0);
      expect(await sendButton.evaluate((element) => element === document.activeElement)).toBe(true);

      // A second question, stopped while Albert writes: what came stays, marked incomplete.
      const composerAgain = page.getByRole('textbox', { name: /^Votre question/ });
      await composerAgain.fill('Et pour une carte d’identité perdue, faut-il payer un timbre fiscal ?');
      await composerAgain.press('Enter');
      const second = page.locator('article.bureau-albert-turn').nth(1);
      await second.locator('.bureau-albert-turn__writing').waitFor();
      await page.getByRole('button', { name: 'Arrêter la réponse' }).click();
      await second.getByText('Réponse interrompue : elle est incomplète.').waitFor();
      expect(await composerAgain.evaluate((element) => element === document.activeElement)).toBe(true);
      await expect.poll(() => page.locator('.bureau-albert-announcer').textContent()).toBe('Réponse interrompue.');

      expect(problems).toEqual(noProblems);
      expect(dark.problems).toEqual(noProblems);
    } finally {
      await context.close();
      await dark.context.close();
    }
  });
  it('creates a private collection, indexes uploaded files (and says why one fails), shares it', async () => {
    const { context, page, problems } = await watchedContext(browser, {
      baseURL: bureau.address,
      viewport: { width: 1280, height: 900 },
    });
    try {
      await signIn(page, 'antoine.dubois@demo.gouv.fr');
      await page.goto('/albert/collections');
      await expect.poll(() => heading(page)).toBe('Collections d’Albert');
      // The public collection imported by the command, with its last import.
      const publicItem = page.getByRole('listitem').filter({ hasText: 'Service-public.fr' });
      const publicText = ((await publicItem.textContent()) ?? '').replace(/\s+/g, ' ');
      expect(publicText).toContain('Publique');
      expect(publicText).toContain('3 documents');
      expect(publicText).toContain('Dernier import terminé');
      await expectNoAxeViolation(page, 'albert-collections (light)');

      await page.getByRole('textbox', { name: /^Nom/ }).fill('Procédures du bureau');
      await page.getByRole('textbox', { name: /^Description/ }).fill('Nos notes internes');
      await page.getByRole('combobox', { name: /^Niveau de sensibilité/ }).selectOption('internal');
      await page.getByRole('button', { name: 'Créer la collection' }).click();
      await expect.poll(() => heading(page)).toBe('Procédures du bureau');
      const badges = (await page.getByRole('main').locator('.fr-badges-group').textContent()) ?? '';
      expect(badges.replace(/\s+/g, ' ')).toMatch(/Personnelle ?Interne/);

      await page.getByLabel(/^Fichiers à ajouter/).setInputFiles([
        {
          name: 'accueil.md',
          mimeType: 'text/markdown',
          buffer: Buffer.from('# Accueil du public\n\nLe guichet ouvre à 9 heures, du lundi au vendredi.\n'),
        },
        { name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 pas vraiment un PDF') },
      ]);
      await page.getByRole('button', { name: 'Ajouter les fichiers' }).click();
      await page.getByText('Envoi terminé : 1 fichier indexé, 1 en échec.').waitFor();
      const documents = page.getByRole('table');
      await expect.poll(() => documents.locator('tbody tr').count()).toBe(2);
      const failedRow = (
        (await documents.getByRole('row').filter({ hasText: 'scan.pdf' }).textContent()) ?? ''
      ).replace(/\s+/g, ' ');
      expect(failedRow).toContain('Échec');
      expect(failedRow).toContain('Fichier endommagé ou incomplet');
      expect(await documents.getByRole('row').filter({ hasText: 'Accueil du public' }).textContent()).toContain(
        'Indexé',
      );
      await expectNoAxeViolation(page, 'albert-collection (light)');

      // Sharing, in a dialog: the owner, then a colleague found in the directory.
      const manage = page.getByRole('button', { name: 'Gérer le partage' });
      await manage.click();
      const dialog = page.getByRole('dialog', { name: 'Partage de « Procédures du bureau »' });
      await dialog.getByText('Propriétaire').waitFor();
      await dialog.getByRole('searchbox', { name: /^Personne/ }).fill('fatima');
      await dialog.getByRole('button', { name: /^Fatima El Amrani/ }).click();
      await dialog.getByRole('button', { name: 'Donner accès' }).click();
      await dialog.getByText('Fatima El Amrani a maintenant accès à la collection.').waitFor();
      await expect.poll(() => dialog.getByRole('listitem').filter({ hasText: 'Fatima El Amrani' }).count()).toBe(1);
      await expectNoAxeViolation(page, 'albert-sharing (light)');
      await saveScreenshot(page, 'albert-sharing');
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
      expect(await manage.evaluate((element) => element === document.activeElement)).toBe(true);

      expect(problems).toEqual(noProblems);
    } finally {
      await context.close();
    }
  });
});
