import type { AuditLog } from '../../platform/audit/audit-log.ts';
import type { AuthzService } from '../../platform/authz/index.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { EventBus } from '../../platform/events.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import type { JobService } from '../../platform/jobs/index.ts';
import type { Logger } from '../../platform/logging.ts';
import type { MailService } from '../../platform/mail/index.ts';
import type { BureauModule } from '../../platform/module.ts';
import type { NotificationService } from '../../platform/notifications/index.ts';
import type { SearchService } from '../../platform/search/index.ts';
import { createChatAccounts, type ChatAccounts } from './accounts.ts';
import type { ChatTables } from './chat.tables.ts';
import { createClientEventFormatter } from './client-events.ts';
import { registerClientRoutes, type ChatIdentity } from './client.routes.ts';
import { matrixErrorPresenter } from './matrix-errors.ts';
import { createMatrixAuthenticator, registerMatrixHttpPolicy } from './matrix-http.ts';
import { chatCoreMigration } from './migrations/202612010900_chat_core.ts';
import { chatPushActionsByRoomMigration } from './migrations/202612011200_chat_push_actions_by_room.ts';
import { chatFewerPagesPerMessageMigration } from './migrations/202612070900_chat_fewer_pages_per_message.ts';
import {
  generateSigningKey,
  privateKeyFromSeed,
  signingKeyFromSeed,
  type BuildableRoomVersion,
  type EventSigner,
  type SigningKey,
} from './protocol/index.ts';
import { createPushService } from './push.ts';
import { createRoomEngine, type RoomEngine } from './room-engine.ts';
import { createDiscoveryFeature } from './discovery/index.ts';
import { createE2eeFeature } from './e2ee/index.ts';
import type { ChatFeature, ChatFeatureContext } from './feature.ts';
import { createIntegrationFeature } from './integration/index.ts';
import { createMediaFeature } from './media/index.ts';
import { registerRoomsRoutes, type RoomCreationHook } from './rooms.routes.ts';
import { currentStreamPosition, StreamNotifier } from './stream.ts';
import { RecentEvents } from './recent-events.ts';
import { createSyncService, type SyncExtension } from './sync.ts';
import { registerSyncRoutes } from './sync.routes.ts';
import { TypingTracker } from './typing.ts';

export { matrixErrors, matrixError } from './matrix-errors.ts';
export type { ChatIdentity } from './client.routes.ts';

export interface ChatModuleDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  events: EventBus;
  audit: AuditLog;
  authz: AuthzService;
  blobs: BlobStore;
  search: SearchService;
  notifications: NotificationService;
  jobs: JobService;
  mail: MailService;
  identity: ChatIdentity;
  config: {
    publicUrl: string;
    chat: { serverName: string; maxUploadBytes: number };
  };
}

export interface ChatModule extends BureauModule {
  readonly accounts: ChatAccounts;
  readonly rooms: RoomEngine;
  readonly serverName: string;
}

/** The room version of new rooms when the client names none (see README: v12 once creators' power is tested). */
const defaultRoomVersion: BuildableRoomVersion = '11';

/**
 * Chat: a Matrix client-server API homeserver under `/_matrix` (Bureau's users are its accounts), the room
 * engine enforcing the room version's rules, /sync over stream positions, push rules and unread counts.
 */
