/// <reference lib="dom" />
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './axe.ts';
import { launchChromium, noProblems, saveScreenshot, signIn, watchedContext } from './browser.ts';

let browser: Browser;

/** A 1×1 PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Opens the chat (the first visit signs in to the homeserver through Bureau's single sign-on). */
async function openChat(page: Page): Promise<void> {
  await page.goto('/messagerie');
  await page.getByRole('navigation', { name: 'Conversations' }).waitFor({ timeout: 20_000 });
}

/** The timeline of a room, as a screen reader user finds it. */
function timeline(page: Page, room: string): Locator {
  return page.getByRole('region', { name: `Messages de ${room}` });
}

/** One message of a timeline, by a piece of its text. */
function message(page: Page, room: string, text: string): Locator {
  return timeline(page, room).getByRole('listitem').filter({ hasText: text });
}

function composer(page: Page, room: string): Locator {
  return page.getByRole('textbox', { name: `Message à ${room}` });
}

async function send(page: Page, room: string, text: string): Promise<void> {
  await composer(page, room).fill(text);
  await composer(page, room).press('Enter');
}

describe('chat between two agents', () => {
  it('creates a room, invites, and exchanges, edits, reacts and replies in real time', async () => {
    const room = `Coordination ${Date.now()}`;
    const alice = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    const bob = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      await signIn(alice.page, 'antoine.dubois@demo.gouv.fr');
      await signIn(bob.page, 'fatima.elamrani@demo.gouv.fr');

      // Antoine reaches the chat from the main navigation, and creates a room inviting Fatima.
      await alice.page
        .getByRole('navigation', { name: 'Menu principal' })
        .getByRole('link', { name: 'Messagerie' })
        .click();
      await alice.page.getByRole('navigation', { name: 'Conversations' }).waitFor({ timeout: 20_000 });
      await expect.poll(() => alice.page.getByRole('heading', { level: 1 }).innerText()).toBe('Messagerie');
      await openChat(bob.page);

      await alice.page.getByRole('link', { name: 'Nouvelle conversation' }).first().click();
      await alice.page.getByRole('textbox', { name: 'Nom du salon' }).fill(room);
      await alice.page.getByRole('textbox', { name: /^Sujet/ }).fill('Le projet de la semaine');
      await alice.page.getByRole('combobox', { name: /^Inviter des personnes/ }).fill('Fatima');
      await alice.page.getByRole('option', { name: /Fatima El Amrani/ }).click();
      await alice.page.getByRole('button', { name: 'Retirer Fatima El Amrani' }).waitFor();
      await alice.page.getByRole('button', { name: 'Créer le salon' }).click();
      await expect.poll(() => alice.page.getByRole('heading', { level: 1 }).innerText()).toBe(room);

      // Fatima's list shows the invitation without a reload; she accepts it.
      await bob.page.getByRole('button', { name: `Accepter l’invitation à ${room}` }).click();
      await expect.poll(() => bob.page.getByRole('heading', { level: 1 }).innerText()).toBe(room);

      // Messages go both ways, each appearing on the other side by itself.
      await send(alice.page, room, 'Bonjour **Fatima**, bienvenue !');
      await message(bob.page, room, 'Bonjour Fatima, bienvenue').waitFor();
      // Markdown arrived formatted.
      expect(await message(bob.page, room, 'bienvenue').locator('strong').innerText()).toBe('Fatima');
      await send(bob.page, room, 'Merci Antoine');
      await message(alice.page, room, 'Merci Antoine').waitFor();

      // Antoine corrects his message: Fatima sees the new text, marked as edited.
      const welcome = message(alice.page, room, 'bienvenue');
      await welcome.hover();
      await welcome.getByRole('button', { name: 'Modifier' }).click();
      await alice.page
        .getByRole('textbox', { name: 'Modifier le message' })
        .fill('Bonjour Fatima, bienvenue dans le projet !');
      await alice.page.getByRole('textbox', { name: 'Modifier le message' }).press('Enter');
      await message(bob.page, room, 'bienvenue dans le projet').getByText('(modifié)').waitFor();
      expect(await timeline(bob.page, room).innerText()).not.toContain('Bonjour Fatima, bienvenue !');

      // Antoine reacts to Fatima's message.
      const thanks = message(alice.page, room, 'Merci Antoine');
      await thanks.hover();
      await thanks.getByRole('button', { name: 'Réagir' }).click();
      await thanks.getByRole('button', { name: 'pouce levé' }).click();
      await message(bob.page, room, 'Merci Antoine')
        .getByRole('button', { name: 'pouce levé : 1 réaction (Antoine Dubois)' })
        .waitFor();

      // Fatima answers his message, mentioning him: he sees the quote of his message.
      const original = message(bob.page, room, 'bienvenue dans le projet');
      await original.hover();
      await original.getByRole('button', { name: 'Répondre', exact: true }).click();
      await bob.page.getByText('Réponse à Antoine Dubois').waitFor();
      await composer(bob.page, room).fill('Avec plaisir @Ant');
      await bob.page.getByRole('option', { name: /Antoine Dubois/ }).waitFor();
      await composer(bob.page, room).press('Enter');
      // The mention is in the field before she goes on typing (as a person would see it first).
      await expect.poll(() => composer(bob.page, room).inputValue()).toContain('Antoine Dubois ');
      await composer(bob.page, room).pressSequentially('on commence quand ?');
      await composer(bob.page, room).press('Enter');
      const reply = message(alice.page, room, 'on commence quand');
      await reply.getByText('En réponse à Antoine Dubois').waitFor();
      expect(await reply.innerText()).toContain('bienvenue dans le projet');
      expect(await reply.locator('.bureau-chat-mention--me').innerText()).toBe('Antoine Dubois');

      // Read receipts: Fatima has read Antoine's last message, he sees it.
      await send(alice.page, room, 'Lundi matin.');
      await message(bob.page, room, 'Lundi matin.').waitFor();
      await message(alice.page, room, 'Lundi matin.').getByText('Vu par Fatima El Amrani').waitFor();

      // Typing is shown on the other side.
      await composer(bob.page, room).fill('Parfait');
      await alice.page.getByText('Fatima El Amrani est en train d’écrire…').waitFor();
      await composer(bob.page, room).press('Enter');
      await message(alice.page, room, 'Parfait').waitFor();

      await saveScreenshot(alice.page, 'chat-room-antoine');
      await saveScreenshot(bob.page, 'chat-room-fatima');
      expect(alice.problems).toEqual(noProblems);
      expect(bob.problems).toEqual(noProblems);
    } finally {
      await alice.context.close();
      await bob.context.close();
    }
  });
});

