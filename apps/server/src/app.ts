import type { DestinationStream } from 'pino';
import { join } from 'node:path';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from './config.ts';
import { createChatModule, type ChatIdentity, type ChatModule } from './modules/chat/index.ts';
import { createIdentityModule, type IdentityModule } from './modules/identity/index.ts';
import { createAssistantModule, type AssistantModule } from './modules/assistant/index.ts';
import { createDocsModule, type DocsModule, type DocsModuleDependencies } from './modules/docs/index.ts';
import { requireAuthentication, sessionCookieName } from './modules/identity/index.ts';
import { AppError } from './platform/errors.ts';
import type { FastifyRequest } from 'fastify';
import { createAuditLog, type AuditLog } from './platform/audit/index.ts';
import { createAuthzService, type AuthzService } from './platform/authz/index.ts';
import { createLocalBlobStore, type BlobStore } from './platform/blobs/index.ts';
import { createSensitivityService, type SensitivityService } from './platform/sensitivity/index.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { openDatabase, type Database } from './platform/db/database.ts';
import { createMigrationRunner, type Migration, type MigrationRunner } from './platform/db/migrations.ts';
import { createInProcessEventBus, type EventBus } from './platform/events.ts';
import type { ErrorSurfaces } from './platform/http/error-mapper.ts';
import { createHttpServer, type HttpServer } from './platform/http/http-server.ts';
import { registerSystemRoutes } from './platform/http/system-routes.ts';
import { createIdGenerator, type IdGenerator } from './platform/ids.ts';
import { createInstanceService, type InstanceService } from './platform/instance/instance.service.ts';
import { createJobService, jobStatuses, type JobService } from './platform/jobs/index.ts';
import { createLogger, type Logger } from './platform/logging.ts';
import { createMailService, type MailService } from './platform/mail/index.ts';
import { platformMigrations } from './platform/migrations/index.ts';
import { registerRetentionSweep } from './platform/retention/retention.ts';
import {
  createNotificationService,
  registerNotificationRoutes,
  type NotificationService,
  type NotificationStreamOptions,
  type NotificationUser,
} from './platform/notifications/index.ts';
import type { BureauModule } from './platform/module.ts';
import { createSearchService, registerSearchRoutes, type SearchService } from './platform/search/index.ts';
import { bureauVersion } from './platform/version.ts';
import { registerWebApp } from './platform/http/web-app.ts';
import { webDistDirectory } from './platform/web-build.ts';

/** The shared kernel every module receives. */
export interface Platform {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly database: Database;
  readonly migrations: MigrationRunner;
  readonly events: EventBus;
  readonly metrics: Registry;
  readonly instance: InstanceService;
  readonly jobs: JobService;
  readonly mail: MailService;
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  readonly sensitivity: SensitivityService;
  readonly authz: AuthzService;
  readonly search: SearchService;
  readonly notifications: NotificationService;
}

export interface BureauApp {
  readonly http: HttpServer;
  /** Error shapes by URL prefix, for protocol surfaces (Matrix, OpenAI-compatible). */
  readonly errorSurfaces: ErrorSurfaces;
  readonly platform: Platform;
  readonly modules: readonly BureauModule[];
  /** The identity module (directory, sign-in), for the CLI and tests. */
  readonly identity: IdentityModule;
  /** The chat module (Matrix homeserver), for tests and benchmarks. */
  readonly chat: ChatModule;
  /** The assistant module (Albert's model gateway), for tests and benchmarks. */
  readonly assistant: AssistantModule;
  /** The documents module (spaces, pages, real-time editing), for tests and benchmarks. */
  readonly docs: DocsModule;
  /** Applies pending migrations and records the instance at first start. */
  migrate(): Promise<string[]>;
  /** Migrates, starts the modules and background work, then listens on the configured address. */
  listen(): Promise<string>;
  /**
   * Graceful shutdown: refuses new requests, lets in-flight ones finish (up to the configured timeout),
   * stops background work, then closes the database. Safe to call more than once.
   */
  close(): Promise<void>;
  readonly isShuttingDown: () => boolean;
}

export interface BuildOptions {
  clock?: Clock;
  /** Where logs go (standard output by default). */
  logDestination?: DestinationStream;
  /** Directory of the built web app (apps/web/dist by default). */
  webDistDir?: string;
  /** Heartbeat and limits of the notification stream (tests shorten the heartbeat). */
  notificationStream?: NotificationStreamOptions;
}

