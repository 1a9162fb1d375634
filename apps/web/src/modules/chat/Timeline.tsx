import type { MatrixEvent, Room } from 'matrix-js-sdk';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useLocale, useMessages } from '../../i18n.tsx';
import { useChat } from './chat-client.tsx';
import { chatMessages, type ChatMessages } from './chat.messages.ts';
import { memberName, MessageItem } from './MessageItem.tsx';
import { eventTypes, serverThreadCount, type TimelineItem } from './timeline-model.ts';

/** Within this distance of the bottom, the timeline follows new messages. */
const bottomThresholdPx = 48;
/** Within this distance of the top, older messages are fetched. */
const topThresholdPx = 120;

function dayLabel(date: Date, locale: string, t: ChatMessages): string {
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  const sameDay = (a: Date, b: Date) =>
    a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  if (sameDay(date, today)) return t.today;
  if (sameDay(date, yesterday)) return t.yesterday;
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(date.getFullYear() === today.getFullYear() ? {} : { year: 'numeric' }),
  }).format(date);
}

/** The line a state change gets ("Claire a rejoint le salon", "Le salon s'appelle maintenant …"). */
function noticeText(room: Room, event: MatrixEvent, t: ChatMessages): string {
  const who = memberName(room, event.getSender());
  const content = event.getContent();
  switch (event.getType()) {
    case eventTypes.create:
      return t.roomCreated(who);
    case eventTypes.name:
      return content.name ? t.roomRenamed(who, String(content.name)) : t.roomNameRemoved(who);
    case eventTypes.topic:
      return content.topic ? t.topicChanged(who, String(content.topic)) : t.topicRemoved(who);
    case eventTypes.encryption:
      return t.encryptionEnabled(who);
    case eventTypes.member: {
      const target = String(content.displayname ?? event.getStateKey() ?? '');
      switch (content.membership) {
        case 'join':
          return t.memberJoined(target);
        case 'invite':
          return t.memberInvited(who, target);
        case 'leave':
          return event.getSender() === event.getStateKey() ? t.memberLeft(target) : t.memberRemoved(who, target);
        case 'ban':
          return t.memberBanned(who, target);
        default:
          return '';
      }
    }
    default:
      return '';
  }
}

/**
 * A scrolling list of messages: follows new ones while at the bottom, fetches older ones when scrolled to
 * the top (or with the button), keeps the reading position when they arrive, and calls `onAtBottom`
 * (to send the read receipt) when the newest message is in view.
 */
