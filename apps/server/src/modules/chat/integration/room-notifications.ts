import { sql } from 'kysely';
import { z } from 'zod';
import type { Executor, TransactionContext } from '../../../platform/db/database.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import type { AppendedEvent, RoomHead } from '../room-engine.ts';
import type { People } from './people.ts';
import type { RoomResources } from './room-resources.ts';
import { chatUrls } from './room-search.ts';
import { memberNameOf, membershipOf, readRoomState, roomNameOf, stateTypes } from './room-state.ts';

export const chatNotificationTypes = { invitation: 'chat.invitation', mention: 'chat.mention' } as const;

const invitationParams = z.object({
  roomId: z.string(),
  roomName: z.string().nullable(),
  inviterName: z.string(),
  isDirect: z.boolean(),
});
const mentionParams = z.object({
  roomId: z.string(),
  eventId: z.string(),
  roomName: z.string().nullable(),
  senderName: z.string(),
});

function mentionedUserIds(content: Readonly<Record<string, unknown>>): string[] {
  const mentions = content['m.mentions'];
  if (typeof mentions !== 'object' || mentions === null) return [];
  const userIds = (mentions as Record<string, unknown>)['user_ids'];
  return Array.isArray(userIds) ? userIds.filter((id): id is string => typeof id === 'string').slice(0, 1000) : [];
}

function isEdit(content: Readonly<Record<string, unknown>>): boolean {
  const relation = content['m.relates_to'];
  return (
    typeof relation === 'object' &&
    relation !== null &&
    (relation as Record<string, unknown>)['rel_type'] === 'm.replace'
  );
}

/**
 * Bureau's inbox (platform/notifications) for the chat: "you were invited to a room" and "you were
 * mentioned" — a message of an unencrypted room whose `m.mentions.user_ids` names a joined member, or that
 * their push rules highlight (their name, @room...). Emitted in the appending transaction. Messages'
 * texts never go into a notification: they could be sensitive, and digests go out by e-mail.
 */
