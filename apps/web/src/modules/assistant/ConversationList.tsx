import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import {
  assistantKeys,
  assistantLimits,
  deleteConversation,
  renameConversation,
  useConversations,
  type Conversation,
  type ConversationSummary,
} from './assistant.api.ts';
import { assistantMessages } from './assistant.messages.ts';

/**
 * The history: the person's conversations, newest first, 20 at a time ("more" loads the next ones and
 * moves the focus to the first of them). Each can be renamed in place or deleted after a confirmation.
 */
export function ConversationList({ currentId }: { currentId: string | undefined }) {
  const t = useMessages(assistantMessages);
  const conversations = useConversations();
  const [isOpen, setOpen] = useState(false);
  const [status, setStatus] = useState('');
  const statusRef = useRef<HTMLParagraphElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const focusIndex = useRef<number | undefined>(undefined);
  const items = conversations.data?.pages.flatMap((page) => page.items) ?? [];
  const panelId = useId();

  // After "more": the focus goes to the first conversation loaded.
  useEffect(() => {
    const index = focusIndex.current;
    if (index === undefined || conversations.isFetchingNextPage) return;
    focusIndex.current = undefined;
    listRef.current?.querySelectorAll<HTMLAnchorElement>('a.bureau-albert-history__link')[index]?.focus();
  }, [items.length, conversations.isFetchingNextPage]);

  function said(message: string, moveFocus = false): void {
    setStatus(message);
    if (moveFocus) statusRef.current?.focus();
  }

  return (
    <nav className="bureau-albert__history" aria-labelledby={`${panelId}-title`}>
      <div className="bureau-albert-history__header">
        <h2 id={`${panelId}-title`} className="fr-h6 fr-mb-0">
          {t.history}
        </h2>
        <button
          type="button"
          className="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-time-line fr-btn--icon-left bureau-albert-history__toggle"
          aria-expanded={isOpen}
          aria-controls={panelId}
          onClick={() => setOpen((open) => !open)}
        >
          {t.showHistory}
        </button>
      </div>
      <div id={panelId} className={`bureau-albert-history__panel${isOpen ? ' is-open' : ''}`}>
        <Link
          to="/albert"
          className="fr-btn fr-btn--sm fr-icon-add-line fr-btn--icon-left fr-my-2w"
          aria-current={currentId === undefined ? 'page' : undefined}
        >
          {t.newConversation}
        </Link>
        <p ref={statusRef} tabIndex={-1} role="status" className="fr-text--sm fr-mb-1w bureau-albert-history__status">
          {status}
        </p>
        {conversations.isPending && <p className="bureau-loading">{t.loading}</p>}
        {conversations.isError && (
          <ErrorNotice error={conversations.error} onRetry={() => void conversations.refetch()} />
        )}
        {conversations.isSuccess && items.length === 0 && <p className="fr-text--sm">{t.noConversations}</p>}
        <ul ref={listRef} className="bureau-albert-history__list">
          {items.map((conversation) => (
            <HistoryItem
              key={conversation.id}
              conversation={conversation}
              isCurrent={conversation.id === currentId}
              onOutcome={said}
            />
          ))}
        </ul>
        {conversations.hasNextPage && (
          <button
            type="button"
            className="fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w"
            disabled={conversations.isFetchingNextPage}
            onClick={() => {
              focusIndex.current = items.length;
              void conversations.fetchNextPage();
            }}
          >
            {conversations.isFetchingNextPage ? t.loading : t.loadMore}
          </button>
        )}
      </div>
    </nav>
  );
}

function HistoryItem(props: {
  conversation: ConversationSummary;
  isCurrent: boolean;
  onOutcome: (message: string, moveFocus?: boolean) => void;
}) {
  const { conversation, isCurrent } = props;
  const t = useMessages(assistantMessages);
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<string | undefined>();
  const inputRef = useRef<HTMLInputElement>(null);
  const renameButtonRef = useRef<HTMLButtonElement>(null);
  const refocusRename = useRef(false);
  const inputId = useId();

  const isEditing = draft !== undefined;

  useEffect(() => {
    if (isEditing) inputRef.current?.focus();
    else if (refocusRename.current) {
      refocusRename.current = false;
      renameButtonRef.current?.focus();
    }
  }, [isEditing]);

  const rename = useMutation({
    mutationFn: (title: string) => renameConversation(conversation.id, title),
    onSuccess: async (renamed) => {
      queryClient.setQueryData<Conversation>(assistantKeys.conversation(conversation.id), (old) =>
        old ? { ...old, title: renamed.title } : old,
      );
      refocusRename.current = true;
      setDraft(undefined);
      props.onOutcome(t.renamed);
      await queryClient.invalidateQueries({ queryKey: assistantKeys.conversations });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteConversation(conversation.id),
    onSuccess: async () => {
      props.onOutcome(t.removed(conversation.title), true);
      queryClient.removeQueries({ queryKey: assistantKeys.conversation(conversation.id) });
      if (isCurrent) void navigate('/albert', { replace: true });
      await queryClient.invalidateQueries({ queryKey: assistantKeys.conversations });
    },
  });

  if (draft !== undefined) {
    const cancel = () => {
      refocusRename.current = true;
      rename.reset();
      setDraft(undefined);
    };
    return (
      <li className="bureau-albert-history__item">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (draft.trim()) rename.mutate(draft.trim());
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              cancel();
            }
          }}
        >
          <div className="fr-input-group fr-mb-1w">
            <label className="fr-label" htmlFor={inputId}>
              {t.titleLabel}
            </label>
            <input
              ref={inputRef}
              id={inputId}
              className="fr-input"
              value={draft}
              required
              maxLength={assistantLimits.conversationTitleMaxLength}
              onChange={(event) => setDraft(event.target.value)}
            />
          </div>
          {rename.isError && <ErrorNotice error={rename.error} />}
          <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
            <li>
              <button type="submit" className="fr-btn fr-btn--sm" disabled={rename.isPending}>
                {t.save}
              </button>
            </li>
            <li>
              <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary" onClick={cancel}>
                {t.cancel}
              </button>
            </li>
          </ul>
        </form>
      </li>
    );
  }

  return (
    <li className={`bureau-albert-history__item${isCurrent ? ' is-current' : ''}`}>
      <Link
        to={`/albert/conversations/${encodeURIComponent(conversation.id)}`}
        className="bureau-albert-history__link"
        aria-current={isCurrent ? 'page' : undefined}
      >
        {conversation.title}
      </Link>
      <p className="bureau-meta">{formatDateTime(locale, conversation.updatedAt)}</p>
      <div className="bureau-albert-history__actions">
        <button
          ref={renameButtonRef}
          type="button"
          className="fr-btn fr-btn--sm fr-btn--tertiary-no-outline"
          title={t.renameOf(conversation.title)}
          aria-label={t.renameOf(conversation.title)}
          onClick={() => setDraft(conversation.title)}
        >
          {t.rename}
        </button>
        <ConfirmAction
          label={t.remove}
          title={t.removeOf(conversation.title)}
          question={t.confirmRemove(conversation.title)}
          disabled={remove.isPending}
          onConfirm={() => remove.mutate()}
        />
      </div>
      {remove.isError && <ErrorNotice error={remove.error} />}
    </li>
  );
}
