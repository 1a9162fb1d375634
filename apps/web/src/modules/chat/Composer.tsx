import type { MatrixEvent, Room } from 'matrix-js-sdk';
import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useMessages } from '../../i18n.tsx';
import { Avatar } from './Avatar.tsx';
import { sendAttachment, sendTextMessage } from './chat-actions.ts';
import { useChat } from './chat-client.tsx';
import { chatMessages } from './chat.messages.ts';
import { EmojiPicker } from './EmojiPicker.tsx';
import type { ComposerMention } from './markdown.ts';
import { bodyWithoutReplyFallback, foldForSearch } from './timeline-model.ts';

/** "@cla" just before the caret: the start of a mention. */
const mentionQuery = /(?:^|\s)@([\p{L}\p{N}._-]*)$/u;

/** How often "is typing" is told again while the person keeps typing (the server forgets after the timeout). */
const typingRefreshMs = 15_000;
const typingTimeoutMs = 20_000;

interface Suggestion {
  userId: string;
  name: string;
  avatarUrl?: string;
}

/** Members whose name or ID starts a word with the query (people first by name). */
function suggestionsFor(room: Room, query: string, myUserId: string): Suggestion[] {
  const folded = foldForSearch(query);
  return room
    .getJoinedMembers()
    .filter((member) => member.userId !== myUserId)
    .filter((member) => {
      const words = foldForSearch(member.name).split(/\s+/);
      return words.some((word) => word.startsWith(folded)) || foldForSearch(member.userId.slice(1)).startsWith(folded);
    })
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, 6)
    .map((member) => ({ userId: member.userId, name: member.name, avatarUrl: member.getMxcAvatarUrl() }));
}

/**
 * The message field: Markdown, @mentions completed from the room's members (combobox: arrows, Enter or
 * Tab to pick, Escape to close), an emoji, a file; Enter sends, Shift+Enter goes to the next line.
 * Tells the room when the person is typing.
 */
