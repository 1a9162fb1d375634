import { z } from 'zod';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { matrixError } from '../matrix-errors.ts';
import { parseMatrix, queryInteger } from '../matrix-validation.ts';
import { chunked } from './aggregations.ts';
import { membershipsOf, requireRoom, servedSummary, summariseRooms, type RoomSummary } from './rooms-read.ts';

const v1 = '/_matrix/client/v1';
const hidden = { schema: { hide: true } } as const;

/** How deep the walk goes at most, and how many rooms it visits at most (a space graph may be huge or cyclic). */
const maxDepthAllowed = 10;
const maxRoomsVisited = 1000;

interface ChildEvent {
  type: 'm.space.child';
  state_key: string;
  content: Record<string, unknown>;
  sender: string;
  origin_server_ts: number;
}

/** The `order` of a child, when valid (spaces module: printable ASCII, at most 50 characters). */
function orderOf(child: ChildEvent): string | undefined {
  const order = child.content['order'];
  return typeof order === 'string' && order.length <= 50 && /^[\x20-\x7E]*$/.test(order) ? order : undefined;
}

/** Children sorted as the spaces module says: by `order`, those without one last, then by timestamp, then ID. */
function compareChildren(a: ChildEvent, b: ChildEvent): number {
  const orderA = orderOf(a);
  const orderB = orderOf(b);
  if (orderA !== undefined && orderB !== undefined && orderA !== orderB) return orderA < orderB ? -1 : 1;
  if (orderA !== undefined && orderB === undefined) return -1;
  if (orderA === undefined && orderB !== undefined) return 1;
  if (a.origin_server_ts !== b.origin_server_ts) return a.origin_server_ts - b.origin_server_ts;
  return a.state_key < b.state_key ? -1 : a.state_key > b.state_key ? 1 : 0;
}

/**
 * `GET /v1/rooms/{roomId}/hierarchy`: the space and the rooms its `m.space.child` events lead to (breadth
 * first, up to `max_depth`), with each room's summary and its own children's events. A room appears when
 * the user may see it: they are joined or invited, or it is public, readable by anyone, knockable, or
 * restricted to a room they are joined to. Pagination is an offset in this walk (`from` = `h<offset>`).
 */
export function registerHierarchyRoutes(http: HttpServer, context: ChatFeatureContext): void {
  const executor = () => context.database.executor;

  http.get(`${v1}/rooms/:roomId/hierarchy`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const { roomId } = parseMatrix(z.object({ roomId: z.string().min(1).max(255) }), request.params, 'query');
    const query = parseMatrix(
      z.object({
        from: z
          .string()
          .regex(/^h\d{1,6}$/, 'unknown pagination token')
          .optional(),
        limit: queryInteger(1, 10_000).optional(),
        max_depth: queryInteger(0, 10_000).optional(),
        suggested_only: z.enum(['true', 'false']).optional(),
      }),
      request.query,
      'query',
    );
    await requireRoom(context.rooms, roomId);
    const limit = Math.min(query.limit ?? 50, 100);
    const maxDepth = Math.min(query.max_depth ?? maxDepthAllowed, maxDepthAllowed);
    const suggestedOnly = query.suggested_only === 'true';
    const offset = query.from !== undefined ? Number(query.from.slice(1)) : 0;
    const memberships = await membershipsOf(executor(), me.userId);
    const isAccessible = (summary: RoomSummary) => {
      const membership = memberships.get(summary.room_id);
      if (membership === 'join' || membership === 'invite') return true;
      if (summary.join_rule === 'public' || summary.world_readable) return true;
      if (summary.join_rule === 'knock' || summary.join_rule === 'knock_restricted') return true;
      if (summary.join_rule === 'restricted') {
        return summary.allowedRoomIds.some((allowed) => memberships.get(allowed) === 'join');
      }
      return false;
    };

    const walked: Array<Record<string, unknown>> = [];
    const visited = new Set<string>([roomId]);
    let level = [roomId];
    for (let depth = 0; level.length > 0 && walked.length < maxRoomsVisited; depth += 1) {
      const summaries = await summariseRooms(executor(), level);
      const children = await childEventsOf(level);
      const next: string[] = [];
      for (const current of level) {
        const summary = summaries.get(current);
        if (!summary || !isAccessible(summary)) {
          if (current === roomId) throw matrixError('M_FORBIDDEN', { reason: 'you cannot see this space' });
          continue;
        }
        const childrenState = (children.get(current) ?? [])
          .filter((child) => !suggestedOnly || child.content['suggested'] === true)
          .sort(compareChildren);
        walked.push({ ...servedSummary(summary), children_state: childrenState });
        if (depth >= maxDepth) continue;
        for (const child of childrenState) {
          if (visited.has(child.state_key)) continue;
          visited.add(child.state_key);
          next.push(child.state_key);
        }
      }
      level = next;
    }
    const page = walked.slice(offset, offset + limit);
    return {
      rooms: page,
      ...(offset + page.length < walked.length ? { next_batch: `h${offset + page.length}` } : {}),
    };
  });

  /** The current `m.space.child` events of rooms, with a non-empty `via` (the others are removed links). */
  async function childEventsOf(roomIds: readonly string[]): Promise<Map<string, ChildEvent[]>> {
    const result = new Map<string, ChildEvent[]>();
    for (const ids of chunked(roomIds)) {
      const rows = await executor()
        .withTables<ChatTables>()
        .selectFrom('chat_current_state as s')
        .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
        .select(['s.room_id', 's.state_key', 'e.sender', 'e.origin_server_ts', 'e.json'])
        .where('s.room_id', 'in', ids)
        .where('s.type', '=', 'm.space.child')
        .execute();
      for (const row of rows) {
        const content = (JSON.parse(row.json) as { content?: Record<string, unknown> }).content ?? {};
        const via = content['via'];
        if (!Array.isArray(via) || via.length === 0) continue;
        const child: ChildEvent = {
          type: 'm.space.child',
          state_key: row.state_key,
          content,
          sender: row.sender,
          origin_server_ts: Number(row.origin_server_ts),
        };
        result.set(row.room_id, [...(result.get(row.room_id) ?? []), child]);
      }
    }
    return result;
  }
}
