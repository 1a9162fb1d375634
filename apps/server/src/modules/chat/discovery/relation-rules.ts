import type { TransactionContext } from '../../../platform/db/database.ts';
import type { ChatTables } from '../chat.tables.ts';
import { matrixError } from '../matrix-errors.ts';
import type { AppendedEvent, RoomHead } from '../room-engine.ts';

function relationOf(content: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const relation = content['m.relates_to'];
  return typeof relation === 'object' && relation !== null && !Array.isArray(relation)
    ? (relation as Record<string, unknown>)
    : undefined;
}

/**
 * The relation rules the server enforces when an event is appended (run in the appending transaction, so
 * a refusal rolls the event back):
 * - a thread cannot start from an event that itself has a relation (threading § "Validation of m.thread
 *   relationships": 400 M_UNKNOWN);
 * - a user cannot send the same annotation (type and key) twice to one event unless the first was redacted
 *   (event annotations § "Avoiding duplicate annotations": 400 M_DUPLICATE_ANNOTATION).
 */
export async function checkRelationRules(
  context: TransactionContext,
  room: RoomHead,
  event: AppendedEvent,
): Promise<void> {
  if (event.stateKey !== undefined) return;
  const relation = relationOf(event.pdu.content);
  const target = relation?.['event_id'];
  const relType = relation?.['rel_type'];
  if (typeof target !== 'string' || (relType !== 'm.thread' && relType !== 'm.annotation')) return;
  const tables = context.executor.withTables<ChatTables>();

  if (relType === 'm.thread') {
    const parent = await tables
      .selectFrom('chat_events')
      .select(['room_id', 'rel_type'])
      .where('event_id', '=', target)
      .executeTakeFirst();
    // A reply (m.in_reply_to, no rel_type) may start a thread; any other relation may not.
    if (parent && parent.room_id === room.roomId && parent.rel_type !== null && parent.rel_type !== 'm.in_reply_to') {
      throw matrixError('M_UNKNOWN', { reason: 'a thread cannot start from an event that has a relation' });
    }
    return;
  }

  const key = relation?.['key'];
  if (typeof key !== 'string') return;
  const earlier = await tables
    .selectFrom('chat_events')
    .select('json')
    .where('relates_to', '=', target)
    .where('rel_type', '=', 'm.annotation')
    .where('room_id', '=', room.roomId)
    .where('sender', '=', event.sender)
    .where('type', '=', event.type)
    .where('redacted_by', 'is', null)
    .where('event_id', '!=', event.eventId)
    .execute();
  const isDuplicate = earlier.some((row) => {
    const content = (JSON.parse(row.json) as { content?: Record<string, unknown> }).content ?? {};
    return relationOf(content)?.['key'] === key;
  });
  if (isDuplicate) throw matrixError('M_DUPLICATE_ANNOTATION');
}
