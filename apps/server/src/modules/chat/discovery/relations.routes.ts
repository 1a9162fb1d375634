import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { ChatTables } from '../chat.tables.ts';
import { clientEventColumns, type EventRowForClient } from '../client-events.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { matrixError } from '../matrix-errors.ts';
import { parseMatrix, queryInteger } from '../matrix-validation.ts';
import { formatPaginationToken, parsePaginationToken } from '../sync.ts';
import { chunked, ignoredUsersOf } from './aggregations.ts';
import { requireRoom, visibilityIn } from './rooms-read.ts';

const v1 = '/_matrix/client/v1';
const hidden = { schema: { hide: true } } as const;

/** How deep `recurse=true` follows relations of relations (the specification asks for at least 3). */
const recursionDepth = 3;
/** At most this many related events are followed when recursing (a huge thread stays bounded). */
const maxRecursionParents = 5000;

const relationParams = z.object({
  roomId: z.string().min(1).max(255),
  eventId: z.string().min(1).max(255),
  relType: z.string().min(1).max(255).optional(),
  eventType: z.string().min(1).max(255).optional(),
});

const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

const relationQuery = z.object({
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  limit: queryInteger(0, 10_000).optional(),
  dir: z.enum(['b', 'f']).optional(),
  recurse: booleanQuery.optional(),
  'org.matrix.msc3981.recurse': booleanQuery.optional(),
});

const threadsQuery = z.object({
  include: z.enum(['all', 'participated']).optional(),
  limit: queryInteger(1, 10_000).optional(),
  from: z.string().max(64).optional(),
});

/** Page sizes: the specification lets the server choose a default and a maximum. */
function pageSize(limit: number | undefined, fallback: number): number {
  return Math.min(Math.max(limit ?? fallback, 1), 100);
}

/**
 * The relationships API: `GET /v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]` (child
 * events of a parent, newest first by default, optionally following relations of relations) and
 * `GET /v1/rooms/{roomId}/threads` (the thread roots, most recently active first, each with its bundled
 * `m.thread` aggregation). Both only return what the user may see of the room's history.
 */
