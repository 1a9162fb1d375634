import { EventStatus, RelationType, type MatrixEvent, type Room } from 'matrix-js-sdk';

/**
 * Event types and message types as plain strings: the SDK's enums are compared with `getType()` and
 * `content.msgtype`, which are strings.
 */
export const eventTypes = {
  message: 'm.room.message',
  encrypted: 'm.room.encrypted',
  sticker: 'm.sticker',
  reaction: 'm.reaction',
  redaction: 'm.room.redaction',
  member: 'm.room.member',
  name: 'm.room.name',
  topic: 'm.room.topic',
  create: 'm.room.create',
  encryption: 'm.room.encryption',
} as const;

export const msgTypes = {
  text: 'm.text',
  notice: 'm.notice',
  emote: 'm.emote',
  image: 'm.image',
  file: 'm.file',
  video: 'm.video',
  audio: 'm.audio',
} as const;

/** The relation type of threads (`m.thread`), stable since Matrix 1.4. */
export const threadRelation = 'm.thread';

/** Messages from the same person within this delay are grouped (no name or avatar repeated). */
const groupingDelayMs = 5 * 60_000;

/** One line of the timeline as the page shows it. */
export type TimelineItem =
  | { kind: 'day'; key: string; date: Date }
  | {
      kind: 'message';
      key: string;
      event: MatrixEvent;
      /** Same sender as the previous message, shortly after: no name or avatar repeated. */
      isContinuation: boolean;
      /** Users (not the sender, not me) whose read receipt is at this message. */
      readBy: string[];
    }
  | { kind: 'notice'; key: string; event: MatrixEvent };

/** The `m.relates_to` of an event as sent (edits do not change it). */
export function relationOf(event: MatrixEvent): { rel_type?: string; event_id?: string; key?: string } | undefined {
  const relation: unknown = event.getWireContent()['m.relates_to'];
  return typeof relation === 'object' && relation !== null ? relation : undefined;
}

/** The thread an event answers in, if any. */
export function threadRootOf(event: MatrixEvent): string | undefined {
  const relation = relationOf(event);
  return relation?.rel_type === threadRelation ? relation.event_id : undefined;
}

/** The event a message replies to (`m.in_reply_to`), if any. */
export function replyTargetOf(event: MatrixEvent): string | undefined {
  const relation: unknown = event.getWireContent()['m.relates_to'];
  if (typeof relation !== 'object' || relation === null) return undefined;
  const inReplyTo: unknown = (relation as Record<string, unknown>)['m.in_reply_to'];
  const eventId: unknown =
    typeof inReplyTo === 'object' && inReplyTo !== null ? (inReplyTo as Record<string, unknown>).event_id : undefined;
  // In a thread, the reply pointer of a plain answer is only a fallback for older clients.
  if (relation && (relation as Record<string, unknown>).is_falling_back === true) return undefined;
  return typeof eventId === 'string' ? eventId : undefined;
}

/** Events that change or annotate another one and are shown through it (edits, reactions, redactions). */
function isAggregated(event: MatrixEvent): boolean {
  const type = event.getType();
  if (type === eventTypes.reaction || type === eventTypes.redaction) return true;
  return relationOf(event)?.rel_type === RelationType.Replace;
}

/** A message (text, image, file...) or an encrypted one, as opposed to state and other events. */
export function isMessageLike(event: MatrixEvent): boolean {
  const type = event.getType();
  return type === eventTypes.message || type === eventTypes.encrypted || type === eventTypes.sticker;
}

/** State changes worth a line in the timeline (membership, name, topic, creation, encryption). */
function isNotice(event: MatrixEvent): boolean {
  if (!event.isState()) return false;
  const type = event.getType();
  if (type === eventTypes.member) {
    // A display-name or avatar change is not worth a line.
    return event.getContent().membership !== event.getPrevContent().membership;
  }
  return (
    type === eventTypes.name ||
    type === eventTypes.topic ||
    type === eventTypes.create ||
    type === eventTypes.encryption
  );
}

function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