export function Composer({
  room,
  label,
  threadRoot,
  replyTo,
  onCancelReply,
  onSent,
  isDisabled,
}: {
  room: Room;
  label: string;
  threadRoot?: string;
  replyTo?: MatrixEvent;
  onCancelReply?: () => void;
  onSent?: () => void;
  isDisabled?: boolean;
}) {
  const t = useMessages(chatMessages);
  const { client, userId } = useChat();
  const [text, setText] = useState('');
  const [mentions, setMentions] = useState<ComposerMention[]>([]);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [isSuggestionClosed, setSuggestionClosed] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [upload, setUpload] = useState<{ name: string; fraction: number } | undefined>();
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  /**
   * Where the caret goes once a picked mention is in the field. Applied in a layout effect, before the
   * browser handles the next key: set later (in an animation frame), a key typed at once landed at the
   * end of the field and the caret then jumped back before it ("…Dubois n commence quand ?o").
   */
  const pendingCaret = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const position = pendingCaret.current;
    if (position === undefined) return;
    pendingCaret.current = undefined;
    textareaRef.current?.setSelectionRange(position, position);
  });
  const fileRef = useRef<HTMLInputElement>(null);
  const lastTypingSent = useRef(0);
  const baseId = `composer-${useId().replaceAll(':', '')}`;
  const listId = `${baseId}-mentions`;

  const query = mentionQuery.exec(text.slice(0, caret))?.[1];
  const suggestions = query !== undefined && !isSuggestionClosed ? suggestionsFor(room, query, userId) : [];
  const isListOpen = suggestions.length > 0;

  useEffect(() => {
    if (replyTo) textareaRef.current?.focus();
  }, [replyTo]);

  // Stops "is typing" when leaving the room.
  useEffect(
    () => () => {
      if (lastTypingSent.current > 0) void client.sendTyping(room.roomId, false, 0).catch(() => undefined);
    },
    [client, room.roomId],
  );

  function tellTyping(isTyping: boolean): void {
    const now = Date.now();
    if (isTyping && now - lastTypingSent.current < typingRefreshMs) return;
    if (!isTyping && lastTypingSent.current === 0) return;
    lastTypingSent.current = isTyping ? now : 0;
    client.sendTyping(room.roomId, isTyping, typingTimeoutMs).catch(() => undefined);
  }

  function pickSuggestion(suggestion: Suggestion): void {
    const before = text.slice(0, caret);
    const match = mentionQuery.exec(before);
    if (!match) return;
    const start = before.length - (match[1] ?? '').length - 1;
    const next = `${text.slice(0, start)}${suggestion.name} ${text.slice(caret)}`;
    const nextCaret = start + suggestion.name.length + 1;
    setText(next);
    setMentions((current) => [
      ...current.filter((mention) => mention.userId !== suggestion.userId),
      { userId: suggestion.userId, name: suggestion.name },
    ]);
    setActive(0);
    pendingCaret.current = nextCaret;
    setCaret(nextCaret);
  }

  async function send(): Promise<void> {
    const message = text.trim();
    if (!message) return;
    setError(undefined);
    setText('');
    setMentions([]);
    tellTyping(false);
    onSent?.();
    try {
      await sendTextMessage(client, room, message, mentions, { replyTo, threadRoot });
    } catch {
      setError(t.sendFailed);
      setText(message);
    }
  }

  async function attach(file: File): Promise<void> {
    setError(undefined);
    setUpload({ name: file.name, fraction: 0 });
    try {
      await sendAttachment(client, room, file, { replyTo, threadRoot }, (fraction) =>
        setUpload({ name: file.name, fraction }),
      );
      onSent?.();
    } catch {
      setError(t.uploadFailed(file.name));
    } finally {
      setUpload(undefined);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): void {
    if (isListOpen) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((value) => (value + step + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        const suggestion = suggestions[active] ?? suggestions[0];
        if (suggestion) {
          event.preventDefault();
          pickSuggestion(suggestion);
          return;
        }
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setSuggestionClosed(true);
        return;
      }
    }
    if (event.key === 'Escape' && replyTo && onCancelReply) {
      event.preventDefault();
      onCancelReply();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  const replyName = replyTo ? (room.getMember(replyTo.getSender() ?? '')?.name ?? replyTo.getSender()) : undefined;
  const activeSuggestion = isListOpen ? suggestions[Math.min(active, suggestions.length - 1)] : undefined;

  return (
    <form
      className="bureau-chat-composer"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void send();
      }}
    >
      {replyTo && (
        <div className="bureau-chat-composer__reply">
          <p className="fr-text--sm fr-mb-0">
            <span className="fr-icon-reply-line fr-icon--sm fr-mr-1v" aria-hidden="true" />
            {t.replyingTo(replyName ?? '')}{' '}
            <span className="bureau-chat-muted">{bodyWithoutReplyFallback(replyTo).slice(0, 120)}</span>
          </p>
          <button
            type="button"
            className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-close-line"
            title={t.cancelReply}
            onClick={onCancelReply}
          >
            {t.cancelReply}
          </button>
        </div>
      )}
      <div className="bureau-chat-composer__row">
        <button
          type="button"
          className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-attachment-line"
          title={t.attachFile}
          disabled={isDisabled || upload !== undefined}
          onClick={() => fileRef.current?.click()}
        >
          {t.attachFile}
        </button>
        <input
          ref={fileRef}
          type="file"
          hidden
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void attach(file);
          }}
        />
        <div className="bureau-chat-composer__field">
          <label className="fr-sr-only" htmlFor={baseId}>
            {label}
          </label>
          <textarea
            ref={textareaRef}
            id={baseId}
            className="fr-input bureau-chat-composer__input"
            rows={1}
            value={text}
            placeholder={t.composerPlaceholder}
            disabled={isDisabled}
            aria-describedby={`${baseId}-hint`}
            aria-autocomplete="list"
            aria-controls={listId}
            aria-activedescendant={isListOpen ? `${listId}-${Math.min(active, suggestions.length - 1)}` : undefined}
            onChange={(event) => {
              setText(event.target.value);
              setCaret(event.target.selectionStart);
              setSuggestionClosed(false);
              setActive(0);
              tellTyping(event.target.value.trim().length > 0);
            }}
            onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onBlur={() => tellTyping(false)}
          />
          <ul
            id={listId}
            role="listbox"
            aria-label={t.mentionSuggestions}
            className="bureau-chat-suggestions bureau-chat-suggestions--up"
            hidden={!isListOpen}
          >
            {suggestions.map((suggestion, index) => (
              <li
                key={suggestion.userId}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={suggestion.userId === activeSuggestion?.userId}
                className="bureau-chat-suggestions__item"
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => pickSuggestion(suggestion)}
              >
                <Avatar
                  client={client}
                  name={suggestion.name}
                  seed={suggestion.userId}
                  mxc={suggestion.avatarUrl}
                  size="sm"
                />
                <span>
                  {suggestion.name} <span className="bureau-chat-muted">{suggestion.userId}</span>
                </span>
              </li>
            ))}
          </ul>
        </div>
        <EmojiPicker
          label={t.insertEmoji}
          iconClassName="ri-emotion-line"
          onPick={(emoji) => {
            const position = textareaRef.current?.selectionStart ?? text.length;
            setText(`${text.slice(0, position)}${emoji}${text.slice(position)}`);
            requestAnimationFrame(() => {
              textareaRef.current?.focus();
              textareaRef.current?.setSelectionRange(position + emoji.length, position + emoji.length);
            });
          }}
        />
        <button
          type="submit"
          className="fr-btn fr-btn--sm fr-icon-send-plane-fill fr-btn--icon-right"
          disabled={isDisabled}
        >
          {t.send}
        </button>
      </div>
      <p id={`${baseId}-hint`} className="fr-hint-text fr-mb-0 bureau-chat-composer__hint">
        {t.composerHint}
      </p>
      <p className="fr-sr-only" role="status">
        {isListOpen ? t.suggestionsCount(suggestions.length) : ''}
      </p>
      {upload && (
        <p className="fr-text--sm fr-mb-0" role="status">
          {t.uploading(upload.name, Math.round(upload.fraction * 100))}
        </p>
      )}
      {error && (
        <p className="fr-error-text fr-mt-1w" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
