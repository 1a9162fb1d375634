import type { BlockNoteEditor } from '@blocknote/core';
import { CommentsExtension, type CommentData, type ThreadData, type User } from '@blocknote/core/comments';
import { useExtension, useExtensionState } from '@blocknote/react';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ConfirmAction } from '../../../app/ConfirmAction.tsx';
import { formatDateTime, useLocale, useMessages } from '../../../i18n.tsx';
import { docsMessages } from '../docs.messages.ts';
import { CommentBody, commentText } from './CommentBody.tsx';
import { CommentComposer, type CommentBlocks } from './CommentComposer.tsx';
import { isEdited, visibleComments } from './comments.ts';

type Filter = 'open' | 'resolved';

/** The reactions offered on a comment (the server accepts any emoji; these keep the choice short). */
const reactionEmojis = ['👍', '❤️', '🎉', '😄', '👀', '✅'] as const;

interface PanelContext {
  editor: BlockNoteEditor;
  comments: ReturnType<typeof useComments>;
  userId: string;
  canMention: boolean;
  users: ReadonlyMap<string, User>;
  /**
   * Runs a change of the discussions; says it went wrong if it did. `leavesList`: the discussion leaves
   * the list shown (resolved, reopened, deleted), so the focus goes to the list's heading.
   */
  run: (change: () => Promise<unknown>, done?: string, leavesList?: boolean) => Promise<boolean>;
  /** Says something went well (a reply sent). */
  announce: (text: string) => void;
}

function useComments(editor: BlockNoteEditor) {
  return useExtension(CommentsExtension, { editor });
}

/** The threads of the page, live (the thread store reads the page's Yjs map). */
function useThreads(editor: BlockNoteEditor): Map<string, ThreadData> {
  const { threadStore } = useComments(editor);
  const [threads, setThreads] = useState(() => threadStore.getThreads());
  useEffect(() => {
    setThreads(threadStore.getThreads());
    return threadStore.subscribe(setThreads);
  }, [threadStore]);
  return threads;
}

/** The names of the people who wrote in the threads (fetched once each, kept by BlockNote's user store). */
function useAuthors(editor: BlockNoteEditor, threads: Map<string, ThreadData>): ReadonlyMap<string, User> {
  const { userStore } = useComments(editor);
  const ids = useMemo(
    () => [...new Set([...threads.values()].flatMap((thread) => thread.comments.map((comment) => comment.userId)))],
    [threads],
  );
  const [users, setUsers] = useState<ReadonlyMap<string, User>>(new Map());
  useEffect(() => userStore.subscribe((cache) => setUsers(new Map(cache))), [userStore]);
  useEffect(() => {
    // A name that cannot be fetched is shown as « someone »: nothing to report.
    userStore.loadUsers(ids).catch(() => undefined);
  }, [userStore, ids]);
  return users;
}

