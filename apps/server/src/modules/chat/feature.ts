import type { AuditLog } from '../../platform/audit/audit-log.ts';
import type { AuthzService } from '../../platform/authz/index.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Migration } from '../../platform/db/migrations.ts';
import type { EventBus } from '../../platform/events.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import type { JobService } from '../../platform/jobs/index.ts';
import type { Logger } from '../../platform/logging.ts';
import type { MailService } from '../../platform/mail/index.ts';
import type { NotificationService } from '../../platform/notifications/index.ts';
import type { SearchService } from '../../platform/search/index.ts';
import type { ChatAccounts } from './accounts.ts';
import type { ClientEventFormatter } from './client-events.ts';
import type { ChatIdentity } from './client.routes.ts';
import type { MatrixAuthenticator } from './matrix-http.ts';
import type { PushService } from './push.ts';
import type { RecentEvents } from './recent-events.ts';
import type { RoomEngine } from './room-engine.ts';
import type { RoomCreationHook } from './rooms.routes.ts';
import type { StreamNotifier } from './stream.ts';
import type { SyncExtension } from './sync.ts';
import type { TypingTracker } from './typing.ts';

/**
 * What each part of the chat module (end-to-end encryption, media, directory and relations, Bureau
 * integration and Tchap policies) is given: the platform's services and the homeserver core.
 */
export interface ChatFeatureContext {
  readonly database: Database;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly audit: AuditLog;
  readonly authz: AuthzService;
  readonly blobs: BlobStore;
  readonly search: SearchService;
  readonly notifications: NotificationService;
  /** Background jobs (retention purges, search rebuilds of a room). */
  readonly jobs: JobService;
  /** Outgoing e-mail (account validity renewals). */
  readonly mail: MailService;
  readonly identity: ChatIdentity;
  readonly accounts: ChatAccounts;
  readonly rooms: RoomEngine;
  readonly formatter: ClientEventFormatter;
  readonly notifier: StreamNotifier;
  /** The rooms' latest events in memory: a change to an event in place (a purge) must forget its room. */
  readonly recent: RecentEvents;
  readonly typing: TypingTracker;
  readonly push: PushService;
  readonly authenticate: MatrixAuthenticator;
  /** Sections the part adds to /sync responses (to-device, device lists...). */
  readonly syncExtensions: SyncExtension[];
  /** Checks and changes applied to createRoom requests (Tchap room types, external users). */
  readonly creationHooks: RoomCreationHook[];
  readonly serverName: string;
  readonly publicUrl: string;
  readonly maxUploadBytes: number;
}

/** One part of the chat module: its tables, routes and lifecycle, wired by the module's index.ts. */
export interface ChatFeature {
  readonly migrations: readonly Migration[];
  registerRoutes?(http: HttpServer): void | Promise<void>;
  initialise?(): Promise<void>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