export function registerRelationsRoutes(http: HttpServer, context: ChatFeatureContext): void {
  const executor = () => context.database.executor;
  const tables = () => executor().withTables<ChatTables>();

  /** The events that relate to `eventId` directly, then to those, up to `depth` levels (parents of the page). */
  async function relationParents(roomId: string, eventId: string, depth: number): Promise<string[]> {
    const parents = [eventId];
    const seen = new Set(parents);
    let frontier = parents;
    for (let level = 1; level < depth && frontier.length > 0; level += 1) {
      const next: string[] = [];
      for (const ids of chunked(frontier)) {
        const rows = await tables()
          .selectFrom('chat_events')
          .select('event_id')
          .where('relates_to', 'in', ids)
          .where('room_id', '=', roomId)
          .where('rel_type', 'is not', null)
          .where('rel_type', '!=', 'm.in_reply_to')
          .where('redacted_by', 'is', null)
          .execute();
        for (const row of rows) {
          if (seen.has(row.event_id) || seen.size >= maxRecursionParents) continue;
          seen.add(row.event_id);
          next.push(row.event_id);
        }
      }
      parents.push(...next);
      frontier = next;
    }
    return parents;
  }

  const relations = async (request: FastifyRequest) => {
    const me = await context.authenticate(request);
    const params = parseMatrix(relationParams, request.params, 'query');
    const query = parseMatrix(relationQuery, request.query, 'query');
    await requireRoom(context.rooms, params.roomId);
    const visibility = await visibilityIn(executor(), params.roomId, me.userId);
    const parent = await tables()
      .selectFrom('chat_events')
      .select('stream_ordering')
      .where('event_id', '=', params.eventId)
      .where('room_id', '=', params.roomId)
      .executeTakeFirst();
    if (!parent || !visibility.canSee(Number(parent.stream_ordering))) {
      throw matrixError('M_NOT_FOUND', { what: params.eventId });
    }
    const recurse = query.recurse ?? query['org.matrix.msc3981.recurse'];
    const parents = await relationParents(params.roomId, params.eventId, recurse === true ? recursionDepth : 1);
    const ignored = await ignoredUsersOf(executor(), me.userId);
    const limit = pageSize(query.limit, 50);
    const backwards = (query.dir ?? 'b') === 'b';
    const to = query.to !== undefined ? parsePaginationToken(query.to) : undefined;
    let cursor = query.from !== undefined ? parsePaginationToken(query.from) : backwards ? Number.MAX_SAFE_INTEGER : 0;
    const chunk: EventRowForClient[] = [];
    let hasMore = true;
    // Reads in batches until the page is full of events the user may see.
    while (chunk.length < limit && hasMore) {
      const batchSize = Math.max(limit * 2, 20);
      const batch: EventRowForClient[] = [];
      for (const ids of chunked(parents)) {
        let select = tables()
          .selectFrom('chat_events')
          .select(clientEventColumns)
          .where('room_id', '=', params.roomId)
          .where('relates_to', 'in', ids)
          .where('redacted_by', 'is', null);
        select = params.relType
          ? select.where('rel_type', '=', params.relType)
          : select.where('rel_type', 'is not', null).where('rel_type', '!=', 'm.in_reply_to');
        if (params.eventType) select = select.where('type', '=', params.eventType);
        if (ignored.length > 0) select = select.where('sender', 'not in', ignored);
        select = backwards
          ? select.where('stream_ordering', '<=', cursor)
          : select.where('stream_ordering', '>', cursor);
        if (to !== undefined) {
          select = backwards ? select.where('stream_ordering', '>', to) : select.where('stream_ordering', '<=', to);
        }
        batch.push(
          ...(await select
            .orderBy('stream_ordering', backwards ? 'desc' : 'asc')
            .limit(batchSize)
            .execute()),
        );
      }
      batch.sort((a, b) =>
        backwards
          ? Number(b.stream_ordering) - Number(a.stream_ordering)
          : Number(a.stream_ordering) - Number(b.stream_ordering),
      );
      const considered = batch.slice(0, batchSize);
      hasMore = batch.length >= batchSize;
      for (const [index, row] of considered.entries()) {
        const stream = Number(row.stream_ordering);
        cursor = backwards ? stream - 1 : stream;
        if (visibility.canSee(stream)) chunk.push(row);
        if (chunk.length >= limit) {
          if (index < considered.length - 1) hasMore = true;
          break;
        }
      }
    }
    const viewer = { userId: me.userId, deviceId: me.deviceId };
    return {
      chunk: await context.formatter.format(executor(), chunk, viewer),
      ...(hasMore ? { next_batch: formatPaginationToken(cursor) } : {}),
      ...(query.from !== undefined ? { prev_batch: query.from } : {}),
      ...(recurse !== undefined ? { recursion_depth: recurse ? recursionDepth : 1 } : {}),
    };
  };
  for (const path of [
    `${v1}/rooms/:roomId/relations/:eventId`,
    `${v1}/rooms/:roomId/relations/:eventId/:relType`,
    `${v1}/rooms/:roomId/relations/:eventId/:relType/:eventType`,
  ]) {
    http.get(path, hidden, relations);
  }

  http.get(`${v1}/rooms/:roomId/threads`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const { roomId } = parseMatrix(z.object({ roomId: z.string().min(1).max(255) }), request.params, 'query');
    const query = parseMatrix(threadsQuery, request.query, 'query');
    await requireRoom(context.rooms, roomId);
    const visibility = await visibilityIn(executor(), roomId, me.userId);
    const limit = pageSize(query.limit, 20);
    const participatedOnly = query.include === 'participated';
    // The token is the latest activity of the last thread served: the next page has older threads.
    let cursor = query.from !== undefined ? parsePaginationToken(query.from) : Number.MAX_SAFE_INTEGER;
    const roots: Array<{ rootStream: number; latest: number }> = [];
    let hasMore = true;
    while (roots.length < limit && hasMore) {
      const batchSize = Math.max(limit * 2, 20);
      const rows = await tables()
        .selectFrom('chat_events as t')
        .innerJoin('chat_events as r', 'r.event_id', 't.relates_to')
        .select((eb) => ['r.stream_ordering as root_stream', eb.fn.max('t.stream_ordering').as('latest')])
        .where('t.room_id', '=', roomId)
        .where('t.rel_type', '=', 'm.thread')
        .where('t.redacted_by', 'is', null)
        .where('r.room_id', '=', roomId)
        .groupBy('r.stream_ordering')
        .having((eb) => {
          const conditions = [eb(eb.fn.max('t.stream_ordering'), '<', cursor)];
          if (participatedOnly) {
            const took = eb
              .case()
              .when(eb.or([eb('t.sender', '=', me.userId), eb('r.sender', '=', me.userId)]))
              .then(1)
              .else(0)
              .end();
            conditions.push(eb(eb.fn.max(took), '=', 1));
          }
          return eb.and(conditions);
        })
        .orderBy('latest', 'desc')
        .limit(batchSize)
        .execute();
      hasMore = rows.length >= batchSize;
      for (const [index, row] of rows.entries()) {
        cursor = Number(row.latest);
        if (visibility.canSee(Number(row.root_stream))) {
          roots.push({ rootStream: Number(row.root_stream), latest: Number(row.latest) });
        }
        if (roots.length >= limit) {
          if (index < rows.length - 1) hasMore = true;
          break;
        }
      }
    }
    const rootRows: EventRowForClient[] = [];
    for (const positions of chunked(roots.map((root) => root.rootStream))) {
      rootRows.push(
        ...(await tables()
          .selectFrom('chat_events')
          .select(clientEventColumns)
          .where('stream_ordering', 'in', positions)
          .execute()),
      );
    }
    const byStream = new Map(rootRows.map((row) => [Number(row.stream_ordering), row]));
    const ordered = roots
      .map((root) => byStream.get(root.rootStream))
      .filter((row): row is EventRowForClient => row !== undefined);
    return {
      chunk: await context.formatter.format(executor(), ordered, { userId: me.userId, deviceId: me.deviceId }),
      ...(hasMore ? { next_batch: formatPaginationToken(cursor) } : {}),
    };
  });
}