export function createRoomNotifications(context: ChatFeatureContext, people: People, resources: RoomResources) {
  const { notifications } = context;
  const tables = (executor: Executor) => executor.withTables<ChatTables>();

  notifications.defineType({
    type: chatNotificationTypes.invitation,
    category: 'chat',
    label: { fr: 'Invitation dans un salon', en: 'Invitation to a room' },
    defaultChannels: { inApp: true, email: true },
    params: invitationParams,
    render(params, locale) {
      const url = chatUrls.room(params.roomId);
      if (locale === 'en') {
        return {
          title: params.roomName
            ? `${params.inviterName} invited you to the room “${params.roomName}”`
            : `${params.inviterName} invited you to a ${params.isDirect ? 'direct chat' : 'room'}`,
          url,
        };
      }
      return {
        title: params.roomName
          ? `${params.inviterName} vous invite dans le salon « ${params.roomName} »`
          : `${params.inviterName} vous invite ${params.isDirect ? 'à une conversation privée' : 'dans un salon'}`,
        url,
      };
    },
  });

  notifications.defineType({
    type: chatNotificationTypes.mention,
    category: 'chat',
    label: { fr: 'Mention dans un salon', en: 'Mention in a room' },
    defaultChannels: { inApp: true, email: false },
    params: mentionParams,
    render(params, locale) {
      const url = chatUrls.message(params.roomId, params.eventId);
      if (locale === 'en') {
        return {
          title: params.roomName
            ? `${params.senderName} mentioned you in “${params.roomName}”`
            : `${params.senderName} mentioned you`,
          url,
        };
      }
      return {
        title: params.roomName
          ? `${params.senderName} vous a mentionné(e) dans « ${params.roomName} »`
          : `${params.senderName} vous a mentionné(e)`,
        url,
      };
    },
  });

  async function bureauUsersOf(executor: Executor, matrixIds: readonly string[]): Promise<string[]> {
    if (matrixIds.length === 0) return [];
    const rows = await tables(executor)
      .selectFrom('chat_accounts')
      .select('user_id')
      .where('matrix_id', 'in', matrixIds)
      .execute();
    return rows.map((row) => row.user_id);
  }

  async function notifyInvitation(transaction: TransactionContext, room: RoomHead, event: AppendedEvent) {
    const invitee = event.stateKey ?? '';
    const executor = transaction.executor;
    const person = await people.personOf(executor, invitee);
    if (!person) return;
    const state = await readRoomState(executor, room.roomId, [
      [stateTypes.name, ''],
      [stateTypes.canonicalAlias, ''],
      [stateTypes.member, event.sender],
    ]);
    const inviter = await people.personOf(executor, event.sender);
    const resource = await resources.resourceOf(room.roomId, executor);
    await notifications.notify(
      {
        type: chatNotificationTypes.invitation,
        recipientId: person.userId,
        params: {
          roomId: room.roomId,
          roomName: roomNameOf(state) ?? null,
          inviterName: memberNameOf(state, event.sender),
          isDirect: event.pdu.content['is_direct'] === true,
        },
        resource: resource ?? null,
        actorId: inviter?.userId ?? null,
      },
      { context: transaction },
    );
  }

  async function notifyMentions(transaction: TransactionContext, room: RoomHead, event: AppendedEvent) {
    const content = event.pdu.content;
    if (isEdit(content)) return;
    const executor = transaction.executor;
    const state = await readRoomState(executor, room.roomId, [
      [stateTypes.encryption, ''],
      [stateTypes.name, ''],
      [stateTypes.canonicalAlias, ''],
      [stateTypes.member, event.sender],
    ]);
    if (state.content(stateTypes.encryption) !== undefined) return;
    const mentioned = mentionedUserIds(content).filter((userId) => userId !== event.sender);
    const joinedMentioned =
      mentioned.length === 0
        ? []
        : await tables(executor)
            .selectFrom('chat_current_state')
            .select('state_key')
            .where('room_id', '=', room.roomId)
            .where('type', '=', stateTypes.member)
            .where('state_key', 'in', mentioned)
            .where('membership', '=', 'join')
            .execute();
    // Push actions are recorded for joined members only, earlier in this transaction (push.ts).
    const highlighted =
      context.push.highlightedBy(transaction, event.streamOrdering) ??
      (
        await tables(executor)
          .selectFrom('chat_push_actions')
          .select('matrix_id')
          .where('room_id', '=', room.roomId)
          .where('stream_ordering', '=', event.streamOrdering)
          .where(
            sql<boolean>`${sql.ref('highlight')} = ${context.database.dialect === 'sqlite' ? sql.lit(1) : sql.lit(true)}`,
          )
          .execute()
      ).map((row) => row.matrix_id);
    const recipients = new Set([...joinedMentioned.map((row) => row.state_key), ...highlighted]);
    recipients.delete(event.sender);
    const recipientIds = await bureauUsersOf(executor, [...recipients]);
    if (recipientIds.length === 0) return;
    const sender = await people.personOf(executor, event.sender);
    await notifications.notify(
      {
        type: chatNotificationTypes.mention,
        recipientIds,
        params: {
          roomId: room.roomId,
          eventId: event.eventId,
          roomName: roomNameOf(state) ?? null,
          senderName: memberNameOf(state, event.sender),
        },
        resource: (await resources.resourceOf(room.roomId, executor)) ?? null,
        actorId: sender?.userId ?? null,
      },
      { context: transaction },
    );
  }

  /** The append hook. */
  async function onAppend(transaction: TransactionContext, room: RoomHead, event: AppendedEvent): Promise<void> {
    if (event.type === 'm.room.message' && event.stateKey === undefined) {
      await notifyMentions(transaction, room, event);
    } else if (event.type === stateTypes.member && event.stateKey !== undefined) {
      const membership = membershipOf(event.pdu.content);
      if (membership === 'invite' && membershipOf(event.replacesState?.content) !== 'invite') {
        await notifyInvitation(transaction, room, event);
      }
    }
  }

  return { onAppend };
}
