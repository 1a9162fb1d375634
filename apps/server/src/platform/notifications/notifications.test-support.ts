import { z } from 'zod';
import { buildApp, type BuildOptions, type BureauApp } from '../../app.ts';
import { createManualClock, type ManualClock } from '../clock.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import type { NotificationService } from './notifications.service.ts';

/** What the integration tests of notifications share: a built app, two agents and types to emit. */

export const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };

export const memberAddedType = 'test.group.member_added';
export const signInType = 'test.session.created';

/** Types like those the identity module registers, for the tests (the producers are the lead's). */
export function defineTestTypes(notifications: NotificationService): void {
  notifications.defineType({
    type: memberAddedType,
    category: 'test',
    label: { fr: 'Ajout à un groupe', en: 'Added to a group' },
    defaultChannels: { inApp: true, email: true },
    params: z.object({ groupId: z.string(), groupName: z.string() }),
    render: (params, locale, { actor }) =>
      locale === 'fr'
        ? {
            title: `Vous avez été ajouté au groupe « ${params.groupName} »`,
            body: actor ? `Ajouté par ${actor.displayName}.` : null,
            url: `/groups/${params.groupId}`,
          }
        : {
            title: `You were added to the group “${params.groupName}”`,
            body: actor ? `Added by ${actor.displayName}.` : null,
            url: `/groups/${params.groupId}`,
          },
  });
  notifications.defineType({
    type: signInType,
    category: 'security',
    label: { fr: 'Nouvelle connexion', en: 'New sign-in' },
    defaultChannels: { inApp: true, email: false },
    params: z.object({ ip: z.string() }),
    render: (params, locale) =>
      locale === 'fr'
        ? { title: 'Nouvelle connexion à votre compte', body: `Depuis ${params.ip}.` }
        : { title: 'New sign-in to your account', body: `From ${params.ip}.` },
  });
}

export interface SignedIn {
  readonly userId: string;
  readonly cookie: string;
  readonly csrfToken: string;
}

export interface NotificationsTestbed {
  readonly environment: TestEnvironment;
  readonly app: BureauApp;
  readonly clock: ManualClock;
  readonly notifications: NotificationService;
  readonly agnes: SignedIn;
  readonly bruno: SignedIn;
  destroy(): Promise<void>;
}

/** A migrated app with two signed-in agents, Agnès and Bruno, and the test types. */
export async function createNotificationsTestbed(
  env: Record<string, string> = {},
  options: BuildOptions = {},
): Promise<NotificationsTestbed> {
  const environment = await createTestEnvironment({
    BUREAU_PUBLIC_URL: publicUrl,
    BUREAU_RATE_LIMIT: '100000',
    BUREAU_HOST: '127.0.0.1',
    ...env,
  });
  const clock = createManualClock('2026-12-01T08:00:00.000Z');
  const app = await buildApp(environment.config, { clock, ...options });
  await app.migrate();
  const notifications = app.platform.notifications;
  defineTestTypes(notifications);
  const { directory } = app.identity;
  await directory.createOrganisation({ name: 'Ministère des Tests', domains: ['tests.gouv.fr'] }, system);

  async function signIn(email: string, displayName: string): Promise<SignedIn> {
    const user = await directory.createUser({ email, password, displayName }, system);
    // The identity module notifies each sign-in; these tests count only their own notifications.
    await notifications.updatePreferences(
      user.id,
      { types: [{ type: 'identity.session.new_sign_in', inApp: false, email: false }] },
      'fr',
    );
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: publicUrl },
      payload: { email, password },
    });
    const cookie = response.cookies.find((candidate) => candidate.name === 'bureau_session');
    if (response.statusCode !== 200 || !cookie) throw new Error(`could not sign in: ${response.body}`);
    return {
      userId: user.id,
      cookie: `bureau_session=${cookie.value}`,
      csrfToken: response.json<{ user: { csrfToken: string } }>().user.csrfToken,
    };
  }

  const agnes = await signIn('agnes@tests.gouv.fr', 'Agnès Agent');
  const bruno = await signIn('bruno@tests.gouv.fr', 'Bruno Bureau');
  return {
    environment,
    app,
    clock,
    notifications,
    agnes,
    bruno,
    async destroy() {
      await app.close();
      await environment.destroy();
    },
  };
}

/** One Server-Sent Event as a browser's EventSource would see it. */
export interface ReceivedEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/** Reads the events (and comments) of an open `text/event-stream` body. */
export function readEventStream(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let hasEnded = false;
  const comments: string[] = [];
  let retry: number | undefined;

  /** The next event, skipping comments and `retry:`; undefined when the stream ends first. */
  async function next(timeoutMs = 5000): Promise<ReceivedEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const boundary = buffer.indexOf('\n\n');
      if (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        let event = 'message';
        const data: string[] = [];
        let id: string | undefined;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else if (line.startsWith('event: ')) event = line.slice('event: '.length);
          else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
          else if (line.startsWith('id: ')) id = line.slice('id: '.length);
          else if (line.startsWith('retry: ')) retry = Number(line.slice('retry: '.length));
        }
        if (data.length > 0) return { event, data: data.join('\n'), id };
        continue;
      }
      if (hasEnded) return undefined;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no event within ${timeoutMs} ms; received so far: ${buffer}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), remaining);
      });
      const chunk = await Promise.race([reader.read(), timeout]);
      clearTimeout(timer);
      if (chunk === 'timeout') throw new Error(`no event within ${timeoutMs} ms; received so far: ${buffer}`);
      if (chunk.done) hasEnded = true;
      else buffer += decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Resolves once the server ends the stream (events before the end are dropped). */
  async function ended(timeoutMs = 5000): Promise<void> {
    while ((await next(timeoutMs)) !== undefined) {
      // Drain what arrives before the end.
    }
  }

  return {
    next,
    ended,
    comments,
    retry: () => retry,
    cancel: () => reader.cancel().catch(() => undefined),
  };
}
