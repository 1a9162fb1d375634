import { BlockNoteSchema, createParagraphBlockSpec, defaultStyleSpecs } from '@blocknote/core';
import {
  DefaultThreadStoreAuth,
  RESTYjsThreadStore,
  ThreadStoreAuth,
  type CommentData,
  type ThreadData,
} from '@blocknote/core/comments';
import type * as Y from 'yjs';
import { threadsPath } from '../docs.api.ts';

/** The Yjs map of a page's discussions that holds its threads (the server writes it, readers follow it live). */
export const threadsMapName = 'threads';

// Comments are paragraphs of text, bold, italic, underlined, struck or as code, with links (mentions are
// links): no colours, no other block.
const { textColor: _textColor, backgroundColor: _backgroundColor, ...commentStyleSpecs } = defaultStyleSpecs;

/** The schema of a comment's editor (as BlockNote's own comment editor). */
export const commentSchema = BlockNoteSchema.create({
  blockSpecs: { paragraph: createParagraphBlockSpec() },
  styleSpecs: commentStyleSpecs,
});

/** What a reader may do with comments: read them, nothing else. */
export class ReaderThreadStoreAuth extends ThreadStoreAuth {
  canCreateThread(): boolean {
    return false;
  }
  canAddComment(): boolean {
    return false;
  }
  canUpdateComment(): boolean {
    return false;
  }
  canDeleteComment(): boolean {
    return false;
  }
  canDeleteThread(): boolean {
    return false;
  }
  canResolveThread(): boolean {
    return false;
  }
  canUnresolveThread(): boolean {
    return false;
  }
  canAddReaction(): boolean {
    return false;
  }
  canDeleteReaction(): boolean {
    return false;
  }
}

/**
 * The comment threads of a page: read from its discussions' Yjs document (live), written through the server's REST API
 * (`/api/docs/:id/threads`, BlockNote's `RESTYjsThreadStore`), which checks the permission model and, for a
 * thread, puts its mark on the text itself (so that a commenter, whose connection is read only, may comment
 * too). Writes carry the session's CSRF token, as the app's API client sends it.
 */
export function createThreadStore(options: {
  documentId: string;
  /** The page's discussions document. */
  discussions: Y.Doc;
  userId: string;
  csrfToken: string | null;
  canEdit: boolean;
  canComment: boolean;
}): RESTYjsThreadStore {
  const headers: Record<string, string> = options.csrfToken ? { 'x-csrf-token': options.csrfToken } : {};
  const auth = options.canComment
    ? new DefaultThreadStoreAuth(options.userId, options.canEdit ? 'editor' : 'comment')
    : new ReaderThreadStoreAuth();
  return new RESTYjsThreadStore(
    threadsPath(options.documentId),
    headers,
    options.discussions.getMap(threadsMapName),
    auth,
  );
}

/** The address of a person's card in the directory: a link to it in a comment mentions them. */
export function mentionHref(userId: string): string {
  return `/annuaire/personnes/${encodeURIComponent(userId)}`;
}

export function isMentionHref(href: string): boolean {
  return /^\/annuaire\/personnes\/[0-9a-f-]{36}$/i.test(href);
}

/** The comments of a thread still shown (a deleted one leaves no trace but its place). */
export function visibleComments(thread: ThreadData): CommentData[] {
  return thread.comments.filter((comment) => comment.deletedAt === undefined && comment.body !== undefined);
}

/** Whether a comment was changed after it was written (a reaction does not count: it changes no date). */
export function isEdited(comment: CommentData): boolean {
  return comment.updatedAt.getTime() - comment.createdAt.getTime() > 1_000;
}
