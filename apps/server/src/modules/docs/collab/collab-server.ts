import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Forbidden, Unauthorized } from '@hocuspocus/common';
import { Hocuspocus, type Document } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as Y from 'yjs';
import type { Subject } from '../../../platform/authz/subject.ts';
import type { Logger } from '../../../platform/logging.ts';
import {
  discussionsDocumentName,
  isEmptyUpdate,
  isValidUpdate,
  parseCollabDocumentName,
  type CollabStore,
} from './collab-store.ts';

/** What a connection to one page carries once authenticated. */
export interface CollabContext {
  /** The session cookie's token, when the browser sent one (read at the upgrade). */
  readonly sessionToken?: string;
  userId?: string | null;
  displayName?: string;
  subject?: Subject;
  /** How the connection authenticated: a session (re-checked as such) or a collaboration token. */
  via?: 'session' | 'token' | 'anonymous';
  /** When the permission was last checked (ms). */
  checkedAt?: number;
  /** Updates of the message being handled, stored and not yet applied. */
  storedIds?: string[];
  /**
   * The documents this socket opened as a visitor (no session, no token), shared by the socket's
   * connections: they receive no awareness (the names and cursors of the people editing).
   */
  readonly visitorDocuments?: Set<string>;
}

/** Who a credential names, or undefined when it names nobody who may still act. */
export interface CollabPrincipal {
  readonly userId: string | null;
  readonly displayName: string;
  readonly subject: Subject;
}

export interface CollabServerDependencies {
  readonly store: CollabStore;
  readonly logger: Logger;
  /** `https://bureau.example.gouv.fr`: a browser's WebSocket carrying the session cookie must come from it. */
  readonly publicOrigin: string;
  readonly identity: {
    /** The user of a session token, if the session holds and the account is active. */
    bySession(token: string): Promise<CollabPrincipal | undefined>;
    /** The user of a collaboration token for this page, if the token holds and the account is active. */
    byCollabToken(token: string, documentId: string): Promise<CollabPrincipal | undefined>;
    anonymous(): CollabPrincipal;
  };
  /** What the subject may do with the page now (nothing for a page in the trash or unknown). */
  access(subject: Subject, documentId: string): Promise<{ read: boolean; edit: boolean }>;
  /** After the page's content was stored and compacted (debounced: at most every few seconds while edited). */
  onStored(documentId: string, document: Y.Doc, userId: string | null): Promise<void>;
  /** Session cookie name. */
  readonly sessionCookieName: string;
  /** How often a connection's permission is checked again while it sends updates (ms). */
  readonly recheckIntervalMs?: number;
  readonly now?: () => number;
}

/** Hocuspocus message types carrying Yjs sync messages, and the sync messages that carry document changes. */
const syncMessageTypes = new Set([0 /* Sync */, 4 /* SyncReply */]);
const changeSyncTypes = new Set([1 /* SyncStep2 */, 2 /* Update */]);
const awarenessMessageType = 1;
export const collabPath = '/collab';
/** One WebSocket message at most (a pasted page with images is far below). */
const maxMessageBytes = 16 * 1024 * 1024;

/**
 * The Yjs update a Hocuspocus message carries, or null for other messages (awareness, auth, step 1...).
 * Throws on a message too short to hold one.
 */
export function documentChangeOf(message: Uint8Array): Uint8Array | null {
  const decoder = decoding.createDecoder(message);
  decoding.readVarString(decoder);
  if (!syncMessageTypes.has(decoding.readVarUint(decoder))) return null;
  if (!changeSyncTypes.has(decoding.readVarUint(decoder))) return null;
  return decoding.readVarUint8Array(decoder);
}

/** Whether an outgoing message is an awareness update of one of these documents. */
function isAwarenessOf(message: Uint8Array, documentNames: ReadonlySet<string>): boolean {
  const decoder = decoding.createDecoder(message);
  return documentNames.has(decoding.readVarString(decoder)) && decoding.readVarUint(decoder) === awarenessMessageType;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) return decodeURIComponent(part.slice(separator + 1).trim());
  }
  return undefined;
}

function closeError(event: { code: number; reason: string }): Error & { code: number; reason: string } {
  return Object.assign(new Error(event.reason), { code: event.code, reason: event.reason });
}

