import { EventStatus, MatrixEvent, type MatrixClient, type Room } from 'matrix-js-sdk';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { useLocale, useMessages } from '../../i18n.tsx';
import { Avatar } from './Avatar.tsx';
import { editMessage, reactionsOf, toggleReaction } from './chat-actions.ts';
import { useChat } from './chat-client.tsx';
import { chatMessages } from './chat.messages.ts';
import { EmojiPicker, emojiName } from './EmojiPicker.tsx';
import { encryptedFileOf, type EncryptedFile } from './encrypted-attachments.ts';
import { htmlFormat, sanitizeMessageHtml } from './markdown.ts';
import { downloadMedia, formatFileSize, useMediaUrl } from './media.ts';
import { bodyWithoutReplyFallback, eventTypes, msgTypes, replyTargetOf } from './timeline-model.ts';

/** A member's name in the room (their display name there), or their Matrix ID. */
export function memberName(room: Room, userId: string | undefined): string {
  if (!userId) return '';
  return room.getMember(userId)?.name ?? userId;
}

export function formatTime(locale: string, timestamp: number): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(new Date(timestamp));
}

function formatFullDate(locale: string, timestamp: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(timestamp));
}

/** Events fetched because a reply points at them and they are not loaded (`GET /rooms/{id}/event/{id}`). */
const fetchedEvents = new Map<string, Promise<MatrixEvent | undefined>>();

function useRepliedEvent(client: MatrixClient, room: Room, eventId: string | undefined): MatrixEvent | undefined {
  const loaded = eventId ? room.findEventById(eventId) : undefined;
  const [fetched, setFetched] = useState<MatrixEvent | undefined>();
  useEffect(() => {
    if (!eventId || loaded) return undefined;
    let isCancelled = false;
    let request = fetchedEvents.get(eventId);
    if (!request) {
      request = client
        .fetchRoomEvent(room.roomId, eventId)
        .then((raw) => new MatrixEvent(raw))
        .catch(() => undefined);
      fetchedEvents.set(eventId, request);
    }
    void request.then((event) => {
      if (!isCancelled) setFetched(event);
    });
    return () => {
      isCancelled = true;
    };
  }, [client, room.roomId, eventId, loaded]);
  return loaded ?? fetched;
}

