import {
  ClientEvent,
  createClient,
  PendingEventOrdering,
  SyncState,
  type MatrixClient,
  type MatrixEvent,
  type Room,
} from 'matrix-js-sdk';
import { logger as globalSdkLogger, type Logger } from 'matrix-js-sdk/lib/logger.js';
import { testPassword } from './matrix-test-client.ts';

// Parts of the SDK (rooms, timelines) log through its global logger, a loglevel instance: silence it too.
(globalSdkLogger as unknown as { setLevel(level: 'silent'): void }).setLevel('silent');

/** The SDK logs every request; tests read their own assertions instead (failures still throw). */
const quietLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  getChild: () => quietLogger,
};

/** Signs in with the real matrix-js-sdk by e-mail (as Tchap does) and returns a client not yet started. */
export async function loginWithSdk(baseUrl: string, email: string, password = testPassword): Promise<MatrixClient> {
  const anonymous = createClient({ baseUrl, logger: quietLogger });
  const login = await anonymous.loginRequest({
    type: 'm.login.password',
    identifier: { type: 'm.id.thirdparty', medium: 'email', address: email },
    password,
  });
  anonymous.stopClient();
  return createClient({
    baseUrl,
    accessToken: login.access_token,
    userId: login.user_id,
    deviceId: login.device_id,
    logger: quietLogger,
  });
}

/** Starts the client's sync loop and resolves once the first sync is processed. */
export async function startSynced(client: MatrixClient, options: Parameters<MatrixClient['startClient']>[0] = {}) {
  const prepared = new Promise<void>((resolve, reject) => {
    const onSync = (state: SyncState, _previous: SyncState | null, data?: { error?: Error }) => {
      if (state === SyncState.Prepared || state === SyncState.Syncing) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        client.off(ClientEvent.Sync, onSync);
        reject(data?.error ?? new Error('sync error'));
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({
    initialSyncLimit: 20,
    lazyLoadMembers: true,
    // Own messages take their place in the server's order once acknowledged (as Element does).
    pendingEventOrdering: PendingEventOrdering.Detached,
    ...options,
  });
  await prepared;
}

/** Resolves when `predicate` holds, polling the SDK's state every 20 ms, or rejects after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The bodies of the room's live timeline messages, oldest first. */
export function timelineBodies(room: Room | null): string[] {
  if (!room) return [];
  return room
    .getLiveTimeline()
    .getEvents()
    .filter((event: MatrixEvent) => event.getType() === 'm.room.message')
    .map((event: MatrixEvent) => String(event.getContent()['body'] ?? ''));
}