describe('end-to-end encrypted chat', () => {
  it('exchanges messages only the two agents can read, decrypted in their browsers', async () => {
    const room = `Confidentiel ${Date.now()}`;
    const alice = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    const bob = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      await signIn(alice.page, 'antoine.dubois@demo.gouv.fr');
      await signIn(bob.page, 'fatima.elamrani@demo.gouv.fr');
      await openChat(alice.page);
      await openChat(bob.page);

      // Antoine creates a private room with encryption, inviting Fatima.
      await alice.page.getByRole('link', { name: 'Nouvelle conversation' }).first().click();
      await alice.page.getByRole('textbox', { name: 'Nom du salon' }).fill(room);
      await alice.page.getByRole('combobox', { name: /^Inviter des personnes/ }).fill('Fatima');
      await alice.page.getByRole('option', { name: /Fatima El Amrani/ }).click();
      await alice.page.getByRole('button', { name: 'Retirer Fatima El Amrani' }).waitFor();
      // DSFR draws the box: the label is what a person clicks.
      await alice.page.locator('label[for="chat-create-encrypted"]').click();
      expect(
        await alice.page.getByRole('checkbox', { name: /^Chiffrer les messages de bout en bout/ }).isChecked(),
      ).toBe(true);
      await alice.page.getByRole('button', { name: 'Créer le salon' }).click();
      await expect.poll(() => alice.page.getByRole('heading', { level: 1 }).innerText()).toBe(room);
      const roomId = decodeURIComponent(new URL(alice.page.url()).pathname.split('/').at(-1) ?? '');

      await bob.page.getByRole('button', { name: `Accepter l’invitation à ${room}` }).click();
      await expect.poll(() => bob.page.getByRole('heading', { level: 1 }).innerText()).toBe(room);
      // Each reads the other's message, decrypted by their own browser.
      await send(alice.page, room, 'Le budget est validé.');
      await message(bob.page, room, 'Le budget est validé.').waitFor({ timeout: 20_000 });
      await send(bob.page, room, 'Bien reçu, merci.');
      await message(alice.page, room, 'Bien reçu, merci.').waitFor({ timeout: 20_000 });

      // Fatima sends an image: encrypted in her browser, decrypted in Antoine's.
      const chooser = bob.page.waitForEvent('filechooser');
      const uploaded = bob.page.waitForRequest((request) => request.url().includes('/upload'));
      await bob.page.getByRole('button', { name: 'Joindre un fichier' }).click();
      await (await chooser).setFiles({ name: 'organigramme.png', mimeType: 'image/png', buffer: png });
      const upload = await uploaded;
      expect(upload.headers()['content-type']).toBe('application/octet-stream');
      expect(upload.url()).not.toContain('organigramme');
      const { content_uri: contentUri } = (await (await upload.response())?.json()) as { content_uri: string };
      const image = message(alice.page, room, 'organigramme.png').getByRole('img', { name: 'organigramme.png' });
      await image.waitFor({ timeout: 20_000 });
      expect(await image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBe(1);

      // The server only ever had ciphertext: the stored file is the image's size, not the image.
      const storedFile = await alice.page.evaluate(async (uri) => {
        const session = JSON.parse(localStorage.getItem('bureau.chat.session') ?? '{}') as { accessToken?: string };
        const response = await fetch(`/_matrix/client/v1/media/download/${uri.slice('mxc://'.length)}`, {
          headers: { authorization: `Bearer ${session.accessToken ?? ''}` },
        });
        return [...new Uint8Array(await response.arrayBuffer())];
      }, contentUri);
      expect(storedFile.length).toBe(png.length);
      expect(Buffer.from(storedFile).equals(png)).toBe(false);
      expect(Buffer.from(storedFile).subarray(1, 4).toString()).not.toBe('PNG');
      const stored = await alice.page.evaluate(async (id) => {
        const session = JSON.parse(localStorage.getItem('bureau.chat.session') ?? '{}') as { accessToken?: string };
        const response = await fetch(`/_matrix/client/v3/rooms/${encodeURIComponent(id)}/messages?dir=b&limit=50`, {
          headers: { authorization: `Bearer ${session.accessToken ?? ''}` },
        });
        return (await response.json()) as { chunk: { type: string }[] };
      }, roomId);
      const types = stored.chunk.map((event) => event.type);
      expect(JSON.stringify(stored)).not.toContain('organigramme');
      expect(types.filter((type) => type === 'm.room.encrypted').length).toBeGreaterThanOrEqual(2);
      expect(types).not.toContain('m.room.message');
      expect(JSON.stringify(stored)).not.toContain('budget');

      expect(await seriousAxeViolations(bob.page)).toEqual([]);
      await saveScreenshot(bob.page, 'chat-encrypted-fatima');

      // A second tab of Fatima's browser leaves the device's keys to the first, and says so.
      const secondTab = await bob.context.newPage();
      await secondTab.goto(`/messagerie/salons/${encodeURIComponent(roomId)}`);
      await secondTab
        .getByText('Les messages chiffrés se lisent dans un seul onglet à la fois', { exact: false })
        .waitFor();
      expect(await composer(secondTab, room).isDisabled()).toBe(true);
      await secondTab.close();
      expect(alice.problems).toEqual(noProblems);
      expect(bob.problems).toEqual(noProblems);
    } finally {
      await alice.context.close();
      await bob.context.close();
    }
  });
});

