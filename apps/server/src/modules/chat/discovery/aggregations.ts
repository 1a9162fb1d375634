import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../../../platform/clock.ts';
import type { Executor } from '../../../platform/db/database.ts';
import type { ChatTables } from '../chat.tables.ts';
import {
  clientEventColumns,
  toClientEvent,
  type ClientEventFormatter,
  type EventRowForClient,
  type Viewer,
} from '../client-events.ts';

/** The relation types the server aggregates (m.annotation is not: clients count reactions themselves). */
const aggregatedRelations = ['m.thread', 'm.replace', 'm.reference'] as const;

/** How many parent IDs go in one `IN (...)` list. */
const batchSize = 500;

export function chunked<T>(items: readonly T[], size = batchSize): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

interface ParsedContent {
  readonly content: Record<string, unknown>;
  readonly relType: string | undefined;
}

function parsedContent(json: string): ParsedContent {
  const pdu = JSON.parse(json) as { content?: Record<string, unknown> };
  const content = pdu.content ?? {};
  const relation = content['m.relates_to'];
  const relType =
    typeof relation === 'object' && relation !== null && !Array.isArray(relation)
      ? (relation as Record<string, unknown>)['rel_type']
      : undefined;
  return { content, relType: typeof relType === 'string' ? relType : undefined };
}

/** The users the viewer ignores (`m.ignored_user_list`): their child events are left out of aggregations. */
export async function ignoredUsersOf(executor: Executor, userId: string): Promise<string[]> {
  const row = await executor
    .withTables<ChatTables>()
    .selectFrom('chat_account_data')
    .select('content')
    .where('matrix_id', '=', userId)
    .where('room_id', '=', '')
    .where('type', '=', 'm.ignored_user_list')
    .executeTakeFirst();
  if (!row) return [];
  try {
    const ignored = (JSON.parse(row.content) as { ignored_users?: unknown }).ignored_users;
    return typeof ignored === 'object' && ignored !== null ? Object.keys(ignored) : [];
  } catch {
    return [];
  }
}

/**
 * Whether `edit` validly replaces `original` (client-server-api § "Validity of replacement events"): same
 * room, same sender, same type, neither a state event, the original not itself an edit, and the new content
 * present (unless encrypted: the server cannot see it).
 */
export function isValidReplacement(original: EventRowForClient, edit: EventRowForClient): boolean {
  if (original.room_id !== edit.room_id || original.sender !== edit.sender || original.type !== edit.type) {
    return false;
  }
  if (original.state_key !== null || edit.state_key !== null) return false;
  if (parsedContent(original.json).relType === 'm.replace') return false;
  if (edit.type === 'm.room.encrypted') return true;
  const newContent = parsedContent(edit.json).content['m.new_content'];
  return typeof newContent === 'object' && newContent !== null && !Array.isArray(newContent);
}

/** The most recent replacement: by `origin_server_ts`, then the lexicographically largest event ID. */
function isMoreRecent(candidate: EventRowForClient, current: EventRowForClient | undefined): boolean {
  if (!current) return true;
  const candidateTs = Number(candidate.origin_server_ts);
  const currentTs = Number(current.origin_server_ts);
  if (candidateTs !== currentTs) return candidateTs > currentTs;
  return candidate.event_id > current.event_id;
}

/**
 * Bundled aggregations (`unsigned.m.relations`, client-server-api § "Aggregations of child events") for
 * every page of events the formatter serves — /sync, /messages, /event, /context, relations, threads,
 * search: `m.thread` (latest event, count, whether the viewer took part), `m.replace` (the most recent valid
 * edit by the original sender, as a whole event) and `m.reference` (the referencing event IDs).
 *
 * A page without children costs one grouped query; with some, also the viewer's ignored users, one query
 * for the replacements and references found and the formatting of the threads' latest events. Redacted
 * children and children sent by users the viewer ignores do not count; state events get no aggregations
 * (as the specification says).
 */