/**
 * Real-time editing: Hocuspocus inside Bureau, on `/collab` of the same HTTP server. A connection to a page
 * is authenticated by the session cookie (browsers) or a short-lived collaboration token (other clients),
 * its permission checked when it opens **and** again while it sends changes; a reader's changes are
 * refused (Hocuspocus's read-only connections), and every accepted change is stored before it is
 * acknowledged.
 *
 * A page is two documents: `<id>`, its content, and `<id>/discussions`, its comment threads, which only
 * signed-in readers may open and only the server writes (comments.service.ts). A visitor following a public
 * link (no session, no token) gets the content alone, and no awareness: the people editing stay unnamed.
 */
export function createCollabServer(deps: CollabServerDependencies) {
  const now = deps.now ?? Date.now;
  // Revocations are pushed at once (`recheckConnections`); this catches ended sessions and expired grants.
  const recheckIntervalMs = deps.recheckIntervalMs ?? 15_000;
  const logger = deps.logger;

  async function principalOf(context: CollabContext, token: string, documentId: string) {
    if (token.startsWith('bdt_')) return deps.identity.byCollabToken(token, documentId);
    if (context.sessionToken) return deps.identity.bySession(context.sessionToken);
    return deps.identity.anonymous();
  }

  /** What a connection's principal may do with its page now (nothing once its session or token ended). */
  async function accessNow(context: CollabContext, documentName: string): Promise<{ read: boolean; edit: boolean }> {
    const key = parseCollabDocumentName(documentName);
    const principal =
      context.via === 'session' && context.sessionToken
        ? await deps.identity.bySession(context.sessionToken)
        : context.via === 'anonymous'
          ? deps.identity.anonymous()
          : context.subject && { userId: context.userId ?? null, displayName: '', subject: context.subject };
    if (!key || !principal) return { read: false, edit: false };
    return deps.access(principal.subject, key.documentId);
  }

  const hocuspocus = new Hocuspocus<CollabContext>({
    name: 'bureau-docs',
    quiet: true,
    // Stored on every change anyway: these only pace compaction, search indexing and automatic versions.
    debounce: 5_000,
    maxDebounce: 30_000,
    timeout: 30_000,

    async onAuthenticate({ token, documentName, context, connectionConfig }) {
      const key = parseCollabDocumentName(documentName);
      if (!key) throw closeError(Forbidden);
      const principal = await principalOf(context, token, key.documentId);
      if (!principal) throw closeError(Unauthorized);
      // A page's discussions name their authors: for signed-in readers only.
      if (key.part === 'discussions' && principal.userId === null) throw closeError(Forbidden);
      const access = await deps.access(principal.subject, key.documentId);
      if (!access.read) throw closeError(Forbidden);
      connectionConfig.readOnly = key.part === 'discussions' || !access.edit;
      const via = token.startsWith('bdt_') ? 'token' : context.sessionToken ? 'session' : 'anonymous';
      if (via === 'anonymous') context.visitorDocuments?.add(documentName);
      return {
        userId: principal.userId,
        displayName: principal.displayName,
        subject: principal.subject,
        via,
        checkedAt: now(),
      } satisfies Partial<CollabContext>;
    },

    async onLoadDocument({ documentName, document }) {
      await deps.store.loadInto(documentName, document, undefined, true);
      return document;
    },

    // The message's update is in the live document now: compaction may delete its row.
    afterHandleMessage({ context, documentName }) {
      if (context.storedIds && context.storedIds.length > 0) {
        deps.store.markApplied(documentName, context.storedIds);
        context.storedIds = [];
      }
      return Promise.resolve();
    },

    afterUnloadDocument({ documentName }) {
      deps.store.forget(documentName);
      return Promise.resolve();
    },

    async beforeHandleMessage({ update: message, connection, context, documentName }) {
      const change = documentChangeOf(message);
      if (change === null || connection.readOnly) return; // a read-only connection's change is refused by Hocuspocus
      if (now() - (context.checkedAt ?? 0) > recheckIntervalMs) {
        // The session may have ended, the account been deactivated, the grant revoked, the page trashed.
        const access = await accessNow(context, documentName);
        context.checkedAt = now();
        if (!access.read) throw closeError(Forbidden);
        if (!access.edit) {
          connection.readOnly = true;
          return;
        }
      }
      if (isEmptyUpdate(change)) return;
      if (!isValidUpdate(change)) throw closeError({ code: 4400, reason: 'Malformed update' });
      const id = await deps.store.append(documentName, change);
      (context.storedIds ??= []).push(id);
    },

    async onStoreDocument({ documentName, document, lastContext }) {
      await deps.store.compact(documentName, Y.encodeStateAsUpdate(document));
      // The page's date and author, its search text and its versions follow its content, not its discussions.
      if (parseCollabDocumentName(documentName)?.part === 'page') {
        await deps.onStored(documentName, document, lastContext?.userId ?? null);
      }
    },
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });

  function refuse(socket: Duplex, status: number, text: string) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  return {
    hocuspocus,

    /** Handles an HTTP upgrade; returns false when the path is not `/collab` (someone else's). */
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const url = new URL(request.url ?? '/', 'http://bureau.invalid');
      if (url.pathname !== collabPath) return false;
      const sessionToken = cookieValue(request.headers.cookie, deps.sessionCookieName);
      // A page of another site must not open a socket with the user's cookie (cross-site WebSocket hijacking).
      const origin = request.headers.origin;
      if (sessionToken && origin !== undefined && origin !== deps.publicOrigin) {
        refuse(socket, 403, 'Forbidden');
        return true;
      }
      sockets.handleUpgrade(request, socket, head, (websocket: WebSocket) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === 'string') headers.set(name, value);
        }
        headers.delete('cookie');
        const fetchRequest = new Request(`http://bureau.invalid${url.pathname}${url.search}`, { headers });
        // What Hocuspocus sends goes through here: a visitor's documents get no awareness.
        const visitorDocuments = new Set<string>();
        const socket = {
          get readyState() {
            return websocket.readyState;
          },
          send(message: Uint8Array) {
            if (visitorDocuments.size > 0 && isAwarenessOf(message, visitorDocuments)) return;
            websocket.send(message);
          },
          close(code?: number, reason?: string) {
            websocket.close(code, reason);
          },
        };
        const context: Partial<CollabContext> = sessionToken
          ? { sessionToken, visitorDocuments }
          : { visitorDocuments };
        const connection = hocuspocus.handleConnection(socket, fetchRequest, context);
        websocket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
          const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
          connection.handleMessage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        });
        websocket.on('close', (code: number, reason: Buffer) =>
          connection.handleClose({ code, reason: reason.toString() }),
        );
        websocket.on('error', (error) => logger.debug({ err: error }, 'docs: collaboration socket error'));
      });
      return true;
    },

    /**
     * Changes a page on the server (restoring a version, inserting an answer of Albert): applied to the live
     * document every editor sees, and stored before this resolves.
     */
    async edit(documentId: string, change: (document: Y.Doc) => void): Promise<void> {
      await this.withDocument(documentId, (document) => {
        document.transact(() => change(document));
        return Promise.resolve();
      });
    },

    /**
     * Runs `work` on the live page (loaded if no one edits it); every change it makes is broadcast to the
     * editors and stored before this resolves.
     */
    async withDocument<T>(name: string, work: (document: Y.Doc) => Promise<T>): Promise<T> {
      const connection = await hocuspocus.openDirectConnection(name, { userId: null });
      try {
        const document = connection.document as Document;
        const before = Y.encodeStateVector(document);
        const result = await work(document);
        const update = Y.encodeStateAsUpdate(document, before);
        if (!isEmptyUpdate(update)) deps.store.markApplied(name, [await deps.store.append(name, update)]);
        return result;
      } finally {
        await connection.disconnect();
      }
    },

    /**
     * Checks again the permission of every open connection (after a grant was revoked or a page moved):
     * a connection that may no longer read is closed, one that may no longer edit becomes read-only. Read-only
     * connections send nothing, so without this a visitor whose link was removed would keep receiving the page.
     */
    async recheckConnections(): Promise<void> {
      for (const document of hocuspocus.documents.values()) {
        for (const connection of [...document.connections.keys()]) {
          const context = connection.context as CollabContext;
          const access = await accessNow(context, document.name);
          context.checkedAt = now();
          if (!access.read) connection.close(Forbidden);
          else if (!access.edit) connection.readOnly = true;
        }
      }
    },

    /** Closes every connection to a page and its discussions (trashed, deleted). */
    closePage(documentId: string) {
      hocuspocus.closeConnections(documentId);
      hocuspocus.closeConnections(discussionsDocumentName(documentId));
    },

    /** How many connections are open (metrics, tests). */
    connectionCount: () => hocuspocus.getConnectionsCount(),

    /** Shutdown: close the sockets, store what is pending. */
    async close() {
      hocuspocus.closeConnections();
      hocuspocus.flushPendingStores();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      // Let the last stores (compaction, search) finish before the database closes; edits are already stored.
      const deadline = Date.now() + 5_000;
      while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await deps.store.flush();
    },
  };
}

export type CollabServer = ReturnType<typeof createCollabServer>;