/** Builds Bureau from its configuration without opening a port, so tests can inject requests. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<BureauApp> {
  const clock = options.clock ?? systemClock;
  const logger = createLogger(config.logLevel, options.logDestination);
  const newId = createIdGenerator(clock);
  const database = openDatabase(config.database);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'bureau_' });
  const events = createInProcessEventBus({ logger, now: () => clock.now() });
  const instance = createInstanceService({ database, clock });
  const jobs = createJobService({ database, clock, newId, logger, events, concurrency: config.jobs.concurrency });
  const mail = createMailService({ database, clock, newId, logger, events, jobs, config: config.mail });
  const blobs = createLocalBlobStore({ directory: join(config.dataDir, 'blobs'), clock, newId });
  new Gauge({
    name: 'bureau_jobs',
    help: 'Background jobs by status.',
    labelNames: ['status'] as const,
    registers: [metrics],
    async collect() {
      const counts = await jobs.counts().catch(() => undefined);
      for (const status of jobStatuses) this.set({ status }, counts?.[status] ?? 0);
    },
  });

  const audit = createAuditLog({ database, clock, newId, logger });
  const sensitivity = createSensitivityService({ audit, logger });
  const authz = createAuthzService({ database, clock, newId, audit });
  const search = createSearchService({ database, clock, authz, logger, events });
  const notifications = createNotificationService({
    database,
    clock,
    newId,
    logger,
    events,
    jobs,
    mail,
    metrics,
    publicUrl: config.publicUrl,
    // The identity module is created below; the directory is read only once requests and jobs run.
    users: { find: (userId) => notificationUserOf(identity, userId) },
  });

  // The platform's daily retention sweep (finished jobs, delivered mail, old notifications).
  const retention = registerRetentionSweep({ jobs, mail, notifications, clock, logger });

  // Modules, explicitly, in dependency order (identity first: others rely on who the request comes from).
  const identity = createIdentityModule({
    database,
    clock,
    newId,
    logger,
    events,
    audit,
    authz,
    mail,
    blobs,
    instance,
    search,
    notifications,
    config,
  });
  const chat = createChatModule({
    database,
    clock,
    newId,
    logger,
    events,
    audit,
    authz,
    blobs,
    search,
    notifications,
    jobs,
    mail,
    identity: chatIdentityOf(identity),
    config,
  });
  const assistant = createAssistantModule({
    database,
    clock,
    newId,
    logger,
    audit,
    authz,
    sensitivity,
    identity: {
      subjectOf: (request) => identity.subjectOf(request),
      organisationDefaultLabel: (organisationId) =>
        identity.directory.defaultLabelOf(organisationId, database.executor),
      organisationsAdministeredBy: (userId) => identity.directory.organisationsAdministeredBy(userId),
      listOrganisations: async () =>
        (await identity.directory.listOrganisations()).map((row) => ({
          id: row.id,
          name: row.name,
          parentId: row.parent_id,
        })),
    },
    config,
  });
  const docs = createDocsModule({
    database,
    clock,
    newId,
    logger,
    audit,
    authz,
    search,
    blobs,
    notifications,
    jobs,
    identity: docsIdentityOf(identity),
    config,
  });
  const modules: BureauModule[] = [identity, chat, assistant, docs];

  const migrations: Migration[] = [...platformMigrations, ...modules.flatMap((module) => module.migrations)];
  const migrationRunner = createMigrationRunner(database, migrations);

  let shuttingDown = false;
  const isShuttingDown = () => shuttingDown;

  const { http, errorSurfaces } = await createHttpServer({
    logger,
    newId,
    metrics,
    version: bureauVersion,
    publicUrl: config.publicUrl,
    bodyLimit: config.http.bodyLimit,
    rateLimitPerMinute: config.http.rateLimitPerMinute,
    trustProxy: config.http.trustProxy,
    isShuttingDown,
  });

  const platform: Platform = {
    config,
    logger,
    clock,
    newId,
    database,
    migrations: migrationRunner,
    events,
    metrics,
    instance,
    jobs,
    mail,
    blobs,
    audit,
    sensitivity,
    authz,
    search,
    notifications,
  };

  registerSystemRoutes(http, {
    database,
    migrations: migrationRunner,
    instance,
    metrics,
    version: bureauVersion,
    publicUrl: config.publicUrl,
    isShuttingDown,
  });
  for (const module of modules) await module.registerRoutes?.(http, errorSurfaces);
  registerSearchRoutes(http, { search, subjectOf: (request) => identity.subjectOf(request), requireAuthentication });
  registerNotificationRoutes(http, {
    notifications,
    requireUser: (request) => ({ userId: requireAuthentication(request).user.id }),
    isStillAuthenticated: (request) => isStillSignedIn(identity, clock, request),
    ...(options.notificationStream ? { stream: options.notificationStream } : {}),
  });
  // Last: the web app's catch-all route serves the single-page app for any other browser address.
  await registerWebApp(http, { distDir: options.webDistDir ?? webDistDirectory() });

  let closing: Promise<void> | undefined;

  async function migrate(): Promise<string[]> {
    const applied = await migrationRunner.migrateToLatest();
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    await instance.initialise(config.instanceName);
    for (const module of modules) await module.initialise?.();
    return applied;
  }

  async function shutdown(): Promise<void> {
    shuttingDown = true;
    logger.info('shutting down: refusing new requests, draining in-flight ones');
    for (const module of modules) module.beginShutdown?.();
    const forceClose = setTimeout(() => {
      logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timeout reached: closing open connections');
      http.server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    try {
      await http.close();
    } finally {
      clearTimeout(forceClose);
    }
    await jobs.stop({ timeoutMs: config.shutdownTimeoutMs });
    for (const module of [...modules].reverse()) await module.stop?.();
    await events.drain();
    await database.close();
    logger.info('shutdown complete');
  }

  return {
    http,
    errorSurfaces,
    platform,
    modules,
    identity,
    chat,
    assistant,
    docs,
    migrate,
    async listen() {
      await migrate();
      for (const module of modules) await module.start?.();
      await retention.scheduleNext(0);
      jobs.start();
      const address = await http.listen({ host: config.host, port: config.port });
      logger.info({ address, version: bureauVersion, database: database.dialect }, 'Bureau is listening');
      return address;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
    isShuttingDown,
  };
}

/** A user as notifications need them (actors' names, digest addresses), from the identity module's directory. */
async function notificationUserOf(identity: IdentityModule, userId: string): Promise<NotificationUser | undefined> {
  const user = await identity.directory.getUser(userId).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'IDENTITY_USER_NOT_FOUND') return undefined;
    throw error;
  });
  return user && { displayName: user.display_name, email: user.email, isActive: user.status === 'active' };
}