export function createAggregationDecorator(deps: { clock: Clock; formatter: ClientEventFormatter }) {
  // The latest event of a thread is formatted with its own aggregations (its edits), one level deep only.
  const nested = new AsyncLocalStorage<boolean>();

  return async function decorate(
    executor: Executor,
    rows: readonly EventRowForClient[],
    viewer: Viewer,
  ): Promise<Map<string, Record<string, unknown>>> {
    const result = new Map<string, Record<string, unknown>>();
    const parents = rows.filter((row) => row.state_key === null);
    if (parents.length === 0) return result;
    const isNested = nested.getStore() === true;
    const tables = executor.withTables<ChatTables>();
    const parentById = new Map(parents.map((row) => [row.event_id, row]));
    const roomIds = [...new Set(parents.map((row) => row.room_id))];

    interface Summary {
      roomId: string;
      parent: string;
      relType: string;
      count: number;
      latest: number;
      participated: boolean;
    }
    const summarise = async (ignored: readonly string[]): Promise<Summary[]> => {
      const summaries: Summary[] = [];
      for (const ids of chunked([...parentById.keys()])) {
        let query = tables
          .selectFrom('chat_events')
          .select((eb) => [
            'room_id',
            'relates_to',
            'rel_type',
            eb.fn.countAll().as('count'),
            eb.fn.max('stream_ordering').as('latest'),
            eb.fn.max(eb.case().when('sender', '=', viewer.userId).then(1).else(0).end()).as('participated'),
          ])
          .where('relates_to', 'in', ids)
          .where('room_id', 'in', roomIds)
          .where('rel_type', 'in', isNested ? ['m.replace', 'm.reference'] : [...aggregatedRelations])
          .where('redacted_by', 'is', null);
        if (ignored.length > 0) query = query.where('sender', 'not in', ignored);
        const rowsOfChunk = await query.groupBy(['room_id', 'relates_to', 'rel_type']).execute();
        for (const row of rowsOfChunk) {
          if (row.relates_to === null || row.rel_type === null) continue;
          summaries.push({
            roomId: row.room_id,
            parent: row.relates_to,
            relType: row.rel_type,
            count: Number(row.count),
            latest: Number(row.latest),
            participated: Number(row.participated) === 1,
          });
        }
      }
      return summaries;
    };
    // Most pages have no children to aggregate: one query answers that; the ignored users are read only
    // when there is something to aggregate (and the summary is redone without them if there are some).
    let summaries = await summarise([]);
    if (summaries.length === 0) return result;
    const ignored = await ignoredUsersOf(executor, viewer.userId);
    if (ignored.length > 0) summaries = await summarise(ignored);
    const relevant = summaries.filter((summary) => parentById.get(summary.parent)?.room_id === summary.roomId);
    if (relevant.length === 0) return result;

    const relationsOf = (eventId: string): Record<string, unknown> => {
      let decoration = result.get(eventId);
      if (!decoration) {
        decoration = { 'm.relations': {} };
        result.set(eventId, decoration);
      }
      return decoration['m.relations'] as Record<string, unknown>;
    };

    // m.replace and m.reference: the children themselves (few per event).
    const withChildren = relevant.filter((summary) => summary.relType !== 'm.thread');
    if (withChildren.length > 0) {
      const now = deps.clock.now().getTime();
      const bestEdit = new Map<string, EventRowForClient>();
      const references = new Map<string, string[]>();
      for (const ids of chunked([...new Set(withChildren.map((summary) => summary.parent))])) {
        let query = tables
          .selectFrom('chat_events')
          .select([...clientEventColumns, 'relates_to', 'rel_type'])
          .where('relates_to', 'in', ids)
          .where('room_id', 'in', roomIds)
          .where('rel_type', 'in', ['m.replace', 'm.reference'])
          .where('redacted_by', 'is', null);
        if (ignored.length > 0) query = query.where('sender', 'not in', ignored);
        const children = await query.orderBy('stream_ordering').execute();
        for (const child of children) {
          const parent = child.relates_to === null ? undefined : parentById.get(child.relates_to);
          if (!parent || parent.room_id !== child.room_id) continue;
          if (child.rel_type === 'm.reference') {
            references.set(parent.event_id, [...(references.get(parent.event_id) ?? []), child.event_id]);
          } else if (parent.redacted_by === null && isValidReplacement(parent, child)) {
            if (isMoreRecent(child, bestEdit.get(parent.event_id))) bestEdit.set(parent.event_id, child);
          }
        }
      }
      for (const [parentId, edit] of bestEdit) relationsOf(parentId)['m.replace'] = toClientEvent(edit, viewer, now);
      for (const [parentId, ids] of references) {
        relationsOf(parentId)['m.reference'] = { chunk: ids.map((eventId) => ({ event_id: eventId })) };
      }
    }

    // m.thread: count and participation from the grouped query, the latest event formatted in full.
    const threads = relevant.filter((summary) => summary.relType === 'm.thread');
    if (threads.length > 0) {
      const latestRows: EventRowForClient[] = [];
      for (const positions of chunked(threads.map((summary) => summary.latest))) {
        latestRows.push(
          ...(await tables
            .selectFrom('chat_events')
            .select(clientEventColumns)
            .where('stream_ordering', 'in', positions)
            .execute()),
        );
      }
      const formatted = await nested.run(true, () => deps.formatter.format(executor, latestRows, viewer));
      const latestByPosition = new Map(
        latestRows.map((row, index) => [Number(row.stream_ordering), formatted[index]] as const),
      );
      for (const summary of threads) {
        const parent = parentById.get(summary.parent);
        const latest = latestByPosition.get(summary.latest);
        if (!parent || !latest) continue;
        relationsOf(summary.parent)['m.thread'] = {
          latest_event: latest,
          count: summary.count,
          current_user_participated: summary.participated || parent.sender === viewer.userId,
        };
      }
    }
    return result;
  };
}