/** A one-line summary of a message (replies, thread previews, notifications). */
export function messageExcerpt(event: MatrixEvent, t: (typeof chatMessages)['fr']): string {
  if (event.isRedacted()) return t.deletedMessage;
  if (event.isDecryptionFailure()) return t.undecryptableExcerpt;
  if (event.getType() === eventTypes.encrypted) return t.encryptedMessage;
  const content = event.getContent();
  if (content.msgtype === msgTypes.image) return t.imageExcerpt(String(content.body ?? ''));
  if (content.msgtype === msgTypes.file) return t.fileExcerpt(String(content.body ?? ''));
  const text = bodyWithoutReplyFallback(event).replace(/\s+/g, ' ').trim();
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

function MessageBody({ event, room }: { event: MatrixEvent; room: Room }) {
  const t = useMessages(chatMessages);
  const { client, userId, crypto } = useChat();
  if (event.isRedacted()) {
    return <p className="bureau-chat-message__deleted fr-mb-0">{t.deletedMessage}</p>;
  }
  // The SDK turns a message it cannot decrypt into an `m.bad.encrypted` one with an English body: said here.
  if (event.getType() === eventTypes.encrypted || event.isDecryptionFailure()) {
    // Still encrypted: being decrypted, not decryptable by this device, or no crypto in this tab.
    const why =
      crypto !== 'on' ? t.encryptedMessage : event.isDecryptionFailure() ? t.undecryptableMessage : t.decryptingMessage;
    return (
      <p className="bureau-chat-message__deleted fr-mb-0">
        <span className="fr-icon-lock-line fr-icon--sm fr-mr-1v" aria-hidden="true" />
        {why}
        {crypto === 'on' && event.isDecryptionFailure() && (
          <>
            {' '}
            <Link to="/messagerie/chiffrement" className="fr-link fr-link--sm">
              {t.restoreHistory}
            </Link>
          </>
        )}
      </p>
    );
  }
  const content = event.getContent();
  const msgtype = typeof content.msgtype === 'string' ? content.msgtype : msgTypes.text;
  const hasMedia = typeof content.url === 'string' || encryptedFileOf(content) !== undefined;
  if (msgtype === msgTypes.image && hasMedia) {
    return <ImageMessage event={event} />;
  }
  if ((msgtype === msgTypes.file || msgtype === msgTypes.video || msgtype === msgTypes.audio) && hasMedia) {
    return <FileMessage event={event} />;
  }
  const prefix = msgtype === msgTypes.emote ? `* ${memberName(room, event.getSender())} ` : '';
  if (content.format === htmlFormat && typeof content.formatted_body === 'string') {
    return (
      <div
        className="bureau-chat-message__text bureau-chat-message__text--html"
        // Sanitised by DOMPurify (markdown.ts): an allowlist of tags and attributes, no style, no script.
        dangerouslySetInnerHTML={{ __html: `${prefix}${sanitizeMessageHtml(content.formatted_body, userId)}` }}
      />
    );
  }
  void client;
  return (
    <p className="bureau-chat-message__text fr-mb-0">
      {prefix}
      {bodyWithoutReplyFallback(event)}
    </p>
  );
}

/** `info.size` of a media message, when it is a number. */
function fileSizeOf(info: unknown): number | undefined {
  const size: unknown = typeof info === 'object' && info !== null ? (info as Record<string, unknown>).size : undefined;
  return typeof size === 'number' ? size : undefined;
}

/** What to fetch for an attachment: its `mxc://` URI, and how to decrypt it in an encrypted room. */
function attachmentOf(content: Record<string, unknown>): {
  mxc: string;
  encrypted?: { file: EncryptedFile; mimetype: string };
} {
  const file = encryptedFileOf(content);
  if (!file) return { mxc: String(content.url) };
  const info = content.info as { mimetype?: unknown } | undefined;
  const mimetype = typeof info?.mimetype === 'string' ? info.mimetype : 'application/octet-stream';
  return { mxc: file.url, encrypted: { file, mimetype } };
}

function ImageMessage({ event }: { event: MatrixEvent }) {
  const t = useMessages(chatMessages);
  const { client } = useChat();
  const content = event.getContent();
  const attachment = useMemo(() => attachmentOf(content), [content]);
  const name = String(content.body ?? t.image);
  // An encrypted image is shown whole (decrypted here): the server cannot make a thumbnail of it.
  const thumbnail = useMediaUrl(client, attachment.mxc, { width: 320, height: 240 }, attachment.encrypted);
  return (
    <figure className="bureau-chat-media fr-mb-0">
      {thumbnail.url ? (
        <img className="bureau-chat-media__image" src={thumbnail.url} alt={name} />
      ) : (
        <p className="bureau-chat-media__placeholder fr-text--sm fr-mb-0">
          {thumbnail.isFailed ? t.previewUnavailable : t.loadingPreview}
        </p>
      )}
      <figcaption className="fr-text--sm fr-mb-0">
        <DownloadButton attachment={attachment} name={name} size={fileSizeOf(content.info)} />
      </figcaption>
    </figure>
  );
}

function FileMessage({ event }: { event: MatrixEvent }) {
  const t = useMessages(chatMessages);
  const content = event.getContent();
  const name = String(content.filename ?? content.body ?? t.file);
  return (
    <p className="bureau-chat-file fr-mb-0">
      <DownloadButton attachment={attachmentOf(content)} name={name} size={fileSizeOf(content.info)} />
    </p>
  );
}

function DownloadButton({
  attachment,
  name,
  size,
}: {
  attachment: ReturnType<typeof attachmentOf>;
  name: string;
  size?: number;
}) {
  const t = useMessages(chatMessages);
  const { locale } = useLocale();
  const { client } = useChat();
  const [isFailed, setFailed] = useState(false);
  return (
    <>
      <button
        type="button"
        className="fr-link fr-link--sm fr-icon-download-line fr-link--icon-left"
        onClick={() => {
          setFailed(false);
          downloadMedia(client, attachment.mxc, name, attachment.encrypted).catch(() => setFailed(true));
        }}
      >
        {t.download(name)}
        {typeof size === 'number' && <span className="bureau-chat-muted"> ({formatFileSize(size, locale)})</span>}
      </button>
      {isFailed && (
        <span className="fr-error-text fr-mt-0" role="alert">
          {t.downloadFailed}
        </span>
      )}
    </>
  );
}

function ReplyQuote({ room, eventId, onShow }: { room: Room; eventId: string; onShow: (eventId: string) => void }) {
  const t = useMessages(chatMessages);
  const { client } = useChat();
  const replied = useRepliedEvent(client, room, eventId);
  return (
    <blockquote className="bureau-chat-quote">
      {replied ? (
        <button type="button" className="bureau-chat-quote__button" onClick={() => onShow(eventId)}>
          <span className="bureau-chat-quote__sender">{t.inReplyTo(memberName(room, replied.getSender()))}</span>{' '}
          <span className="bureau-chat-muted">{messageExcerpt(replied, t)}</span>
        </button>
      ) : (
        <span className="bureau-chat-muted">{t.replyNotLoaded}</span>
      )}
    </blockquote>
  );
}

function Reactions({ room, event }: { room: Room; event: MatrixEvent }) {
  const t = useMessages(chatMessages);
  const { locale } = useLocale();
  const { client, userId } = useChat();
  const reactions = reactionsOf(room, event, userId);
  if (reactions.length === 0) return null;
  return (
    <ul className="bureau-chat-reactions" aria-label={t.reactions}>
      {reactions.map((reaction) => {
        const names = reaction.senders.map((sender) => (sender === userId ? t.you : memberName(room, sender)));
        return (
          <li key={reaction.key}>
            <button
              type="button"
              className={`bureau-chat-reaction${reaction.isMine ? ' bureau-chat-reaction--mine' : ''}`}
              aria-pressed={reaction.isMine}
              title={names.join(', ')}
              aria-label={t.reactionLabel(reaction.key, emojiName(reaction.key, locale), reaction.count, names)}
              onClick={() => void toggleReaction(client, room, event, reaction.key).catch(() => undefined)}
            >
              <span aria-hidden="true">{reaction.key}</span> {reaction.count}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function EditForm({ room, event, onDone }: { room: Room; event: MatrixEvent; onDone: () => void }) {
  const t = useMessages(chatMessages);
  const { client } = useChat();
  const [text, setText] = useState(() => bodyWithoutReplyFallback(event));
  const [error, setError] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = `edit-${event.getId() ?? ''}`;
  useEffect(() => {
    ref.current?.focus();
    ref.current?.setSelectionRange(ref.current.value.length, ref.current.value.length);
  }, []);
  async function save(): Promise<void> {
    const message = text.trim();
    if (!message || message === bodyWithoutReplyFallback(event)) {
      onDone();
      return;
    }
    try {
      await editMessage(client, room, event, message, []);
      onDone();
    } catch {
      setError(true);
    }
  }
  return (
    <form
      className="bureau-chat-edit"
      onSubmit={(submitEvent) => {
        submitEvent.preventDefault();
        void save();
      }}
      onKeyDown={(keyEvent) => {
        if (keyEvent.key === 'Escape') {
          keyEvent.stopPropagation();
          onDone();
        }
      }}
    >
      <label className="fr-label fr-sr-only" htmlFor={id}>
        {t.editLabel}
      </label>
      <textarea
        ref={ref}
        id={id}
        className="fr-input"
        rows={2}
        value={text}
        onChange={(changeEvent) => setText(changeEvent.target.value)}
        onKeyDown={(keyEvent) => {
          if (keyEvent.key === 'Enter' && !keyEvent.shiftKey && !keyEvent.nativeEvent.isComposing) {
            keyEvent.preventDefault();
            void save();
          }
        }}
      />
      <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-mt-1w">
        <li>
          <button type="submit" className="fr-btn fr-btn--sm">
            {t.save}
          </button>
        </li>
        <li>
          <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary" onClick={onDone}>
            {t.cancel}
          </button>
        </li>
      </ul>
      {error && (
        <p className="fr-error-text" role="alert">
          {t.editFailed}
        </p>
      )}
    </form>
  );
}

/**
 * One message: who and when (unless it continues the previous one), the quoted message it answers, its
 * text (Markdown rendered, others' HTML sanitised), image or file, reactions, thread answers, sending
 * state, who has read up to it; and its actions (react, reply, thread, edit and delete one's own).
 */
export function MessageItem({
  lineKey,
  room,
  event,
  isContinuation,
  readBy,
  threadCount,
  isInThread,
  onReply,
  onOpenThread,
  onShowEvent,
}: {
  /** The line's key in the timeline (kept through the local echo's replacement by the server's event). */
  lineKey: string;
  room: Room;
  event: MatrixEvent;
  isContinuation: boolean;
  readBy: string[];
  threadCount: number;
  isInThread: boolean;
  onReply: (event: MatrixEvent) => void;
  onOpenThread?: (eventId: string) => void;
  onShowEvent: (eventId: string) => void;
}) {
  const t = useMessages(chatMessages);
  const { locale } = useLocale();
  const { client, userId } = useChat();
  const [isEditing, setEditing] = useState(false);
  const sender = event.getSender() ?? '';
  const senderName = memberName(room, sender);
  const isOwn = sender === userId;
  const eventId = event.getId();
  const isSent = event.status === null || event.status === EventStatus.SENT;
  const isFailed = event.status === EventStatus.NOT_SENT;
  const isRedacted = event.isRedacted();
  const content = event.getContent();
  const isText =
    event.getType() === eventTypes.message &&
    (content.msgtype === msgTypes.text || content.msgtype === msgTypes.notice || content.msgtype === msgTypes.emote);
  const isEdited = event.replacingEvent() !== null && !isRedacted;
  const mentions = (content['m.mentions'] as { user_ids?: unknown } | undefined)?.user_ids;
  const isHighlighted = !isOwn && Array.isArray(mentions) && mentions.includes(userId);
  const replyTarget = replyTargetOf(event);
  const canAct =
    isSent &&
    !isRedacted &&
    eventId !== undefined &&
    event.getType() !== eventTypes.encrypted &&
    !event.isDecryptionFailure();
  const actionsLabel = t.messageActions(senderName);

  const className = [
    'bureau-chat-message',
    isContinuation ? 'bureau-chat-message--continuation' : '',
    isOwn ? 'bureau-chat-message--own' : '',
    isHighlighted ? 'bureau-chat-message--highlight' : '',
    isSent ? '' : 'bureau-chat-message--pending',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <li className={className} id={eventId ? `message-${eventId}` : undefined} tabIndex={-1} data-key={lineKey}>
      <div className="bureau-chat-message__avatar">
        {!isContinuation && (
          <Avatar client={client} name={senderName} seed={sender} mxc={room.getMember(sender)?.getMxcAvatarUrl()} />
        )}
      </div>
      <div className="bureau-chat-message__main">
        <p className={`bureau-chat-message__meta fr-mb-0${isContinuation ? ' fr-sr-only' : ''}`}>
          <span className="bureau-chat-message__sender">{senderName}</span>{' '}
          <time
            className="bureau-chat-muted"
            dateTime={new Date(event.getTs()).toISOString()}
            title={formatFullDate(locale, event.getTs())}
          >
            {formatTime(locale, event.getTs())}
          </time>
        </p>
        {replyTarget && <ReplyQuote room={room} eventId={replyTarget} onShow={onShowEvent} />}
        {isEditing ? (
          <EditForm room={room} event={event} onDone={() => setEditing(false)} />
        ) : (
          <MessageBody event={event} room={room} />
        )}
        {isEdited && <span className="bureau-chat-muted fr-text--xs">{t.edited}</span>}
        {!isRedacted && <Reactions room={room} event={event} />}
        {!isInThread && threadCount > 0 && eventId && onOpenThread && (
          <button
            type="button"
            className="fr-link fr-link--sm fr-icon-discuss-line fr-link--icon-left bureau-chat-thread-link"
            onClick={() => onOpenThread(eventId)}
          >
            {t.threadAnswers(threadCount)}
          </button>
        )}
        {!isSent && !isFailed && <p className="bureau-chat-muted fr-text--xs fr-mb-0">{t.sending}</p>}
        {isFailed && (
          <p className="fr-error-text fr-text--xs fr-mt-0">
            {t.notSent}{' '}
            <button type="button" className="fr-link fr-link--sm" onClick={() => void client.resendEvent(event, room)}>
              {t.retrySend}
            </button>{' '}
            <button type="button" className="fr-link fr-link--sm" onClick={() => client.cancelPendingEvent(event)}>
              {t.cancelSend}
            </button>
          </p>
        )}
        {readBy.length > 0 && (
          <p className="bureau-chat-readby fr-text--xs fr-mb-0">
            <span className="fr-icon-eye-line fr-icon--xs fr-mr-1v" aria-hidden="true" />
            {t.seenBy(readBy.map((reader) => memberName(room, reader)))}
          </p>
        )}
      </div>
      {canAct && !isEditing && (
        <div className="bureau-chat-message__actions" role="group" aria-label={actionsLabel}>
          <EmojiPicker
            label={t.react}
            onPick={(emoji) => void toggleReaction(client, room, event, emoji).catch(() => undefined)}
          />
          <button
            type="button"
            className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-reply-line"
            title={t.reply}
            onClick={() => onReply(event)}
          >
            {t.reply}
          </button>
          {!isInThread && onOpenThread && (
            <button
              type="button"
              className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-discuss-line"
              title={t.replyInThread}
              onClick={() => onOpenThread(eventId)}
            >
              {t.replyInThread}
            </button>
          )}
          {isOwn && isText && (
            <button
              type="button"
              className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-edit-line"
              title={t.edit}
              onClick={() => setEditing(true)}
            >
              {t.edit}
            </button>
          )}
          {isOwn && (
            <ConfirmAction
              label={t.delete}
              title={t.delete}
              question={t.confirmDelete}
              confirmLabel={t.delete}
              onConfirm={() => void client.redactEvent(room.roomId, eventId).catch(() => undefined)}
            />
          )}
        </div>
      )}
    </li>
  );
}