/** The room's events as loaded: the live timeline, then own messages still being sent. */
export function loadedEvents(room: Room): MatrixEvent[] {
  return [...room.getLiveTimeline().getEvents(), ...room.getPendingEvents()];
}

/**
 * The main timeline's lines: day separators, messages (thread answers are in their thread, edits and
 * reactions on the message they change), a few state changes; each message with who has read up to it.
 */
export function buildTimeline(
  room: Room,
  myUserId: string,
  options: { threadRoot?: string; events?: MatrixEvent[] } = {},
): TimelineItem[] {
  const items: TimelineItem[] = [];
  const events = options.events ?? loadedEvents(room);
  let lastDay: string | undefined;
  let previousMessage: MatrixEvent | undefined;
  let lastMessageItem: Extract<TimelineItem, { kind: 'message' }> | undefined;
  for (const event of events) {
    const isPending = event.status !== null && event.status !== EventStatus.SENT;
    // Receipts may point at events not shown (a reaction): they count for the last message shown.
    const readers = isPending ? [] : room.getUsersReadUpTo(event);
    const thread = threadRootOf(event);
    const isInView =
      options.threadRoot === undefined
        ? thread === undefined
        : thread === options.threadRoot || event.getId() === options.threadRoot;
    const isShownMessage = isInView && isMessageLike(event) && !isAggregated(event);
    const isShownNotice = options.threadRoot === undefined && isNotice(event);
    if (isShownMessage || isShownNotice) {
      const date = new Date(event.getTs());
      const day = dayKey(date);
      if (day !== lastDay) {
        items.push({ kind: 'day', key: `day-${day}`, date });
        lastDay = day;
        previousMessage = undefined;
      }
      const key = event.getTxnId() ?? event.getId() ?? `${event.getTs()}`;
      if (isShownMessage) {
        const isContinuation =
          previousMessage !== undefined &&
          previousMessage.getSender() === event.getSender() &&
          event.getTs() - previousMessage.getTs() < groupingDelayMs &&
          replyTargetOf(event) === undefined;
        lastMessageItem = { kind: 'message', key, event, isContinuation, readBy: [] };
        items.push(lastMessageItem);
        previousMessage = event;
      } else {
        items.push({ kind: 'notice', key, event });
        previousMessage = undefined;
      }
    }
    if (lastMessageItem && readers.length > 0) {
      const sender = lastMessageItem.event.getSender();
      for (const reader of readers) {
        // Each reader's receipt is at one event only: their latest.
        if (reader !== myUserId && reader !== sender) lastMessageItem.readBy.push(reader);
      }
    }
  }
  return items;
}

/** Answers in each thread among the loaded events, by root event ID. */
export function threadSummaries(events: readonly MatrixEvent[]): Map<string, { count: number; last: MatrixEvent }> {
  const summaries = new Map<string, { count: number; last: MatrixEvent }>();
  for (const event of events) {
    const root = threadRootOf(event);
    if (!root || !isMessageLike(event) || isAggregated(event)) continue;
    const summary = summaries.get(root);
    summaries.set(root, { count: (summary?.count ?? 0) + 1, last: event });
  }
  return summaries;
}

/** The bundled thread summary the server sends with a root (`unsigned.m.relations.m.thread`). */
export function serverThreadCount(event: MatrixEvent): number {
  const summary = event.getServerAggregatedRelation<{ count?: number }>(threadRelation);
  return typeof summary?.count === 'number' ? summary.count : 0;
}

/** Lower-case, without accents: for matching names and searching messages. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

/** The plain text of a message without the quoted fallback of a reply (`> <@user> ...`). */
export function bodyWithoutReplyFallback(event: MatrixEvent): string {
  const body: unknown = event.getContent().body;
  const text = typeof body === 'string' ? body : '';
  if (!event.replyEventId) return text;
  const lines = text.split('\n');
  let index = 0;
  while (index < lines.length && lines[index]?.startsWith('>')) index += 1;
  if (index > 0 && lines[index] === '') index += 1;
  return index > 0 ? lines.slice(index).join('\n') : text;
}