describe('backup of encryption keys', () => {
  it('lets an agent read, in a new browser, the encrypted history restored with the recovery key', async () => {
    const room = `Archives chiffrées ${Date.now()}`;
    const first = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    const second = await watchedContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      await signIn(first.page, 'claire.martin@demo.gouv.fr');
      await openChat(first.page);

      // In her first browser, Claire turns the backup on and keeps the recovery key shown.
      await first.page.getByRole('link', { name: 'Sauvegarde des messages chiffrés' }).click();
      await first.page.getByRole('button', { name: 'Activer la sauvegarde' }).click();
      const recoveryKey = (await first.page.getByLabel('Votre clé de récupération').innerText()).trim();
      expect(recoveryKey).toMatch(/^(\w{4} ){11}\w{4}$/);
      expect(await seriousAxeViolations(first.page)).toEqual([]);
      await saveScreenshot(first.page, 'chat-key-backup');

      // She writes in an encrypted room; the message's key reaches the backup.
      await first.page.getByRole('link', { name: 'Nouvelle conversation' }).first().click();
      await first.page.getByRole('textbox', { name: 'Nom du salon' }).fill(room);
      await first.page.locator('label[for="chat-create-encrypted"]').click();
      await first.page.getByRole('button', { name: 'Créer le salon' }).click();
      await expect.poll(() => first.page.getByRole('heading', { level: 1 }).innerText()).toBe(room);
      await send(first.page, room, 'Compte rendu du comité, version finale.');
      await message(first.page, room, 'version finale').waitFor();
      await expect
        .poll(
          () =>
            first.page.evaluate(async () => {
              const session = JSON.parse(localStorage.getItem('bureau.chat.session') ?? '{}') as {
                accessToken?: string;
              };
              const headers = { authorization: `Bearer ${session.accessToken ?? ''}` };
              const version = (await (await fetch('/_matrix/client/v3/room_keys/version', { headers })).json()) as {
                count?: number;
              };
              return version.count ?? 0;
            }),
          { timeout: 20_000 },
        )
        .toBeGreaterThan(0);

      // In a new browser (a new device), the message is unreadable until the history is restored.
      await signIn(second.page, 'claire.martin@demo.gouv.fr');
      await openChat(second.page);
      await second.page
        .getByRole('link', { name: new RegExp(room) })
        .first()
        .click();
      const locked = message(second.page, room, 'Message chiffré illisible');
      await locked.waitFor({ timeout: 20_000 });
      await locked.getByRole('link', { name: 'Restaurer depuis la sauvegarde' }).click();
      await second.page.getByRole('textbox', { name: /^Clé de récupération/ }).fill(recoveryKey);
      await second.page.getByRole('button', { name: 'Restaurer l’historique' }).click();
      await second.page.getByText(/clés? restaurées?\./).waitFor({ timeout: 20_000 });
      await second.page
        .getByRole('link', { name: new RegExp(room) })
        .first()
        .click();
      await message(second.page, room, 'Compte rendu du comité, version finale.').waitFor({ timeout: 20_000 });

      expect(first.problems).toEqual(noProblems);
      expect(second.problems).toEqual(noProblems);
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });
});