/**
 * Whether the session or API key of a long request (a notification stream) still holds: revoked,
 * expired or its account deactivated (which revokes both) ends it. Reads without touching the session,
 * so that an open tab does not keep an idle session alive.
 */
async function isStillSignedIn(identity: IdentityModule, clock: Clock, request: FastifyRequest): Promise<boolean> {
  const authentication = request.auth;
  if (!authentication) return false;
  const { user, credential } = authentication;
  if (credential.kind === 'session') {
    const sessions = await identity.auth.listSessions(user.id);
    return sessions.some((session) => session.id === credential.session.id);
  }
  const keys = await identity.auth.listUserApiKeys(user.id);
  const now = clock.now().getTime();
  return keys.some(
    (key) => key.id === credential.apiKey.id && (key.expires_at === null || new Date(key.expires_at).getTime() > now),
  );
}

/** What the chat module needs of the identity module: password checks, the web session's user, the directory. */
function chatIdentityOf(identity: IdentityModule): ChatIdentity {
  const findUser = async (userId: string) => {
    try {
      return await identity.directory.getUser(userId);
    } catch {
      return undefined;
    }
  };
  return {
    async checkPassword(email, password, request) {
      return identity.auth.checkPassword(
        { email, password },
        { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, label: email },
      );
    },
    sessionUser(request) {
      return request.auth?.credential.kind === 'session' ? request.auth.user : undefined;
    },
    getUser: findUser,
    findUserByEmail: (email) => identity.directory.findUserByEmail(email),
    async organisationLabel(organisationId) {
      try {
        return (await identity.directory.getOrganisation(organisationId)).default_label;
      } catch {
        return undefined;
      }
    },
    get sso() {
      return identity.oidc ? { name: 'ProConnect' } : undefined;
    },
  };
}

/** What the documents module needs of the identity module: who a socket's cookie or a token names, names. */
function docsIdentityOf(identity: IdentityModule): DocsModuleDependencies['identity'] {
  const activeUser = async (user: Awaited<ReturnType<IdentityModule['directory']['getUser']>> | undefined) =>
    user && user.status === 'active'
      ? { userId: user.id, displayName: user.display_name, subject: await identity.directory.resolveSubject(user) }
      : undefined;
  const orUndefined = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof AppError) return undefined;
      throw error;
    }
  };
  return {
    subjectOf: (request) => identity.subjectOf(request),
    async bySessionToken(token) {
      const authentication = await identity.auth.authenticateSession(token);
      return activeUser(authentication?.user);
    },
    byUserId: async (userId) => activeUser(await orUndefined(() => identity.directory.getUser(userId))),
    async displayNames(userIds) {
      const names = new Map<string, string>();
      for (const userId of new Set(userIds)) {
        const user = await orUndefined(() => identity.directory.getUser(userId));
        if (user) names.set(userId, user.display_name);
      }
      return names;
    },
    async principalName(kind, id) {
      if (kind === 'user') return (await orUndefined(() => identity.directory.getUser(id)))?.display_name;
      if (kind === 'group') return (await orUndefined(() => identity.directory.getGroup(id)))?.name;
      return (await orUndefined(() => identity.directory.getOrganisation(id)))?.name;
    },
    sessionCookieName,
  };
}
