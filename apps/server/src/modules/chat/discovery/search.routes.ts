import { z } from 'zod';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { ChatTables } from '../chat.tables.ts';
import { clientEventColumns, type EventRowForClient, type Viewer } from '../client-events.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { matrixError } from '../matrix-errors.ts';
import { parseMatrix } from '../matrix-validation.ts';
import { RoomVisibility } from '../room-access.ts';
import { formatPaginationToken, parsePaginationToken } from '../sync.ts';
import { membershipsOf, summariseRooms } from './rooms-read.ts';
import { foldForSearch, searchTerms } from './search-text.ts';

const c = '/_matrix/client';
const hidden = { schema: { hide: true } } as const;

/** Events read per request at most: a search walks back through history a bounded slice at a time. */
const maxScannedPerRequest = 5000;
const scanBatch = 250;

const keyTypes = {
  'content.body': 'm.room.message',
  'content.name': 'm.room.name',
  'content.topic': 'm.room.topic',
} as const;
type SearchKey = keyof typeof keyTypes;

const idList = z.array(z.string().max(255)).max(500);
const roomEventsSchema = z.object({
  search_term: z.string().min(1).max(512),
  keys: z
    .array(z.enum(['content.body', 'content.name', 'content.topic']))
    .max(3)
    .optional(),
  filter: z
    .object({
      limit: z.number().int().min(1).max(10_000).optional(),
      rooms: idList.optional(),
      not_rooms: idList.optional(),
      senders: idList.optional(),
      not_senders: idList.optional(),
    })
    .loose()
    .optional(),
  order_by: z.enum(['recent', 'rank']).optional(),
  event_context: z
    .object({
      before_limit: z.number().int().min(0).max(10_000).optional(),
      after_limit: z.number().int().min(0).max(10_000).optional(),
      include_profile: z.boolean().optional(),
    })
    .optional(),
  include_state: z.boolean().optional(),
  groupings: z.unknown().optional(),
});
const searchSchema = z.object({
  search_categories: z.object({ room_events: roomEventsSchema.optional() }).loose(),
});

function searchedText(type: string, content: Record<string, unknown>, keys: readonly SearchKey[]): string {
  const parts: string[] = [];
  for (const key of keys) {
    if (keyTypes[key] !== type) continue;
    const value = content[key.slice('content.'.length)];
    if (typeof value === 'string') parts.push(value);
  }
  return parts.join(' ');
}

/** How often the terms occur in the text: the rank of a result. */
function rankOf(text: string, terms: readonly string[]): number {
  let occurrences = 0;
  for (const term of terms) occurrences += text.split(term).length - 1;
  return occurrences;
}

/**
 * `POST /v3/search` (room events only): the messages, names and topics of the unencrypted rooms the user is
 * joined to that contain every search word, without regard to case or accents, newest first (or by the
 * number of occurrences with `order_by: rank`), with optional context and room state. Each request reads
 * a bounded slice of history; `next_batch` continues further back.
 */