describe('accessibility of the chat (axe-core, WCAG 2.1 A and AA)', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    describe(`in ${colorScheme} mode`, () => {
      let watched: Awaited<ReturnType<typeof watchedContext>> | undefined;
      const room = `Accessibilité ${colorScheme} ${Date.now()}`;

      beforeAll(async () => {
        watched = await watchedContext(browser, { colorScheme });
        await signIn(watched.page, 'nicolas.petit@demo.gouv.fr');
      });
      afterAll(async () => {
        await watched?.context.close();
      });

      async function check(page: Page, name: string): Promise<void> {
        expect(await page.getAttribute('html', 'data-fr-theme')).toBe(colorScheme);
        expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({ page: name, violations: [] });
        await saveScreenshot(page, `page-${name}-${colorScheme}`);
      }

      it('has no serious or critical violation on the chat’s home', async () => {
        const page = watched!.page;
        await openChat(page);
        await check(page, 'chat-home');
      });

      it('has no serious or critical violation on the new conversation form', async () => {
        const page = watched!.page;
        await page.getByRole('link', { name: 'Nouvelle conversation' }).first().click();
        await page.getByRole('textbox', { name: 'Nom du salon' }).fill(room);
        await page.getByRole('combobox', { name: /^Inviter des personnes/ }).fill('Camille');
        await page.getByRole('option', { name: /Camille Roux/ }).waitFor();
        await check(page, 'chat-new');
        await page.getByRole('option', { name: /Camille Roux/ }).click();
        await page.getByRole('button', { name: 'Créer le salon' }).click();
        await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(room);
      });

      it('has no serious or critical violation in a room with messages', async () => {
        const page = watched!.page;
        await send(page, room, 'Un message avec du **gras**, une `commande` et une liste :\n\n- un\n- deux');
        await send(page, room, 'Une réponse');
        await message(page, room, 'Une réponse').waitFor();
        const first = message(page, room, 'gras');
        await first.hover();
        await first.getByRole('button', { name: 'Réagir' }).click();
        await first.getByRole('button', { name: 'coche' }).click();
        await first.getByRole('button', { name: /^coche : 1 réaction/ }).waitFor();
        await check(page, 'chat-room');
      });

      it('has no serious or critical violation in the room’s settings', async () => {
        const page = watched!.page;
        await page.getByRole('link', { name: 'Paramètres du salon' }).click();
        await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(`Paramètres de ${room}`);
        // Nicolas created the room: he administers it and may make Camille a moderator.
        await page.getByRole('combobox', { name: 'Rôle de Camille Roux' }).waitFor();
        await check(page, 'chat-settings');
      });

      it('has no serious or critical violation on the key backup page, restore form included', async () => {
        const page = watched!.page;
        await page.goto('/messagerie/chiffrement');
        await page.getByRole('heading', { level: 1, name: 'Sauvegarde des clés de chiffrement' }).waitFor();
        // No backup yet for Nicolas (the button to turn it on); with one from elsewhere, the restore form.
        await page.getByRole('button', { name: /^(Activer la sauvegarde|Restaurer l’historique)$/ }).waitFor();
        await check(page, 'chat-key-backup');
        expect(watched!.problems).toEqual(noProblems);
      });
    });
  }
});