/** The text a thread is about (where its mark is), shortened. */
function referenceTextOf(editor: BlockNoteEditor, position: { from: number; to: number } | undefined): string {
  if (!position) return '';
  const doc = editor.prosemirrorState.doc;
  if (position.to > doc.content.size) return '';
  const text = doc.textBetween(position.from, position.to, ' ').replace(/\s+/g, ' ').trim();
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * The page's discussions beside its text: the open ones (or the resolved ones), in the order of the text
 * they are about, each with its comments, reactions, and what the person may do (reply, resolve or reopen,
 * change or delete their comments). Choosing a discussion highlights its text; clicking highlighted text
 * shows its discussion here. `discussionId` (a notification's link) is shown and focused once it arrives.
 */
export function DiscussionsPanel(props: {
  id: string;
  editor: BlockNoteEditor;
  userId: string;
  canComment: boolean;
  canMention: boolean;
  discussionId?: string | undefined;
}) {
  const t = useMessages(docsMessages);
  const { editor } = props;
  const comments = useComments(editor);
  const threads = useThreads(editor);
  const users = useAuthors(editor, threads);
  const selectedId = useExtensionState(CommentsExtension, { editor, selector: (state) => state.selectedThreadId });
  const positions = useExtensionState(CommentsExtension, { editor, selector: (state) => state.threadPositions });
  const [filter, setFilter] = useState<Filter>('open');
  const [status, setStatus] = useState<{ text: string; isError: boolean }>({ text: '', isError: false });
  const [focusId, setFocusId] = useState<string | undefined>();
  const handledDiscussion = useRef<string | undefined>(undefined);
  const listRef = useRef<HTMLOListElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const threadsRef = useRef(threads);
  threadsRef.current = threads;
  const titleId = useId();
  const filterName = useId();

  const all = [...threads.values()].filter((thread) => visibleComments(thread).length > 0);
  const open = all.filter((thread) => !thread.resolved);
  const resolved = all.filter((thread) => thread.resolved);
  const shown = (filter === 'open' ? open : resolved).sort(
    (a, b) =>
      (positions.get(a.id)?.from ?? Number.MAX_SAFE_INTEGER) - (positions.get(b.id)?.from ?? Number.MAX_SAFE_INTEGER) ||
      a.createdAt.getTime() - b.createdAt.getTime(),
  );

  // A notification's link: its discussion, once the page's threads have arrived.
  const { discussionId } = props;
  useEffect(() => {
    if (!discussionId || handledDiscussion.current === discussionId) return;
    const thread = threads.get(discussionId);
    if (!thread) return;
    handledDiscussion.current = discussionId;
    setFilter(thread.resolved ? 'resolved' : 'open');
    comments.selectThread(discussionId, true);
    setFocusId(discussionId);
  }, [discussionId, threads, comments]);

  // Highlighted text clicked in the page: its discussion comes into view (in the list that holds it).
  useEffect(() => {
    if (!selectedId) return;
    // The threads as they are now (a ref: this runs when another discussion is chosen, not on each change).
    const thread = threadsRef.current.get(selectedId);
    if (thread) setFilter(thread.resolved ? 'resolved' : 'open');
    requestAnimationFrame(() => {
      listRef.current
        ?.querySelector(`[data-thread-id="${CSS.escape(selectedId)}"]`)
        ?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    });
  }, [selectedId]);

  useEffect(() => {
    if (!focusId) return;
    const card = listRef.current?.querySelector<HTMLElement>(`[data-thread-id="${CSS.escape(focusId)}"]`);
    if (card) {
      card.focus();
      card.scrollIntoView({ block: 'nearest' });
      setFocusId(undefined);
    }
  });

  const run = useCallback(
    async (change: () => Promise<unknown>, done?: string, leavesList?: boolean) => {
      try {
        await change();
        setStatus({ text: done ?? '', isError: false });
        if (leavesList) headingRef.current?.focus();
        return true;
      } catch {
        setStatus({ text: t.commentFailed, isError: true });
        return false;
      }
    },
    [t.commentFailed],
  );

  const announce = useCallback((text: string) => setStatus({ text, isError: false }), []);
  const context: PanelContext = {
    editor,
    comments,
    userId: props.userId,
    canMention: props.canMention,
    users,
    run,
    announce,
  };

  return (
    <section id={props.id} className="bureau-docs-discussions" aria-labelledby={titleId}>
      <h2 id={titleId} ref={headingRef} tabIndex={-1} className="fr-h6 fr-mb-1w bureau-docs-discussions__title">
        {t.discussions}
      </h2>
      <fieldset className="fr-segmented fr-segmented--sm fr-mb-1w">
        <legend className="fr-segmented__legend fr-sr-only">{t.discussionsFilter}</legend>
        <div className="fr-segmented__elements">
          {(['open', 'resolved'] as const).map((value) => (
            <div className="fr-segmented__element" key={value}>
              <input
                type="radio"
                id={`${filterName}-${value}`}
                name={filterName}
                checked={filter === value}
                onChange={() => setFilter(value)}
              />
              <label className="fr-label" htmlFor={`${filterName}-${value}`}>
                {value === 'open' ? t.openDiscussions(open.length) : t.resolvedDiscussions(resolved.length)}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      <p
        role={status.isError ? 'alert' : 'status'}
        className={`fr-text--sm bureau-docs-status${status.isError ? ' fr-error-text' : ''}`}
      >
        {status.text}
      </p>
      {shown.length === 0 ? (
        <p className="fr-text--sm bureau-meta">
          {filter === 'open' ? t.noOpenDiscussions : t.noResolvedDiscussions}
          {filter === 'open' && props.canComment && ` ${t.noOpenDiscussionsHint}`}
        </p>
      ) : (
        <ol ref={listRef} className="bureau-docs-discussions__list" aria-labelledby={titleId}>
          {shown.map((thread) => (
            <li key={thread.id}>
              <ThreadCard
                context={context}
                thread={thread}
                isSelected={thread.id === selectedId}
                reference={referenceTextOf(editor, positions.get(thread.id))}
                isOrphan={!positions.has(thread.id)}
              />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ThreadCard(props: {
  context: PanelContext;
  thread: ThreadData;
  isSelected: boolean;
  reference: string;
  isOrphan: boolean;
}) {
  const t = useMessages(docsMessages);
  const { context, thread } = props;
  const { auth } = context.comments.threadStore;
  const titleId = useId();
  const shown = visibleComments(thread);
  const canReply = !thread.resolved && auth.canAddComment(thread);

  return (
    <article
      className={`bureau-docs-thread${props.isSelected ? ' is-selected' : ''}${thread.resolved ? ' is-resolved' : ''}`}
      data-thread-id={thread.id}
      tabIndex={-1}
      aria-labelledby={titleId}
    >
      <h3 id={titleId} className="bureau-docs-thread__title">
        {props.isOrphan ? t.discussionWithoutText : t.discussionOn(props.reference)}
      </h3>
      <div className="bureau-docs-thread__tools">
        {!props.isOrphan && (
          <button
            type="button"
            className="fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-eye-line fr-btn--icon-left"
            aria-pressed={props.isSelected}
            onClick={() => context.comments.selectThread(props.isSelected ? undefined : thread.id, true)}
          >
            {t.showInText}
          </button>
        )}
        {thread.resolved
          ? auth.canUnresolveThread(thread) && (
              <button
                type="button"
                className="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-arrow-go-back-line fr-btn--icon-left"
                onClick={() =>
                  void context.run(
                    () => context.comments.threadStore.unresolveThread({ threadId: thread.id }),
                    t.discussionReopened,
                    true,
                  )
                }
              >
                {t.reopen}
              </button>
            )
          : auth.canResolveThread(thread) && (
              <button
                type="button"
                className="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-check-line fr-btn--icon-left"
                onClick={() =>
                  void context.run(
                    () => context.comments.threadStore.resolveThread({ threadId: thread.id }),
                    t.discussionResolved,
                    true,
                  )
                }
              >
                {t.resolve}
              </button>
            )}
        {auth.canDeleteThread(thread) && (
          <ConfirmAction
            label={t.deleteDiscussion}
            question={t.confirmDeleteDiscussion}
            onConfirm={() =>
              void context.run(
                () => context.comments.threadStore.deleteThread({ threadId: thread.id }),
                t.discussionDeleted,
                true,
              )
            }
          />
        )}
      </div>
      {thread.resolved && <p className="fr-text--xs bureau-meta fr-mb-1w">{t.resolvedMark}</p>}
      <ol className="bureau-docs-thread__comments">
        {shown.map((comment) => (
          <li key={comment.id}>
            <CommentItem context={context} thread={thread} comment={comment} />
          </li>
        ))}
      </ol>
      {canReply && (
        <CommentComposer
          label={t.reply}
          submitLabel={t.send}
          canMention={context.canMention}
          onSubmit={async (body: CommentBlocks) => {
            await context.comments.threadStore.addComment({ comment: { body }, threadId: thread.id });
            context.announce(t.replySent);
          }}
        />
      )}
    </article>
  );
}

function CommentItem(props: { context: PanelContext; thread: ThreadData; comment: CommentData }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const { context, thread, comment } = props;
  const { threadStore } = context.comments;
  const [isEditing, setEditing] = useState(false);
  const editRef = useRef<HTMLButtonElement>(null);
  const author = context.users.get(comment.userId)?.username ?? t.someone;
  const isMine = comment.userId === context.userId;

  if (isEditing) {
    return (
      <div className="bureau-docs-comment">
        <CommentComposer
          label={t.editCommentOf(author)}
          submitLabel={t.save}
          initialBody={comment.body as CommentBlocks}
          autoFocus
          canMention={context.canMention}
          onSubmit={async (body) => {
            await threadStore.updateComment({ threadId: thread.id, commentId: comment.id, comment: { body } });
            context.announce(t.commentUpdated);
            setEditing(false);
          }}
          onCancel={() => {
            setEditing(false);
            setTimeout(() => editRef.current?.focus(), 0);
          }}
        />
      </div>
    );
  }

  return (
    <div className="bureau-docs-comment">
      <p className="bureau-docs-comment__meta">
        <strong>{isMine ? t.you(author) : author}</strong>{' '}
        <span className="bureau-meta">
          {formatDateTime(locale, comment.createdAt.toISOString())}
          {isEdited(comment) && ` · ${t.edited}`}
        </span>
      </p>
      <CommentBody body={comment.body as unknown} />
      <Reactions context={context} thread={thread} comment={comment} />
      {(threadStore.auth.canUpdateComment(comment) || threadStore.auth.canDeleteComment(comment)) && (
        <div className="bureau-docs-comment__actions">
          {threadStore.auth.canUpdateComment(comment) && (
            <button
              ref={editRef}
              type="button"
              className="fr-btn fr-btn--sm fr-btn--tertiary-no-outline"
              title={t.editComment}
              onClick={() => setEditing(true)}
            >
              {t.edit}
            </button>
          )}
          {threadStore.auth.canDeleteComment(comment) && (
            <ConfirmAction
              label={t.remove}
              title={t.deleteCommentOf(author)}
              question={t.confirmDeleteComment(commentText(comment.body).slice(0, 60))}
              priority="tertiary"
              onConfirm={() =>
                void context.run(
                  () => threadStore.deleteComment({ threadId: thread.id, commentId: comment.id }),
                  t.commentDeleted,
                  // The last comment goes with its discussion.
                  visibleComments(thread).length === 1,
                )
              }
            />
          )}
        </div>
      )}
    </div>
  );
}

/** A comment's reactions: each a toggle (pressed when one is among those who reacted), and more to add. */
function Reactions(props: { context: PanelContext; thread: ThreadData; comment: CommentData }) {
  const t = useMessages(docsMessages);
  const { context, thread, comment } = props;
  const { threadStore } = context.comments;
  const [isChoosing, setChoosing] = useState(false);
  const chooserId = useId();
  const canReact = threadStore.auth.canAddReaction(comment);

  const toggle = (emoji: string) => {
    const hasReacted = comment.reactions.some(
      (reaction) => reaction.emoji === emoji && reaction.userIds.includes(context.userId),
    );
    void context.run(() =>
      hasReacted
        ? threadStore.deleteReaction({ threadId: thread.id, commentId: comment.id, emoji })
        : threadStore.addReaction({ threadId: thread.id, commentId: comment.id, emoji }),
    );
  };

  if (comment.reactions.length === 0 && !canReact) return null;
  return (
    <div className="bureau-docs-reactions">
      {comment.reactions.length > 0 && (
        <ul className="bureau-docs-reactions__list" aria-label={t.reactions}>
          {comment.reactions.map((reaction) => {
            const hasReacted = reaction.userIds.includes(context.userId);
            const names = reaction.userIds.map((id) =>
              id === context.userId ? t.yourself : (context.users.get(id)?.username ?? t.someone),
            );
            return (
              <li key={reaction.emoji}>
                <button
                  type="button"
                  className={`bureau-docs-reaction${hasReacted ? ' is-mine' : ''}`}
                  aria-pressed={hasReacted}
                  aria-label={t.reactionLabel(t.emojiNames[reaction.emoji] ?? reaction.emoji, names)}
                  disabled={!canReact && !hasReacted}
                  onClick={() => toggle(reaction.emoji)}
                >
                  <span aria-hidden="true">{reaction.emoji}</span> {reaction.userIds.length}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {canReact && (
        <div className="bureau-docs-reactions__add">
          <button
            type="button"
            className="fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-emoji-sticker-line fr-btn--icon-left"
            aria-expanded={isChoosing}
            aria-controls={chooserId}
            onClick={() => setChoosing((value) => !value)}
          >
            {t.react}
          </button>
          <ul id={chooserId} className="bureau-docs-reactions__choices" hidden={!isChoosing}>
            {reactionEmojis.map((emoji) => (
              <li key={emoji}>
                <button
                  type="button"
                  className="bureau-docs-reaction"
                  aria-label={t.emojiNames[emoji] ?? emoji}
                  title={t.emojiNames[emoji] ?? emoji}
                  onClick={() => {
                    setChoosing(false);
                    toggle(emoji);
                  }}
                >
                  <span aria-hidden="true">{emoji}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
