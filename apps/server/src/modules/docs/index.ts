import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../platform/audit/audit-log.ts';
import type { AuthzService } from '../../platform/authz/index.ts';
import { anonymousSubject, type Subject } from '../../platform/authz/subject.ts';
import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logging.ts';
import type { JobService } from '../../platform/jobs/index.ts';
import type { BureauModule } from '../../platform/module.ts';
import type { NotificationService } from '../../platform/notifications/index.ts';
import type { SearchService } from '../../platform/search/index.ts';
import { createCommentsService, type CommentsService } from './comments.service.ts';
import { registerCommentRoutes } from './comments.routes.ts';
import { defineDocsNotifications } from './docs.notifications.ts';
import { createCollabServer, type CollabPrincipal, type CollabServer } from './collab/collab-server.ts';
import { createCollabStore, type CollabStore } from './collab/collab-store.ts';
import { createContentService, type ContentService } from './content.service.ts';
import { createDocsRepository } from './docs.repository.ts';
import { registerDocsRoutes } from './docs.routes.ts';
import {
  createDocsService,
  documentResourceType,
  documentSearchType,
  spaceResourceType,
  type DocsService,
} from './docs.service.ts';
import { docsCoreMigration } from './migrations/202612041000_docs_core.ts';
import { registerTrashPurge } from './trash-purge.ts';
import { docsDiscussionsApartMigration } from './migrations/202612080900_docs_discussions_apart.ts';

export { docsErrors } from './docs.errors.ts';
export type { DocsService } from './docs.service.ts';

/** A user as the documents module reads them from the directory. */
export interface DocsDirectoryUser {
  readonly id: string;
  readonly displayName: string;
  readonly isActive: boolean;
}

export interface DocsModuleDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly logger: Logger;
  readonly audit: AuditLog;
  readonly authz: AuthzService;
  readonly search: SearchService;
  readonly blobs: BlobStore;
  readonly notifications: NotificationService;
  readonly jobs: JobService;
  readonly identity: {
    subjectOf(request: FastifyRequest): Promise<Subject>;
    /** The active user of a session token, with their subject (the collaboration socket's cookie). */
    bySessionToken(token: string): Promise<{ userId: string; displayName: string; subject: Subject } | undefined>;
    /** An active user by id, with their subject (collaboration tokens). */
    byUserId(userId: string): Promise<{ userId: string; displayName: string; subject: Subject } | undefined>;
    displayNames(userIds: readonly string[]): Promise<Map<string, string>>;
    principalName(kind: 'user' | 'group' | 'organisation', id: string): Promise<string | undefined>;
    readonly sessionCookieName: string;
  };
  readonly config: { readonly publicUrl: string };
}

export interface DocsModule extends BureauModule {
  readonly docs: DocsService;
  readonly content: ContentService;
  readonly comments: CommentsService;
  readonly store: CollabStore;
  /** The real-time editing server (`/collab`), once routes are registered. */
  readonly collab: () => CollabServer;
}

/**
 * Docs: spaces, a page tree, real-time collaborative editing (Yjs documents served by Hocuspocus on
 * `/collab`, stored on the server), versions, files, exports and imports. See README.md.
 */
export function createDocsModule(deps: DocsModuleDependencies): DocsModule {
  const logger = deps.logger.child({ module: 'docs' });
  const now = () => deps.clock.now();
  const roles = ['reader', 'commenter', 'editor', 'owner'];
  const actions = { read: 'reader', comment: 'commenter', edit: 'editor', share: 'owner' };
  const same = { reader: 'reader', commenter: 'commenter', editor: 'editor', owner: 'owner' };
  deps.authz.defineResourceType({ type: spaceResourceType, roles, actions });
  deps.authz.defineResourceType({
    type: documentResourceType,
    roles,
    actions,
    parentTypes: [spaceResourceType, documentResourceType],
    inheritFrom: { [spaceResourceType]: same },
  });
  deps.search.defineType({ type: documentSearchType, resourceType: documentResourceType, action: 'read' });
  defineDocsNotifications(deps.notifications);

  const repository = createDocsRepository(deps.database);
  const store = createCollabStore({ database: deps.database, repository, newId: deps.newId, now, logger });
  let collab: CollabServer | undefined;
  const docs = createDocsService({
    database: deps.database,
    repository,
    store,
    authz: deps.authz,
    search: deps.search,
    newId: deps.newId,
    now,
    logger,
    directory: {
      displayNames: (userIds) => deps.identity.displayNames(userIds),
      principalName: (kind, id) => deps.identity.principalName(kind, id),
    },
    subjectOfUser: async (userId) => (await deps.identity.byUserId(userId))?.subject,
    recheckConnections: () => {
      collab
        ?.recheckConnections()
        .catch((error: unknown) => logger.error({ err: error }, 'docs: recheck of connections failed'));
    },
    closePages: (ids) => {
      for (const id of ids) collab?.closePage(id);
    },
  });
  const content = createContentService({
    database: deps.database,
    repository,
    store,
    docs,
    blobs: deps.blobs,
    newId: deps.newId,
    now,
    logger,
    publicUrl: deps.config.publicUrl,
    displayNames: (userIds) => deps.identity.displayNames(userIds),
  });

  const collabServer = () => {
    if (!collab) throw new Error('docs: routes are not registered yet');
    return collab;
  };
  const trashPurge = registerTrashPurge({
    jobs: deps.jobs,
    clock: deps.clock,
    logger,
    docs,
    blobs: deps.blobs,
  });
  const comments = createCommentsService({ docs, collab: collabServer, notifications: deps.notifications, logger });

  const principal = (found: { userId: string; displayName: string; subject: Subject } | undefined) =>
    found satisfies CollabPrincipal | undefined;

  return {
    name: 'docs',
    migrations: [docsCoreMigration, docsDiscussionsApartMigration],
    docs,
    content,
    comments,
    store,
    collab: collabServer,
    async registerRoutes(http) {
      collab = createCollabServer({
        store,
        logger,
        publicOrigin: new URL(deps.config.publicUrl).origin,
        sessionCookieName: deps.identity.sessionCookieName,
        identity: {
          bySession: async (token) => principal(await deps.identity.bySessionToken(token)),
          async byCollabToken(token, documentId) {
            const userId = await content.collabTokenUser(token, documentId);
            return userId ? principal(await deps.identity.byUserId(userId)) : undefined;
          },
          anonymous: () => ({ userId: null, displayName: '', subject: anonymousSubject }),
        },
        access: (subject, documentId) => docs.access(subject, documentId),
        onStored: (documentId, document, userId) => content.onStored(documentId, document, userId),
        now: () => deps.clock.now().getTime(),
      });
      content.attachCollab(collab);
      const server = collab;
      http.server.on('upgrade', (request, socket, head) => {
        if (!server.handleUpgrade(request, socket, head)) {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        }
      });
      await registerDocsRoutes(http, {
        docs,
        content,
        subjectOf: (request) => deps.identity.subjectOf(request),
        deleteBlobs: async (keys) => {
          for (const key of keys) await deps.blobs.delete(key).catch(() => false);
        },
      });
      await registerCommentRoutes(http, {
        comments,
        subjectOf: (request) => deps.identity.subjectOf(request),
        displayNames: (userIds) => deps.identity.displayNames(userIds),
      });
    },
    async start() {
      // The hourly trash purge of a running server (one queued at a time; it queues its successor).
      await trashPurge.scheduleNext(0);
    },
    beginShutdown() {
      collab?.hocuspocus.closeConnections();
    },
    async stop() {
      await collab?.close();
      await store.flush();
    },
  };
}
