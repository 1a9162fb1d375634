import { docsFragmentName } from '@bureau/contracts';
import * as buffer from 'lib0/buffer';
import * as sha256 from 'lib0/hash/sha256';
import * as Y from 'yjs';
import type { YjsThreadStore } from '@blocknote/core/comments';
import type { Subject } from '../../platform/authz/subject.ts';
import type { Logger } from '../../platform/logging.ts';
import type { NotificationService } from '../../platform/notifications/index.ts';
import type { CollabServer } from './collab/collab-server.ts';
import { discussionsDocumentName } from './collab/collab-store.ts';
import { docsErrors } from './docs.errors.ts';
import type { DocsService } from './docs.service.ts';

/** The Yjs map of a page's discussions document holding its threads (BlockNote's Yjs thread store format). */
export const threadsMapName = 'threads';

/** Links to a person's directory page mark a mention in a comment (the web app's « @ » inserts one). */
const mentionPattern = /^\/annuaire\/personnes\/([0-9a-f-]{36})$/i;

export interface CommentsServiceDependencies {
  readonly docs: DocsService;
  readonly collab: () => CollabServer;
  readonly notifications: NotificationService;
  readonly logger: Logger;
}

type CommentBody = unknown;

/** The user ids a comment's body mentions (links to their directory page). */
export function mentionedUserIds(body: CommentBody): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (record['type'] === 'link' && typeof record['href'] === 'string') {
      const match = mentionPattern.exec(record['href']);
      if (match) found.add(match[1]!.toLowerCase());
    }
    for (const child of Object.values(record)) visit(child);
  };
  visit(body);
  return [...found];
}

/** The plain text of a comment's body (notifications show its beginning). */
function bodyText(body: CommentBody): string {
  const parts: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record['type'] === 'text' && typeof record['text'] === 'string') parts.push(record['text']);
      for (const [key, child] of Object.entries(record)) if (key !== 'text') visit(child);
    }
  };
  visit(body);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

/** y-prosemirror's key for a mark that may overlap itself (a comment): `name--<hash of the mark's JSON>`. */
function overlappingMarkKey(name: string, attrs: Record<string, unknown>): string {
  const digest = sha256.digest(buffer.encodeAny({ type: name, attrs }));
  for (let index = 6; index < digest.length; index++) digest[index % 6]! ^= digest[index]!;
  return `${name}--${buffer.toBase64(digest.slice(0, 6))}`;
}

/** Every XmlText of a fragment, in document order. */
function textsInOrder(fragment: Y.XmlFragment): Y.XmlText[] {
  const texts: Y.XmlText[] = [];
  const visit = (node: Y.XmlElement | Y.XmlText | Y.XmlHook | Y.XmlFragment) => {
    if (node instanceof Y.XmlText) texts.push(node);
    else if (!(node instanceof Y.XmlHook)) for (const child of node.toArray()) visit(child);
  };
  visit(fragment);
  return texts;
}

interface YjsSelection {
  readonly anchor: unknown;
  readonly head: unknown;
}

/**
 * Comments anchored to text, as BlockNote's REST thread store expects them: threads are kept in the Yjs map
 * `threads` of the page's discussions document (`<id>/discussions` on `/collab`, which signed-in readers
 * follow live and visitors of a public link cannot open), written only here, after the permission model said
 * the user may comment — every connection to the discussions is read-only, so a hand-made client cannot
 * touch another person's comment. The anchor is a `comment` mark the server puts on the page's text.
 */