export function createChatModule(deps: ChatModuleDependencies): ChatModule {
  const serverName = deps.config.chat.serverName;
  const notifier = new StreamNotifier();
  const recent = new RecentEvents();
  // Another process wrote to the stream: what this one holds in memory may miss its changes.
  notifier.onForeignChanges(() => recent.clear());
  const typing = new TypingTracker(deps.clock, notifier);
  const accounts = createChatAccounts({ database: deps.database, clock: deps.clock, serverName });
  let signingKey: SigningKey | undefined;
  let signer: EventSigner | undefined;
  let changesTracked = false;
  const rooms = createRoomEngine({
    database: deps.database,
    clock: deps.clock,
    events: deps.events,
    notifier,
    recent,
    signer: () => {
      if (!signingKey) throw new Error('The chat module is not initialised (no signing key yet)');
      // The key object is made once (from the seed, a few dozen microseconds each time).
      if (signer?.keyId !== signingKey.keyId) {
        signer = { serverName, keyId: signingKey.keyId, privateKey: privateKeyFromSeed(signingKey.seedBase64) };
      }
      return signer;
    },
  });
  const push = createPushService({ database: deps.database });
  notifier.onForeignChanges(() => push.unread.clear());
  rooms.onAppend((context, room, event) => push.recordActions(context, room, event));
  const formatter = createClientEventFormatter({ clock: deps.clock });
  const syncExtensions: SyncExtension[] = [];
  const sync = createSyncService({
    database: deps.database,
    clock: deps.clock,
    notifier,
    typing,
    formatter,
    unreadCounts: push.unreadCounts,
    extensions: syncExtensions,
    recent,
  });
  const creationHooks: RoomCreationHook[] = [];
  const authenticate = createMatrixAuthenticator({ accounts, clock: deps.clock });
  const logger = deps.logger.child({ module: 'chat' });
  const context: ChatFeatureContext = {
    database: deps.database,
    clock: deps.clock,
    newId: deps.newId,
    logger,
    events: deps.events,
    audit: deps.audit,
    authz: deps.authz,
    blobs: deps.blobs,
    search: deps.search,
    notifications: deps.notifications,
    jobs: deps.jobs,
    mail: deps.mail,
    identity: deps.identity,
    accounts,
    rooms,
    formatter,
    notifier,
    recent,
    typing,
    push,
    authenticate,
    syncExtensions,
    creationHooks,
    serverName,
    publicUrl: deps.config.publicUrl,
    maxUploadBytes: deps.config.chat.maxUploadBytes,
  };
  const features: ChatFeature[] = [
    createE2eeFeature(context),
    createMediaFeature(context),
    createDiscoveryFeature(context),
    createIntegrationFeature(context),
  ];

  // A deactivated Bureau user loses chat access at once: every device and token goes.
  deps.events.subscribe('identity.user.deactivated', async ({ payload: { userId } }) => {
    const account = await accounts.accountOfUser(userId);
    if (account) await accounts.logoutAll(account.matrix_id);
  });
  // Every Bureau user has a Matrix account (so they can be invited before their first sign-in).
  deps.events.subscribe('identity.user.created', async ({ payload: { userId } }) => {
    const user = await deps.identity.getUser(userId);
    if (user && user.kind !== 'service') await accounts.ensureAccount(user);
  });

  async function loadSigningKey(): Promise<SigningKey> {
    const table = deps.database.executor.withTables<ChatTables>();
    const existing = await table.selectFrom('chat_signing_keys').selectAll().orderBy('created_at').executeTakeFirst();
    if (existing) return signingKeyFromSeed(existing.seed, existing.key_id);
    const key = generateSigningKey();
    await table
      .insertInto('chat_signing_keys')
      .values({ key_id: key.keyId, seed: key.seedBase64, created_at: deps.clock.now().toISOString() })
      .onConflict((conflict) => conflict.column('key_id').doNothing())
      .execute();
    const stored = await table
      .selectFrom('chat_signing_keys')
      .selectAll()
      .orderBy('created_at')
      .executeTakeFirstOrThrow();
    return signingKeyFromSeed(stored.seed, stored.key_id);
  }

  return {
    name: 'chat',
    migrations: [
      chatCoreMigration,
      chatPushActionsByRoomMigration,
      chatFewerPagesPerMessageMigration,
      ...features.flatMap((feature) => feature.migrations),
    ],
    accounts,
    rooms,
    serverName,
    async registerRoutes(http, errorSurfaces) {
      errorSurfaces.register('/_matrix', matrixErrorPresenter);
      errorSurfaces.register('/.well-known/matrix', matrixErrorPresenter);
      registerMatrixHttpPolicy(http);
      registerClientRoutes(http, {
        database: deps.database,
        clock: deps.clock,
        audit: deps.audit,
        accounts,
        authenticate,
        identity: deps.identity,
        push,
        rooms,
        notifier,
        serverName,
        publicUrl: deps.config.publicUrl,
        defaultRoomVersion,
        versions: {
          // Only what is implemented (clients switch features on by version).
          // v1.3/v1.4: relations, threads and threaded receipts; v1.7: asynchronous uploads and intentional
          // mentions; v1.10: recursive relations; v1.11: authenticated media.
          versions: ['v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8', 'v1.9', 'v1.10', 'v1.11'],
          unstableFeatures: {},
        },
      });
      registerRoomsRoutes(http, {
        database: deps.database,
        clock: deps.clock,
        accounts,
        authenticate,
        rooms,
        formatter,
        notifier,
        typing,
        serverName,
        defaultRoomVersion,
        creationHooks,
        push,
      });
      registerSyncRoutes(http, { database: deps.database, authenticate, sync });
      for (const feature of features) await feature.registerRoutes?.(http);
    },
    async initialise() {
      signingKey = await loadSigningKey();
      // From here on, every change of this process is tracked: /sync skips what did not change.
      if (!changesTracked) {
        notifier.start(await currentStreamPosition(deps.database.executor));
        changesTracked = true;
      }
      for (const feature of features) await feature.initialise?.();
    },
    async start() {
      signingKey ??= await loadSigningKey();
      for (const feature of features) await feature.start?.();
      logger.info({ serverName }, 'Matrix homeserver ready');
    },
    beginShutdown() {
      // Long-polling /sync requests answer now instead of holding the drain.
      notifier.close();
    },
    async stop() {
      notifier.close();
      await sync.drain();
      typing.close();
      for (const feature of [...features].reverse()) await feature.stop?.();
    },
  };
}
