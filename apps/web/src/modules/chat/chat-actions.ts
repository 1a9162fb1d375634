import { EventType, MsgType, RelationType, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';
import type { ReactionEventContent, RoomMessageEventContent } from 'matrix-js-sdk/lib/@types/events.js';
import { encryptAttachment } from './encrypted-attachments.ts';
import { composeTextContent, type ComposerMention } from './markdown.ts';
import { imageSize } from './media.ts';
import { threadRelation, threadSummaries, loadedEvents } from './timeline-model.ts';

/** Where a new message goes: the main timeline, or a thread; in answer to a message or not. */
export interface MessageTarget {
  replyTo?: MatrixEvent;
  threadRoot?: string;
}

/** `m.relates_to` for a message in a thread and/or in reply to another (Matrix 1.4 threads, 1.13 replies). */
function relationFor(room: Room, target: MessageTarget): Record<string, unknown> | undefined {
  if (target.threadRoot) {
    const lastInThread = threadSummaries(loadedEvents(room)).get(target.threadRoot)?.last.getId();
    return {
      rel_type: threadRelation,
      event_id: target.threadRoot,
      // A plain answer in a thread points at the thread's last message for clients without threads.
      is_falling_back: target.replyTo === undefined,
      'm.in_reply_to': { event_id: target.replyTo?.getId() ?? lastInThread ?? target.threadRoot },
    };
  }
  if (target.replyTo) return { 'm.in_reply_to': { event_id: target.replyTo.getId() } };
  return undefined;
}

async function sendMessageContent(client: MatrixClient, room: Room, content: Record<string, unknown>): Promise<void> {
  await client.sendEvent(room.roomId, EventType.RoomMessage, content as unknown as RoomMessageEventContent);
}

/** Sends what the person typed (Markdown, mentions), in reply or in a thread when asked. */
export async function sendTextMessage(
  client: MatrixClient,
  room: Room,
  text: string,
  mentions: readonly ComposerMention[],
  target: MessageTarget = {},
): Promise<void> {
  // The author of the message answered is mentioned (they are told), unless it is oneself.
  const repliedSender = target.replyTo?.getSender();
  const alsoMention = repliedSender && repliedSender !== client.getUserId() ? [repliedSender] : [];
  const content: Record<string, unknown> = { ...composeTextContent(text, mentions, alsoMention) };
  const relation = relationFor(room, target);
  if (relation) content['m.relates_to'] = relation;
  await sendMessageContent(client, room, content);
}

/** Uploads a file through the media API and sends it as an image or a file. */
export async function sendAttachment(
  client: MatrixClient,
  room: Room,
  file: File,
  target: MessageTarget,
  onProgress: (fraction: number) => void,
): Promise<void> {
  const progressHandler = ({ loaded, total }: { loaded: number; total: number }) =>
    onProgress(total > 0 ? loaded / total : 0);
  // In an encrypted room the file is encrypted here: the server stores ciphertext, without its name or type.
  const encrypted = room.hasEncryptionStateEvent() ? await encryptAttachment(await file.arrayBuffer()) : undefined;
  const upload = encrypted
    ? await client.uploadContent(new Blob([encrypted.data], { type: 'application/octet-stream' }), {
        type: 'application/octet-stream',
        includeFilename: false,
        progressHandler,
      })
    : await client.uploadContent(file, {
        name: file.name,
        type: file.type || 'application/octet-stream',
        progressHandler,
      });
  const isImage = file.type.startsWith('image/');
  const size = isImage ? await imageSize(file) : undefined;
  const content: Record<string, unknown> = {
    msgtype: isImage ? MsgType.Image : MsgType.File,
    body: file.name,
    filename: file.name,
    ...(encrypted ? { file: { ...encrypted.file, url: upload.content_uri } } : { url: upload.content_uri }),
    info: { mimetype: file.type || 'application/octet-stream', size: file.size, ...(size ?? {}) },
    'm.mentions': {},
  };
  const relation = relationFor(room, target);
  if (relation) content['m.relates_to'] = relation;
  await sendMessageContent(client, room, content);
}

/** Replaces one's own message (`m.replace` with `m.new_content`; `body` starts with "* " for older clients). */
export async function editMessage(
  client: MatrixClient,
  room: Room,
  original: MatrixEvent,
  text: string,
  mentions: readonly ComposerMention[],
): Promise<void> {
  const newContent = composeTextContent(text, mentions);
  const content: Record<string, unknown> = {
    msgtype: MsgType.Text,
    body: `* ${newContent.body}`,
    ...(newContent.formatted_body
      ? { format: newContent.format, formatted_body: `* ${newContent.formatted_body}` }
      : {}),
    'm.new_content': newContent,
    // Only people newly mentioned by the edit are told again; the rest were told by the original.
    'm.mentions': {},
    'm.relates_to': { rel_type: RelationType.Replace, event_id: original.getId() },
  };
  await sendMessageContent(client, room, content);
}

/** My reaction with this key to the event, if any (to take it back). */
export function myReaction(room: Room, event: MatrixEvent, key: string, myUserId: string): MatrixEvent | undefined {
  const eventId = event.getId();
  if (!eventId) return undefined;
  const relations = room.relations.getChildEventsForEvent(eventId, RelationType.Annotation, EventType.Reaction);
  const annotations = relations?.getSortedAnnotationsByKey() ?? [];
  const senders = annotations.find(([annotationKey]) => annotationKey === key)?.[1];
  return [...(senders ?? [])].find((reaction) => reaction.getSender() === myUserId && !reaction.isRedacted());
}

/** Adds my reaction, or takes it back when I have already reacted with this key. */
export async function toggleReaction(client: MatrixClient, room: Room, event: MatrixEvent, key: string): Promise<void> {
  const myUserId = client.getSafeUserId();
  const existing = myReaction(room, event, key, myUserId);
  const existingId = existing?.getId();
  if (existing && existingId && !existing.isSending()) {
    await client.redactEvent(room.roomId, existingId);
    return;
  }
  const eventId = event.getId();
  if (!eventId) return;
  const content: ReactionEventContent = {
    'm.relates_to': { rel_type: RelationType.Annotation, event_id: eventId, key },
  };
  await client.sendEvent(room.roomId, EventType.Reaction, content);
}

/** The reactions to an event: each key with its count, whether I am among them, and who reacted. */
export function reactionsOf(
  room: Room,
  event: MatrixEvent,
  myUserId: string,
): { key: string; count: number; isMine: boolean; senders: string[] }[] {
  const eventId = event.getId();
  if (!eventId) return [];
  const relations = room.relations.getChildEventsForEvent(eventId, RelationType.Annotation, EventType.Reaction);
  return (relations?.getSortedAnnotationsByKey() ?? [])
    .map(([key, events]) => {
      const live = [...events].filter((reaction) => !reaction.isRedacted());
      const senders = [...new Set(live.map((reaction) => reaction.getSender() ?? ''))].filter(Boolean);
      return { key, count: senders.length, isMine: senders.includes(myUserId), senders };
    })
    .filter((reaction) => reaction.count > 0);
}

/** Records a direct conversation in `m.direct` (the account data that tells them apart from rooms). */
export async function markAsDirect(client: MatrixClient, roomId: string, otherUserId: string): Promise<void> {
  const current = client.getAccountData(EventType.Direct)?.getContent<Record<string, string[]>>() ?? {};
  const rooms = current[otherUserId] ?? [];
  if (rooms.includes(roomId)) return;
  await client.setAccountData(EventType.Direct, { ...current, [otherUserId]: [...rooms, roomId] });
}

/** The IDs of direct conversations (`m.direct`). */
export function directRoomIds(client: MatrixClient): Set<string> {
  const content = client.getAccountData(EventType.Direct)?.getContent<Record<string, unknown>>() ?? {};
  const ids = new Set<string>();
  for (const rooms of Object.values(content)) {
    if (Array.isArray(rooms)) for (const roomId of rooms) if (typeof roomId === 'string') ids.add(roomId);
  }
  return ids;
}