export function createCommentsService(deps: CommentsServiceDependencies) {
  async function withThreadStore<T>(
    subject: Subject,
    documentId: string,
    work: (store: YjsThreadStore) => Promise<T>,
  ): Promise<T> {
    const { row, role } = await deps.docs.readableDocument(subject, documentId);
    const abilities = deps.docs.abilitiesOf(role);
    if (!abilities.comment || !subject.userId) throw docsErrors.create('DOCS_COMMENT_FORBIDDEN');
    if (row.trashed_at) throw docsErrors.create('DOCS_IN_TRASH');
    const { YjsThreadStore, DefaultThreadStoreAuth } = await import('@blocknote/core/comments');
    const userId = subject.userId;
    return deps.collab().withDocument(discussionsDocumentName(documentId), async (document) => {
      const store = new YjsThreadStore(
        userId,
        document.getMap(threadsMapName),
        new DefaultThreadStoreAuth(userId, abilities.edit ? 'editor' : 'comment'),
      );
      try {
        return await work(store);
      } catch (error) {
        if (error instanceof Error && /not authorized/i.test(error.message)) {
          throw docsErrors.create('DOCS_COMMENT_FORBIDDEN');
        }
        if (error instanceof Error && /not found/i.test(error.message)) {
          throw docsErrors.create('DOCS_THREAD_NOT_FOUND');
        }
        throw error;
      }
    });
  }

  async function notifyComment(
    subject: Subject,
    documentId: string,
    threadId: string,
    body: CommentBody,
    participants: readonly string[],
  ) {
    const page = await deps.docs.readableDocument(subject, documentId);
    const excerpt = bodyText(body).slice(0, 140);
    const params = { documentId, documentTitle: page.row.title || 'Sans titre', threadId, excerpt };
    const mentioned: string[] = [];
    for (const userId of mentionedUserIds(body)) {
      if (userId !== subject.userId && (await deps.docs.canRead(userId, documentId))) mentioned.push(userId);
    }
    if (mentioned.length > 0) {
      await deps.notifications.notify({
        type: 'docs.comment.mentioned',
        recipientIds: mentioned,
        params,
        resource: { type: 'docs.document', id: documentId },
        actorId: subject.userId,
      });
    }
    // The thread's other participants and the page's author hear of the new comment (once).
    const others = new Set([...participants, ...(page.row.created_by ? [page.row.created_by] : [])]);
    const recipients: string[] = [];
    for (const userId of others) {
      if (userId === subject.userId || mentioned.includes(userId)) continue;
      if (await deps.docs.canRead(userId, documentId)) recipients.push(userId);
    }
    if (recipients.length > 0) {
      await deps.notifications.notify({
        type: 'docs.comment.added',
        recipientIds: recipients,
        params,
        resource: { type: 'docs.document', id: documentId },
        actorId: subject.userId,
      });
    }
  }

  const participantsOf = (thread: { comments: ReadonlyArray<{ userId: string }> }) =>
    thread.comments.map((comment) => comment.userId);

  return {
    async createThread(subject: Subject, documentId: string, input: { body: CommentBody; metadata?: unknown }) {
      const thread = await withThreadStore(subject, documentId, (store) =>
        store.createThread({ initialComment: { body: input.body, metadata: input.metadata } }),
      );
      await notifyComment(subject, documentId, thread.id, input.body, []);
      return thread;
    },

    /** Puts the thread's `comment` mark on the text selected when it was created (relative Yjs positions). */
    async addThreadToDocument(subject: Subject, documentId: string, threadId: string, selection: YjsSelection) {
      await withThreadStore(subject, documentId, (store) => Promise.resolve(store.getThread(threadId)));
      return deps.collab().withDocument(documentId, (document) => {
        let anchor: Y.AbsolutePosition | null = null;
        let head: Y.AbsolutePosition | null = null;
        try {
          anchor = Y.createAbsolutePositionFromRelativePosition(
            Y.createRelativePositionFromJSON(selection.anchor),
            document,
          );
          head = Y.createAbsolutePositionFromRelativePosition(
            Y.createRelativePositionFromJSON(selection.head),
            document,
          );
        } catch {
          throw docsErrors.create('DOCS_COMMENT_ANCHOR_INVALID');
        }
        if (!anchor || !head || !(anchor.type instanceof Y.XmlText) || !(head.type instanceof Y.XmlText)) {
          throw docsErrors.create('DOCS_COMMENT_ANCHOR_INVALID');
        }
        const texts = textsInOrder(document.getXmlFragment(docsFragmentName));
        let start = { text: texts.indexOf(anchor.type), index: anchor.index };
        let end = { text: texts.indexOf(head.type), index: head.index };
        if (start.text < 0 || end.text < 0) throw docsErrors.create('DOCS_COMMENT_ANCHOR_INVALID');
        if (end.text < start.text || (end.text === start.text && end.index < start.index)) [start, end] = [end, start];
        const attrs = { orphan: false, threadId };
        const key = overlappingMarkKey('comment', attrs);
        document.transact(() => {
          for (let index = start.text; index <= end.text; index++) {
            const text = texts[index]!;
            const from = index === start.text ? start.index : 0;
            const to = index === end.text ? end.index : text.length;
            if (to > from) text.format(from, to - from, { [key]: attrs });
          }
        });
        return Promise.resolve({});
      });
    },

    async addComment(
      subject: Subject,
      documentId: string,
      threadId: string,
      input: { body: CommentBody; metadata?: unknown },
    ) {
      const { comment, participants } = await withThreadStore(subject, documentId, async (store) => {
        const thread = store.getThread(threadId);
        const added = await store.addComment({ comment: { body: input.body, metadata: input.metadata }, threadId });
        return { comment: added, participants: participantsOf(thread) };
      });
      await notifyComment(subject, documentId, threadId, input.body, participants);
      return comment;
    },

    async updateComment(
      subject: Subject,
      documentId: string,
      threadId: string,
      commentId: string,
      input: { body: CommentBody; metadata?: unknown },
    ) {
      await withThreadStore(subject, documentId, (store) =>
        store.updateComment({ comment: { body: input.body, metadata: input.metadata }, threadId, commentId }),
      );
      return {};
    },

    async deleteComment(
      subject: Subject,
      documentId: string,
      threadId: string,
      commentId: string,
      softDelete: boolean,
    ) {
      await withThreadStore(subject, documentId, (store) => store.deleteComment({ threadId, commentId, softDelete }));
      return {};
    },

    async deleteThread(subject: Subject, documentId: string, threadId: string) {
      await withThreadStore(subject, documentId, (store) => store.deleteThread({ threadId }));
      return {};
    },

    async setResolved(subject: Subject, documentId: string, threadId: string, isResolved: boolean) {
      await withThreadStore(subject, documentId, (store) =>
        isResolved ? store.resolveThread({ threadId }) : store.unresolveThread({ threadId }),
      );
      return {};
    },

    async addReaction(subject: Subject, documentId: string, threadId: string, commentId: string, emoji: string) {
      await withThreadStore(subject, documentId, (store) => store.addReaction({ threadId, commentId, emoji }));
      return {};
    },

    async deleteReaction(subject: Subject, documentId: string, threadId: string, commentId: string, emoji: string) {
      await withThreadStore(subject, documentId, (store) => store.deleteReaction({ threadId, commentId, emoji }));
      return {};
    },
  };
}

export type CommentsService = ReturnType<typeof createCommentsService>;
