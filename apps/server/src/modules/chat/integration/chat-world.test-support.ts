import { buildApp, type BureauApp } from '../../../app.ts';
import type { ManualClock } from '../../../platform/clock.ts';
import type { SensitivityLevel } from '../../../platform/sensitivity/index.ts';
import type { ApiKeyScope } from '../../identity/index.ts';
import { signInHeaders } from '../../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../../testing/test-database.ts';
import type { ChatTables } from '../chat.tables.ts';
import { InjectMatrixClient, testPassword } from '../testing/matrix-test-client.ts';

export type { InjectMatrixClient };

export const publicUrl = 'http://bureau.test';
const system = { system: true, label: 'test' };

/** A Bureau with one ministry (`min.gouv.fr`), three agents and one external partner, all signed in to the chat. */
export interface ChatWorld {
  readonly environment: TestEnvironment;
  readonly app: BureauApp;
  readonly alice: InjectMatrixClient;
  readonly bob: InjectMatrixClient;
  readonly carol: InjectMatrixClient;
  /** An external user (a partner outside the administration). */
  readonly eve: InjectMatrixClient;
  /** Bureau user ids by first name. */
  readonly userIds: Readonly<Record<'alice' | 'bob' | 'carol' | 'eve', string>>;
  readonly organisationId: string;
  close(): Promise<void>;
}

export const emails = {
  alice: 'alice.martin@min.gouv.fr',
  bob: 'bob.durand@min.gouv.fr',
  carol: 'carol.petit@min.gouv.fr',
  eve: 'eve@partenaire.example',
} as const;

/**
 * Signs a Bureau user in to the chat with a single sign-on login token (`m.login.token`): the same login
 * route, without the password hashing that makes a test world slow to build.
 */
export async function matrixClientOf(app: BureauApp, userId: string): Promise<InjectMatrixClient> {
  const client = new InjectMatrixClient(app);
  const token = await app.chat.accounts.issueLoginToken(userId);
  const body = await client.ok<{ access_token: string; user_id: string; device_id: string }>('POST', 'login', {
    type: 'm.login.token',
    token,
  });
  client.accessToken = body.access_token;
  client.userId = body.user_id;
  client.deviceId = body.device_id;
  return client;
}

export async function createChatWorld(
  options: { clock?: ManualClock; organisationLabel?: SensitivityLevel } = {},
): Promise<ChatWorld> {
  const environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
  const app = await buildApp(environment.config, options.clock ? { clock: options.clock } : {});
  await app.migrate();
  const directory = app.identity.directory;
  const organisation = await directory.createOrganisation(
    {
      name: 'Ministère',
      domains: ['min.gouv.fr'],
      ...(options.organisationLabel ? { defaultLabel: options.organisationLabel } : {}),
    },
    system,
  );
  // Only Alice has a password (one test signs her in to the web app as a browser would).
  const users = {
    alice: await directory.createUser(
      { email: emails.alice, password: testPassword, displayName: 'Alice Martin' },
      system,
    ),
    bob: await directory.createUser({ email: emails.bob, displayName: 'Bob Durand' }, system),
    carol: await directory.createUser({ email: emails.carol, displayName: 'Carol Petit' }, system),
    eve: await directory.createUser({ email: emails.eve, displayName: 'Eve Partenaire', kind: 'external' }, system),
  };
  await app.platform.events.drain();
  const [alice, bob, carol, eve] = await Promise.all(
    [users.alice, users.bob, users.carol, users.eve].map((user) => matrixClientOf(app, user.id)),
  );
  if (!alice || !bob || !carol || !eve) throw new Error('sign-in failed');
  return {
    environment,
    app,
    alice,
    bob,
    carol,
    eve,
    userIds: { alice: users.alice.id, bob: users.bob.id, carol: users.carol.id, eve: users.eve.id },
    organisationId: organisation.id,
    async close() {
      await app.close();
      await environment.destroy();
    },
  };
}

/** The room's resource in the permission model. */
export async function roomResource(app: BureauApp, roomId: string): Promise<{ type: string; id: string }> {
  const row = await app.platform.database.executor
    .withTables<ChatTables>()
    .selectFrom('chat_rooms')
    .select('resource_id')
    .where('room_id', '=', roomId)
    .executeTakeFirstOrThrow();
  if (!row.resource_id) throw new Error(`room ${roomId} has no resource`);
  return { type: 'chat.room', id: row.resource_id };
}

/** Whether the Bureau user may `read` the room's resource, as every consumer of the permission model asks. */
export async function canRead(app: BureauApp, userId: string, roomId: string): Promise<boolean> {
  const user = await app.identity.directory.getUser(userId);
  const subject = await app.identity.directory.resolveSubject(user);
  return app.platform.authz.can(subject, 'read', await roomResource(app, roomId));
}

/** Headers of a browser signed in as Alice (the world's only user with a password). */
export function aliceWebSession(app: BureauApp): Promise<Record<string, string>> {
  return signInHeaders(app, { email: emails.alice, password: testPassword, publicUrl });
}

/** Headers of a program calling Bureau's API with the user's API key (scope `chat` unless given). */
export async function apiKeyHeaders(
  app: BureauApp,
  userId: string,
  scopes: readonly ApiKeyScope[] = ['chat'],
): Promise<Record<string, string>> {
  const user = await app.identity.directory.getUser(userId);
  const { secret } = await app.identity.auth.createUserApiKey(user, { name: 'test', scopes }, system);
  return { authorization: `Bearer ${secret}` };
}

/** The state path of a room, for `InjectMatrixClient.request`. */
export function statePath(roomId: string, type: string, stateKey = ''): string {
  return `rooms/${encodeURIComponent(roomId)}/state/${encodeURIComponent(type)}/${encodeURIComponent(stateKey)}`;
}

export async function join(client: InjectMatrixClient, roomId: string): Promise<void> {
  await client.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
}

export async function invite(client: InjectMatrixClient, roomId: string, userId: string) {
  return client.request('POST', `rooms/${encodeURIComponent(roomId)}/invite`, { user_id: userId });
}