export function Timeline({
  room,
  items,
  label,
  canLoadOlder,
  onLoadOlder,
  isInThread,
  threadCounts,
  onReply,
  onOpenThread,
  onAtBottom,
  header,
  focusEventId,
}: {
  room: Room;
  items: TimelineItem[];
  label: string;
  /** Whether older history may exist; undefined hides the button (threads). */
  canLoadOlder?: boolean;
  onLoadOlder?: () => Promise<unknown>;
  isInThread: boolean;
  threadCounts?: Map<string, { count: number }>;
  onReply: (event: MatrixEvent) => void;
  onOpenThread?: (eventId: string) => void;
  onAtBottom?: () => void;
  header?: ReactNode;
  /** A message to scroll to and focus (a reply's original, a search result). */
  focusEventId?: string;
}) {
  const t = useMessages(chatMessages);
  const { locale } = useLocale();
  const { version } = useChat();
  const DayHeading = isInThread ? 'h3' : 'h2';
  const scrollRef = useRef<HTMLDivElement>(null);
  const isAtBottom = useRef(true);
  /** The line at the top of the view when older messages were asked for, and its distance from the top. */
  const anchor = useRef<{ key: string; offset: number; count: number } | undefined>(undefined);
  const [isLoadingOlder, setLoadingOlder] = useState(false);
  const [loadFailed, setLoadFailed] = useState(false);

  const loadOlder = useCallback(async () => {
    if (!onLoadOlder || isLoadingOlder) return;
    const element = scrollRef.current;
    if (element && !isAtBottom.current) {
      const lines = Array.from(element.querySelectorAll<HTMLElement>('.bureau-chat-message[data-key]'));
      const top = lines.find((line) => line.offsetTop + line.offsetHeight > element.scrollTop) ?? lines[0];
      if (top?.dataset.key) {
        anchor.current = { key: top.dataset.key, offset: top.offsetTop - element.scrollTop, count: items.length };
      }
    }
    setLoadingOlder(true);
    setLoadFailed(false);
    try {
      await onLoadOlder();
    } catch {
      setLoadFailed(true);
    } finally {
      setLoadingOlder(false);
      // Nothing older came (start of history): forget the anchor once the last changes are shown.
      const asked = anchor.current;
      setTimeout(() => {
        if (anchor.current === asked) anchor.current = undefined;
      }, 500);
    }
  }, [onLoadOlder, isLoadingOlder, items.length]);

  // After each render: keep the reading position when older messages came above, follow new ones below.
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const kept = anchor.current;
    if (kept && kept.count !== items.length) {
      const line = element.querySelector<HTMLElement>(`[data-key="${CSS.escape(kept.key)}"]`);
      if (line) element.scrollTop = line.offsetTop - kept.offset;
      anchor.current = undefined;
    } else if (isAtBottom.current && !kept) {
      element.scrollTop = element.scrollHeight;
    }
  });

  const lastKey = items.at(-1)?.key;
  useEffect(() => {
    if (isAtBottom.current) onAtBottom?.();
  }, [lastKey, version, onAtBottom]);

  // A short first page does not fill the view: fetch more until it scrolls (or history ends).
  useEffect(() => {
    const element = scrollRef.current;
    if (!element || !canLoadOlder || isLoadingOlder || loadFailed) return;
    if (element.scrollHeight <= element.clientHeight + topThresholdPx) void loadOlder();
  }, [items.length, canLoadOlder, isLoadingOlder, loadFailed, loadOlder]);

  useEffect(() => {
    if (!focusEventId) return;
    const target = document.getElementById(`message-${focusEventId}`);
    if (target) {
      isAtBottom.current = false;
      target.scrollIntoView({ block: 'center' });
      target.focus({ preventScroll: true });
    }
  }, [focusEventId]);

  return (
    <div
      ref={scrollRef}
      className="bureau-chat-timeline"
      tabIndex={0}
      role="region"
      aria-label={label}
      onScroll={(event) => {
        const element = event.currentTarget;
        const wasAtBottom = isAtBottom.current;
        isAtBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < bottomThresholdPx;
        if (isAtBottom.current && !wasAtBottom) onAtBottom?.();
        if (element.scrollTop < topThresholdPx && canLoadOlder && !isLoadingOlder && !loadFailed) void loadOlder();
      }}
    >
      {canLoadOlder !== undefined && (
        <div className="bureau-chat-timeline__start">
          {canLoadOlder ? (
            <button
              type="button"
              className="fr-btn fr-btn--tertiary fr-btn--sm"
              disabled={isLoadingOlder}
              onClick={() => void loadOlder()}
            >
              {isLoadingOlder ? t.loadingOlder : t.loadOlder}
            </button>
          ) : (
            <p className="bureau-chat-muted fr-text--sm fr-mb-0">{t.historyStart}</p>
          )}
          {loadFailed && (
            <p className="fr-error-text fr-text--sm" role="alert">
              {t.loadOlderFailed}
            </p>
          )}
        </div>
      )}
      {header}
      <ol className="bureau-chat-timeline__list">
        {items.map((item) => {
          if (item.kind === 'day') {
            return (
              <li key={item.key} className="bureau-chat-day" data-key={item.key}>
                <DayHeading className="bureau-chat-day__label">{dayLabel(item.date, locale, t)}</DayHeading>
              </li>
            );
          }
          if (item.kind === 'notice') {
            const text = noticeText(room, item.event, t);
            return text ? (
              <li key={item.key} className="bureau-chat-notice fr-text--sm" data-key={item.key}>
                {text}
              </li>
            ) : null;
          }
          const eventId = item.event.getId() ?? '';
          return (
            <MessageItem
              key={item.key}
              lineKey={item.key}
              room={room}
              event={item.event}
              isContinuation={item.isContinuation}
              readBy={item.readBy}
              isInThread={isInThread}
              threadCount={Math.max(threadCounts?.get(eventId)?.count ?? 0, serverThreadCount(item.event))}
              onReply={onReply}
              onOpenThread={onOpenThread}
              onShowEvent={(target) => {
                const element = document.getElementById(`message-${target}`);
                if (element) {
                  isAtBottom.current = false;
                  element.scrollIntoView({ block: 'center' });
                  element.focus({ preventScroll: true });
                }
              }}
            />
          );
        })}
      </ol>
    </div>
  );
}