export function registerSearchRoutes(http: HttpServer, context: ChatFeatureContext): void {
  const executor = () => context.database.executor;
  const tables = () => executor().withTables<ChatTables>();

  http.post(`${c}/v3/search`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const query = parseMatrix(z.object({ next_batch: z.string().max(64).optional() }), request.query, 'query');
    const body = parseMatrix(searchSchema, request.body);
    const criteria = body.search_categories.room_events;
    if (!criteria) return { search_categories: {} };
    const terms = searchTerms(criteria.search_term);
    if (terms.length === 0) throw matrixError('M_INVALID_PARAM', { reason: 'search_term has no words' });
    const keys: SearchKey[] = criteria.keys ?? ['content.body', 'content.name', 'content.topic'];
    const types = [...new Set(keys.map((key) => keyTypes[key]))];
    const viewer: Viewer = { userId: me.userId, deviceId: me.deviceId };
    const filter = criteria.filter ?? {};
    const limit = Math.min(filter.limit ?? 10, 50);

    const memberships = await membershipsOf(executor(), me.userId);
    let roomIds = [...memberships].filter(([, membership]) => membership === 'join').map(([roomId]) => roomId);
    if (filter.rooms) roomIds = roomIds.filter((roomId) => filter.rooms?.includes(roomId));
    if (filter.not_rooms) roomIds = roomIds.filter((roomId) => !filter.not_rooms?.includes(roomId));
    const summaries = await summariseRooms(executor(), roomIds);
    // The server cannot read encrypted rooms.
    roomIds = roomIds.filter((roomId) => summaries.get(roomId)?.isEncrypted === false);

    const visibilities = new Map<string, RoomVisibility>();
    const visibilityOf = async (roomId: string) => {
      let visibility = visibilities.get(roomId);
      if (!visibility) {
        visibility = await RoomVisibility.load(executor(), roomId, me.userId);
        visibilities.set(roomId, visibility);
      }
      return visibility;
    };

    const found: Array<{ row: EventRowForClient; rank: number }> = [];
    let cursor = query.next_batch !== undefined ? parsePaginationToken(query.next_batch) : Number.MAX_SAFE_INTEGER;
    let scanned = 0;
    let hasMore = roomIds.length > 0;
    while (hasMore && found.length < limit && scanned < maxScannedPerRequest) {
      let select = tables()
        .selectFrom('chat_events')
        .select(clientEventColumns)
        .where('room_id', 'in', roomIds)
        .where('type', 'in', types)
        .where('redacted_by', 'is', null)
        .where('stream_ordering', '<', cursor);
      if (filter.senders) select = select.where('sender', 'in', filter.senders.length > 0 ? filter.senders : ['']);
      if (filter.not_senders && filter.not_senders.length > 0) {
        select = select.where('sender', 'not in', filter.not_senders);
      }
      const rows = await select.orderBy('stream_ordering', 'desc').limit(scanBatch).execute();
      let consumedAll = true;
      for (const [index, row] of rows.entries()) {
        scanned += 1;
        cursor = Number(row.stream_ordering);
        const content = (JSON.parse(row.json) as { content?: Record<string, unknown> }).content ?? {};
        const text = foldForSearch(searchedText(row.type, content, keys));
        if (!terms.every((term) => text.includes(term))) continue;
        if (!(await visibilityOf(row.room_id)).canSee(Number(row.stream_ordering))) continue;
        found.push({ row, rank: rankOf(text, terms) });
        if (found.length >= limit) {
          consumedAll = index === rows.length - 1;
          break;
        }
      }
      if (rows.length < scanBatch && consumedAll) hasMore = false;
    }
    if (criteria.order_by === 'rank') found.sort((a, b) => b.rank - a.rank);

    const events = await context.formatter.format(
      executor(),
      found.map((entry) => entry.row),
      viewer,
    );
    const results = await Promise.all(
      found.map(async (entry, index) => ({
        rank: entry.rank,
        result: events[index],
        ...(criteria.event_context ? { context: await contextOf(entry.row, criteria.event_context, viewer) } : {}),
      })),
    );
    const isComplete = !hasMore && query.next_batch === undefined;
    const state: Record<string, unknown> = {};
    if (criteria.include_state) {
      for (const roomId of new Set(found.map((entry) => entry.row.room_id))) {
        const rows = await tables()
          .selectFrom('chat_current_state as s')
          .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
          .select(clientEventColumns.map((column) => `e.${column}` as const))
          .where('s.room_id', '=', roomId)
          .orderBy('s.stream_ordering')
          .execute();
        state[roomId] = await context.formatter.format(executor(), rows, viewer);
      }
    }
    return {
      search_categories: {
        room_events: {
          results,
          highlights: terms,
          ...(isComplete ? { count: results.length } : {}),
          ...(hasMore ? { next_batch: formatPaginationToken(cursor) } : {}),
          ...(criteria.include_state ? { state } : {}),
        },
      },
    };

    async function contextOf(
      row: EventRowForClient,
      options: NonNullable<z.output<typeof roomEventsSchema>['event_context']>,
      who: Viewer,
    ) {
      const visibility = await visibilityOf(row.room_id);
      const around = async (backwards: boolean, count: number) => {
        if (count === 0) return [];
        const rows = await tables()
          .selectFrom('chat_events')
          .select(clientEventColumns)
          .where('room_id', '=', row.room_id)
          .where('stream_ordering', backwards ? '<' : '>', Number(row.stream_ordering))
          .orderBy('stream_ordering', backwards ? 'desc' : 'asc')
          .limit(count * 2)
          .execute();
        return rows.filter((candidate) => visibility.canSee(Number(candidate.stream_ordering))).slice(0, count);
      };
      const before = await around(true, Math.min(options.before_limit ?? 5, 20));
      const after = await around(false, Math.min(options.after_limit ?? 5, 20));
      const profiles: Record<string, unknown> = {};
      if (options.include_profile) {
        for (const sender of new Set([row, ...before, ...after].map((event) => event.sender))) {
          const account = await context.accounts.accountOfMatrixId(sender);
          profiles[sender] = {
            ...(account?.displayname ? { displayname: account.displayname } : {}),
            ...(account?.avatar_url ? { avatar_url: account.avatar_url } : {}),
          };
        }
      }
      const stream = Number(row.stream_ordering);
      return {
        events_before: await context.formatter.format(executor(), before, who),
        events_after: await context.formatter.format(executor(), after, who),
        start: formatPaginationToken(before.length > 0 ? Number(before.at(-1)?.stream_ordering) - 1 : stream - 1),
        end: formatPaginationToken(after.length > 0 ? Number(after.at(-1)?.stream_ordering) : stream),
        ...(options.include_profile ? { profile_info: profiles } : {}),
      };
    }
  });
}
