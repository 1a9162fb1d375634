import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { defineErrors } from '../../../platform/errors.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { MatrixPrincipal } from '../accounts.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { matrixError } from '../matrix-errors.ts';
import { parseMatrix, queryInteger } from '../matrix-validation.ts';
import { isValidRoomAlias, parseRoomAlias, type CanonicalJsonObject } from '../protocol/index.ts';
import { RoomVisibility } from '../room-access.ts';
import { foldForSearch } from './search-text.ts';
import { isRoomAdministrator, requireRoom, servedSummary, summariseRooms, type RoomSummary } from './rooms-read.ts';

const c = '/_matrix/client';
const hidden = { schema: { hide: true } } as const;

/** `M_ROOM_IN_USE` answered 409 Conflict, as the specification says for `PUT /directory/room/{alias}`. */
const directoryErrors = defineErrors({
  M_ROOM_IN_USE: { kind: 'conflict', fr: 'Cet alias de salon est déjà pris.', en: 'This room alias is taken.' },
});

const aliasParams = z.object({ roomAlias: z.string().min(1).max(255) });
const roomParams = z.object({ roomId: z.string().min(1).max(255) });

const publicRoomsBody = z.object({
  limit: z.number().int().min(0).max(10_000).optional(),
  since: z.string().max(64).optional(),
  server: z.string().max(255).optional(),
  filter: z
    .object({
      generic_search_term: z.string().max(512).optional(),
      room_types: z.array(z.string().max(255).nullable()).max(50).optional(),
    })
    .loose()
    .optional(),
  include_all_networks: z.boolean().optional(),
  third_party_instance_id: z.string().max(255).optional(),
});
type PublicRoomsRequest = z.output<typeof publicRoomsBody>;

/** `o<offset>`: a position in the directory's order (most joined members first). */
function parseOffsetToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^o(\d{1,9})$/.exec(token);
  if (!match) throw matrixError('M_INVALID_PARAM', { reason: 'invalid since token' });
  return Number(match[1]);
}

/**
 * Room aliases (`/v3/directory/room/{roomAlias}`, `/v3/rooms/{roomId}/aliases`) and the published room
 * directory (`/v3/publicRooms`, `/v3/directory/list/room/{roomId}`). Aliases live on this server only
 * (no federation); the directory lists the rooms whose `chat_rooms.is_public` is set, searchable by
 * name, topic and address without regard to case or accents.
 */
export function registerRoomDirectoryRoutes(http: HttpServer, context: ChatFeatureContext): void {
  const executor = () => context.database.executor;
  const tables = () => executor().withTables<ChatTables>();

  function localAlias(alias: string): string {
    const parsed = isValidRoomAlias(alias) ? parseRoomAlias(alias) : undefined;
    if (!parsed) throw matrixError('M_INVALID_PARAM', { reason: 'invalid room alias' });
    if (parsed.serverName !== context.serverName) {
      throw matrixError('M_INVALID_PARAM', { reason: `room aliases must end with :${context.serverName}` });
    }
    return alias;
  }

  // --- Aliases -------------------------------------------------------------------------------------------------

  http.put(`${c}/v3/directory/room/:roomAlias`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const alias = localAlias(parseMatrix(aliasParams, request.params, 'query').roomAlias);
    const body = parseMatrix(z.object({ room_id: z.string().min(1).max(255) }), request.body);
    const head = await requireRoom(context.rooms, body.room_id);
    const membership = await tables()
      .selectFrom('chat_current_state')
      .select('membership')
      .where('room_id', '=', head.roomId)
      .where('type', '=', 'm.room.member')
      .where('state_key', '=', me.userId)
      .executeTakeFirst();
    if (membership?.membership !== 'join') {
      throw matrixError('M_FORBIDDEN', { reason: 'you must be in the room to give it an address' });
    }
    const taken = await tables()
      .selectFrom('chat_room_aliases')
      .select('alias')
      .where('alias', '=', alias)
      .executeTakeFirst();
    if (taken) throw directoryErrors.create('M_ROOM_IN_USE');
    try {
      await tables()
        .insertInto('chat_room_aliases')
        .values({ alias, room_id: head.roomId, creator: me.userId, created_at: context.clock.now().toISOString() })
        .execute();
    } catch (error) {
      // Two requests for the same alias at once: the first one won.
      const raced = await tables()
        .selectFrom('chat_room_aliases')
        .select('alias')
        .where('alias', '=', alias)
        .executeTakeFirst();
      if (raced) throw directoryErrors.create('M_ROOM_IN_USE');
      throw error;
    }
    return {};
  });

  http.get(`${c}/v3/directory/room/:roomAlias`, hidden, async (request) => {
    await context.authenticate(request);
    const { roomAlias } = parseMatrix(aliasParams, request.params, 'query');
    if (!isValidRoomAlias(roomAlias)) throw matrixError('M_INVALID_PARAM', { reason: 'invalid room alias' });
    const row = await tables()
      .selectFrom('chat_room_aliases')
      .select('room_id')
      .where('alias', '=', roomAlias)
      .executeTakeFirst();
    if (!row) throw matrixError('M_NOT_FOUND', { what: roomAlias });
    return { room_id: row.room_id, servers: [context.serverName] };
  });

  http.delete(`${c}/v3/directory/room/:roomAlias`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const { roomAlias } = parseMatrix(aliasParams, request.params, 'query');
    if (!isValidRoomAlias(roomAlias)) throw matrixError('M_INVALID_PARAM', { reason: 'invalid room alias' });
    const row = await tables()
      .selectFrom('chat_room_aliases')
      .select(['room_id', 'creator'])
      .where('alias', '=', roomAlias)
      .executeTakeFirst();
    if (!row) throw matrixError('M_NOT_FOUND', { what: roomAlias });
    const head = await context.rooms.loadHead(row.room_id);
    const isAdministrator = head ? await isRoomAdministrator(context.rooms, head, me.userId) : false;
    if (row.creator !== me.userId && !isAdministrator) {
      throw matrixError('M_FORBIDDEN', { reason: 'only the alias creator or a room administrator can remove it' });
    }
    await tables().deleteFrom('chat_room_aliases').where('alias', '=', roomAlias).execute();
    if (head) await dropFromCanonicalAlias(me, head.roomId, roomAlias);
    await context.audit.record({
      action: 'chat.alias.deleted',
      outcome: 'success',
      actor: actorOf(me, request),
      target: { type: 'chat.room', id: row.room_id, label: roomAlias },
    });
    return {};
  });

  /**
   * A removed alias leaves the room's `m.room.canonical_alias` (spec: servers may update it). Done on the
   * remover's behalf when their power allows it; the alias is removed either way.
   */
  async function dropFromCanonicalAlias(me: MatrixPrincipal, roomId: string, alias: string): Promise<void> {
    const state = await context.rooms.readState(roomId, [['m.room.canonical_alias', '']]);
    const current = state.content('m.room.canonical_alias');
    if (!current) return;
    const alternatives = Array.isArray(current['alt_aliases']) ? (current['alt_aliases'] as unknown[]) : [];
    if (current['alias'] !== alias && !alternatives.includes(alias)) return;
    const content: Record<string, unknown> = { ...current };
    if (content['alias'] === alias) delete content['alias'];
    if (alternatives.includes(alias)) content['alt_aliases'] = alternatives.filter((entry) => entry !== alias);
    await context.rooms
      .append(roomId, [
        {
          type: 'm.room.canonical_alias',
          stateKey: '',
          sender: me.userId,
          content: content as CanonicalJsonObject,
        },
      ])
      .catch((error: unknown) => {
        context.logger.debug({ err: error, roomId }, 'canonical alias left unchanged after an alias removal');
      });
  }

  http.get(`${c}/v3/rooms/:roomId/aliases`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    await requireRoom(context.rooms, roomId);
    const visibility = await RoomVisibility.load(executor(), roomId, me.userId);
    const [summary] = (await summariseRooms(executor(), [roomId])).values();
    if (!visibility.isJoined && !summary?.world_readable) {
      throw matrixError('M_FORBIDDEN', { reason: 'you are not a member of this room' });
    }
    const rows = await tables()
      .selectFrom('chat_room_aliases')
      .select('alias')
      .where('room_id', '=', roomId)
      .orderBy('created_at')
      .execute();
    return { aliases: rows.map((row) => row.alias) };
  });

  // --- Published room directory --------------------------------------------------------------------------------

  async function publicRooms(body: PublicRoomsRequest) {
    const limit = Math.min(body.limit ?? 100, 500);
    const offset = parseOffsetToken(body.since);
    // No federation: another server's directory is empty here.
    if (body.server !== undefined && body.server !== context.serverName) {
      return { chunk: [], total_room_count_estimate: 0 };
    }
    const rows = await tables().selectFrom('chat_rooms').select('room_id').where('is_public', '=', 1).execute();
    const summaries = await summariseRooms(
      executor(),
      rows.map((row) => row.room_id),
    );
    const terms = foldForSearch(body.filter?.generic_search_term ?? '')
      .split(/\s+/)
      .filter((term) => term !== '');
    const roomTypes = body.filter?.room_types;
    const matching = [...summaries.values()].filter((summary) => {
      if (roomTypes && !roomTypes.includes(summary.room_type ?? null)) return false;
      if (terms.length === 0) return true;
      const haystack = foldForSearch([summary.name, summary.topic, summary.canonical_alias].join(' '));
      return terms.every((term) => haystack.includes(term));
    });
    matching.sort(
      (a: RoomSummary, b: RoomSummary) =>
        b.num_joined_members - a.num_joined_members || a.room_id.localeCompare(b.room_id),
    );
    const page = limit === 0 ? [] : matching.slice(offset, offset + limit);
    return {
      chunk: page.map(servedSummary),
      total_room_count_estimate: matching.length,
      ...(offset + page.length < matching.length && page.length > 0 ? { next_batch: `o${offset + page.length}` } : {}),
      ...(offset > 0 ? { prev_batch: `o${Math.max(0, offset - limit)}` } : {}),
    };
  }

  http.get(`${c}/v3/publicRooms`, hidden, async (request) => {
    await context.authenticate(request);
    const query = parseMatrix(
      z.object({
        limit: queryInteger(0, 10_000).optional(),
        since: z.string().max(64).optional(),
        server: z.string().max(255).optional(),
      }),
      request.query,
      'query',
    );
    return publicRooms(query);
  });

  http.post(`${c}/v3/publicRooms`, hidden, async (request) => {
    await context.authenticate(request);
    const query = parseMatrix(z.object({ server: z.string().max(255).optional() }), request.query, 'query');
    const body = parseMatrix(publicRoomsBody, request.body ?? {});
    return publicRooms({ ...body, ...(query.server !== undefined ? { server: query.server } : {}) });
  });

  http.get(`${c}/v3/directory/list/room/:roomId`, hidden, async (request) => {
    await context.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const row = await tables()
      .selectFrom('chat_rooms')
      .select('is_public')
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    if (!row) throw matrixError('M_NOT_FOUND', { what: roomId });
    return { visibility: row.is_public ? 'public' : 'private' };
  });

  http.put(`${c}/v3/directory/list/room/:roomId`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const body = parseMatrix(z.object({ visibility: z.enum(['public', 'private']).optional() }).loose(), request.body);
    const head = await requireRoom(context.rooms, roomId);
    if (!(await isRoomAdministrator(context.rooms, head, me.userId))) {
      throw matrixError('M_FORBIDDEN', { reason: 'only the room’s administrators can change its listing' });
    }
    const isPublic = (body.visibility ?? 'public') === 'public';
    await tables()
      .updateTable('chat_rooms')
      .set({ is_public: isPublic ? 1 : 0 })
      .where('room_id', '=', roomId)
      .execute();
    await context.audit.record({
      action: 'chat.room.listed',
      outcome: 'success',
      actor: actorOf(me, request),
      target: { type: 'chat.room', id: roomId },
      details: { visibility: isPublic ? 'public' : 'private' },
    });
    return {};
  });
}

/** The audit actor of a Matrix request. */
export function actorOf(me: MatrixPrincipal, request: FastifyRequest) {
  return {
    userId: me.account.user_id,
    label: me.userId,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  };
}
