import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { ChatAccounts, MatrixPrincipal } from './accounts.ts';
import type { ChatTables } from './chat.tables.ts';
import { clientEventColumns, type ClientEventFormatter, type EventRowForClient } from './client-events.ts';
import { matrixError } from './matrix-errors.ts';
import type { MatrixAuthenticator } from './matrix-http.ts';
import { jsonObjectBody, parseMatrix, queryInteger } from './matrix-validation.ts';
import {
  defaultPowerLevelsContent,
  isBuildableRoomVersion,
  isKnownRoomVersion,
  isValidRoomAlias,
  isValidUserId,
  type BuildableRoomVersion,
  type CanonicalJsonObject,
  type RoomPreset,
} from './protocol/index.ts';
import type { PushService } from './push.ts';
import { RoomVisibility } from './room-access.ts';
import type { NewEvent, RoomEngine } from './room-engine.ts';
import { roomKey, roomReceiptsKey, userKey, type StreamNotifier } from './stream.ts';
import { formatPaginationToken, parsePaginationToken, passesEventFilter, type RoomEventFilter } from './sync.ts';
import type { TypingTracker } from './typing.ts';

export interface RoomCreationHook {
  /** Adjusts a createRoom request before its events are built (Tchap's room types, external users...). */
  (creator: MatrixPrincipal, request: CreateRoomRequest): Promise<void>;
}

export interface RoomsRoutesDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly accounts: ChatAccounts;
  readonly authenticate: MatrixAuthenticator;
  readonly rooms: RoomEngine;
  readonly formatter: ClientEventFormatter;
  readonly notifier: StreamNotifier;
  readonly typing: TypingTracker;
  readonly serverName: string;
  readonly defaultRoomVersion: BuildableRoomVersion;
  readonly creationHooks: RoomCreationHook[];
  readonly push: PushService;
}

const c = '/_matrix/client';
const hidden = { schema: { hide: true } } as const;

const stateEventSchema = z.object({
  type: z.string().min(1).max(255),
  state_key: z.string().max(255).default(''),
  content: z.record(z.string(), z.unknown()),
});

export const createRoomSchema = z.object({
  visibility: z.enum(['public', 'private']).optional(),
  room_alias_name: z.string().min(1).max(200).optional(),
  name: z.string().max(255).optional(),
  topic: z.string().max(1024).optional(),
  invite: z.array(z.string().max(255)).max(100).optional(),
  invite_3pid: z.array(z.unknown()).max(0, 'third-party invites are not supported').optional(),
  room_version: z.string().max(32).optional(),
  creation_content: z.record(z.string(), z.unknown()).optional(),
  initial_state: z.array(stateEventSchema).max(100).optional(),
  preset: z.enum(['private_chat', 'public_chat', 'trusted_private_chat']).optional(),
  is_direct: z.boolean().optional(),
  power_level_content_override: z.record(z.string(), z.unknown()).optional(),
});
export type CreateRoomRequest = z.output<typeof createRoomSchema>;

const roomParams = z.object({ roomId: z.string().min(1).max(255) });
const typingParams = z.object({ roomId: z.string().max(255), userId: z.string().max(255) });
const typingBody = z.object({ typing: z.boolean(), timeout: z.number().int().min(0).optional() });
const receiptParams = z.object({
  roomId: z.string().max(255),
  receiptType: z.enum(['m.read', 'm.read.private', 'm.fully_read']),
  eventId: z.string().max(255),
});
const receiptBody = z.object({ thread_id: z.string().max(255).optional() }).loose();
const upgradeBody = z.object({ new_version: z.string().min(1).max(32) });

function filterOf(text: string | undefined): RoomEventFilter | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as RoomEventFilter | null;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch {
    throw matrixError('M_INVALID_PARAM', { reason: 'filter must be a JSON object' });
  }
}

/**
 * The room endpoints: createRoom (presets, initial state, invitations, direct chats), membership
 * (join by ID or alias, invite, leave, forget, kick, ban, unban), sending with transaction IDs, state,
 * redactions, `/messages` both ways, members, typing, receipts and read markers, event and context.
 * Every change goes through the room engine (the room version's authorisation rules and Bureau's policies).
 */
export function registerRoomsRoutes(http: HttpServer, deps: RoomsRoutesDeps): void {
  const tables = () => deps.database.executor.withTables<ChatTables>();

  async function memberContent(matrixId: string, membership: string, extra: Record<string, unknown> = {}) {
    const account = await deps.accounts.accountOfMatrixId(matrixId);
    return {
      membership,
      ...(account?.displayname ? { displayname: account.displayname } : {}),
      ...(account?.avatar_url ? { avatar_url: account.avatar_url } : {}),
      ...extra,
    } as CanonicalJsonObject;
  }

  async function resolveRoom(idOrAlias: string): Promise<string> {
    if (idOrAlias.startsWith('#')) {
      const alias = await tables()
        .selectFrom('chat_room_aliases')
        .select('room_id')
        .where('alias', '=', idOrAlias)
        .executeTakeFirst();
      if (!alias) throw matrixError('M_NOT_FOUND', { what: idOrAlias });
      return alias.room_id;
    }
    if (!idOrAlias.startsWith('!')) throw matrixError('M_INVALID_PARAM', { reason: 'not a room ID or alias' });
    return idOrAlias;
  }

  async function requireRoom(roomId: string) {
    const head = await deps.rooms.loadHead(roomId);
    if (!head) throw matrixError('M_NOT_FOUND', { what: roomId });
    return head;
  }

  async function visibilityFor(me: MatrixPrincipal, roomId: string): Promise<RoomVisibility> {
    await requireRoom(roomId);
    const visibility = await RoomVisibility.load(deps.database.executor, roomId, me.userId);
    if (!visibility.hasBeenMember) {
      // Rooms readable by anyone (world_readable) could be peeked; Bureau does not offer peeking.
      throw matrixError('M_FORBIDDEN', { reason: 'you are not a member of this room' });
    }
    return visibility;
  }

  // --- createRoom ----------------------------------------------------------------------------------------------

  http.post(`${c}/v3/createRoom`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const body = parseMatrix(createRoomSchema, request.body);
    for (const hook of deps.creationHooks) await hook(me, body);
    const roomVersion = body.room_version ?? deps.defaultRoomVersion;
    if (!isBuildableRoomVersion(roomVersion)) {
      throw matrixError('M_UNSUPPORTED_ROOM_VERSION', {
        version: isKnownRoomVersion(roomVersion) ? roomVersion : roomVersion.slice(0, 32),
      });
    }
    const invitees = [...new Set(body.invite ?? [])];
    for (const invitee of invitees) {
      if (!isValidUserId(invitee))
        throw matrixError('M_INVALID_PARAM', { reason: `invalid user ID ${invitee.slice(0, 80)}` });
      if (!(await deps.accounts.accountOfMatrixId(invitee))) throw matrixError('M_NOT_FOUND', { what: invitee });
    }
    let alias: string | undefined;
    if (body.room_alias_name !== undefined) {
      alias = `#${body.room_alias_name}:${deps.serverName}`;
      if (body.room_alias_name.includes(':') || !isValidRoomAlias(alias)) {
        throw matrixError('M_INVALID_PARAM', { reason: 'invalid room_alias_name' });
      }
      const taken = await tables()
        .selectFrom('chat_room_aliases')
        .select('alias')
        .where('alias', '=', alias)
        .executeTakeFirst();
      if (taken) throw matrixError('M_ROOM_IN_USE');
    }
    const preset: RoomPreset = body.preset ?? (body.visibility === 'public' ? 'public_chat' : 'private_chat');
    const creationContent = jsonObjectBody(body.creation_content ?? {});
    if (roomVersion === '12' && preset === 'trusted_private_chat' && invitees.length > 0) {
      creationContent['additional_creators'] = invitees;
    }
    const powerLevels = {
      ...defaultPowerLevelsContent({ preset, creator: me.userId, roomVersion, invitees }),
      ...(body.power_level_content_override ?? {}),
    };
    const initialState = body.initial_state ?? [];
    const hasInitial = (type: string) => initialState.some((event) => event.type === type && event.state_key === '');
    const state = (type: string, content: Record<string, unknown>, stateKey = ''): NewEvent => ({
      type,
      stateKey,
      sender: me.userId,
      content: jsonObjectBody(content),
    });
    const creatorMember = await memberContent(me.userId, 'join');
    const inviteContents = await Promise.all(
      invitees.map((invitee) => memberContent(invitee, 'invite', body.is_direct ? { is_direct: true } : {})),
    );
    const { roomId } = await deps.database.transaction(async (context) => {
      const created = await deps.rooms.createRoom(
        {
          roomVersion,
          creator: me.userId,
          createContent: creationContent,
          newRoomId: () => `!${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}:${deps.serverName}`,
          isPublic: body.visibility === 'public',
        },
        (newRoomId) => {
          const events: NewEvent[] = [
            { type: 'm.room.member', stateKey: me.userId, sender: me.userId, content: creatorMember },
            state('m.room.power_levels', powerLevels),
          ];
          if (alias) events.push(state('m.room.canonical_alias', { alias }));
          if (!hasInitial('m.room.join_rules')) {
            events.push(state('m.room.join_rules', { join_rule: preset === 'public_chat' ? 'public' : 'invite' }));
          }
          if (!hasInitial('m.room.history_visibility')) {
            events.push(state('m.room.history_visibility', { history_visibility: 'shared' }));
          }
          if (!hasInitial('m.room.guest_access') && preset !== 'public_chat') {
            events.push(state('m.room.guest_access', { guest_access: 'can_join' }));
          }
          for (const event of initialState) events.push(state(event.type, event.content, event.state_key));
          if (body.name !== undefined) events.push(state('m.room.name', { name: body.name }));
          if (body.topic !== undefined) {
            events.push(
              state('m.room.topic', {
                topic: body.topic,
                'm.topic': [{ mimetype: 'text/plain', body: body.topic }],
              }),
            );
          }
          invitees.forEach((invitee, index) => {
            events.push({
              type: 'm.room.member',
              stateKey: invitee,
              sender: me.userId,
              content: inviteContents[index] ?? {},
            });
          });
          void newRoomId;
          return events;
        },
        context,
      );
      if (alias) {
        await context.executor
          .withTables<ChatTables>()
          .insertInto('chat_room_aliases')
          .values({ alias, room_id: created.roomId, creator: me.userId, created_at: deps.clock.now().toISOString() })
          .execute();
      }
      return created;
    });
    return { room_id: roomId };
  });

  // --- Membership ----------------------------------------------------------------------------------------------

  async function currentMembership(roomId: string, userId: string): Promise<string | null> {
    const row = await tables()
      .selectFrom('chat_current_state')
      .select('membership')
      .where('room_id', '=', roomId)
      .where('type', '=', 'm.room.member')
      .where('state_key', '=', userId)
      .executeTakeFirst();
    return row?.membership ?? null;
  }

  async function join(me: MatrixPrincipal, roomId: string, reason?: string) {
    await requireRoom(roomId);
    if ((await currentMembership(roomId, me.userId)) === 'join') return { room_id: roomId };
    await deps.rooms.append(roomId, [
      {
        type: 'm.room.member',
        stateKey: me.userId,
        sender: me.userId,
        content: await memberContent(me.userId, 'join', reason ? { reason } : {}),
      },
    ]);
    await tables()
      .deleteFrom('chat_forgotten_rooms')
      .where('matrix_id', '=', me.userId)
      .where('room_id', '=', roomId)
      .execute();
    return { room_id: roomId };
  }

  const reasonBody = z.object({ reason: z.string().max(1024).optional() }).loose();
  const targetBody = z.object({ user_id: z.string().max(255), reason: z.string().max(1024).optional() });

  http.post(`${c}/v3/join/:roomIdOrAlias`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomIdOrAlias } = parseMatrix(
      z.object({ roomIdOrAlias: z.string().min(1).max(255) }),
      request.params,
      'query',
    );
    const body = parseMatrix(reasonBody, request.body ?? {});
    return join(me, await resolveRoom(roomIdOrAlias), body.reason);
  });
  http.post(`${c}/v3/rooms/:roomId/join`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const body = parseMatrix(reasonBody, request.body ?? {});
    return join(me, await resolveRoom(roomId), body.reason);
  });

  http.post(`${c}/v3/rooms/:roomId/invite`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const body = parseMatrix(targetBody, request.body);
    await requireRoom(roomId);
    if (!isValidUserId(body.user_id)) throw matrixError('M_INVALID_PARAM', { reason: 'invalid user_id' });
    if (!(await deps.accounts.accountOfMatrixId(body.user_id)))
      throw matrixError('M_NOT_FOUND', { what: body.user_id });
    await deps.rooms.append(roomId, [
      {
        type: 'm.room.member',
        stateKey: body.user_id,
        sender: me.userId,
        content: await memberContent(body.user_id, 'invite', body.reason ? { reason: body.reason } : {}),
      },
    ]);
    return {};
  });

  http.post(`${c}/v3/rooms/:roomId/leave`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const body = parseMatrix(reasonBody, request.body ?? {});
    await requireRoom(roomId);
    const membership = await currentMembership(roomId, me.userId);
    if (membership === 'leave' || membership === 'ban') return {};
    await deps.rooms.append(roomId, [
      {
        type: 'm.room.member',
        stateKey: me.userId,
        sender: me.userId,
        content: { membership: 'leave', ...(body.reason ? { reason: body.reason } : {}) },
      },
    ]);
    return {};
  });

  http.post(`${c}/v3/rooms/:roomId/forget`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    await requireRoom(roomId);
    const membership = await currentMembership(roomId, me.userId);
    if (membership === 'join' || membership === 'invite') {
      throw matrixError('M_UNKNOWN', { reason: 'leave the room before forgetting it' });
    }
    await tables()
      .insertInto('chat_forgotten_rooms')
      .values({ matrix_id: me.userId, room_id: roomId })
      .onConflict((conflict) => conflict.columns(['matrix_id', 'room_id']).doNothing())
      .execute();
    return {};
  });

  for (const action of ['kick', 'ban', 'unban'] as const) {
    http.post(`${c}/v3/rooms/:roomId/${action}`, hidden, async (request) => {
      const me = await deps.authenticate(request);
      const { roomId } = parseMatrix(roomParams, request.params, 'query');
      const body = parseMatrix(targetBody, request.body);
      await requireRoom(roomId);
      if (!isValidUserId(body.user_id)) throw matrixError('M_INVALID_PARAM', { reason: 'invalid user_id' });
      if (action === 'unban' && (await currentMembership(roomId, body.user_id)) !== 'ban') {
        throw matrixError('M_FORBIDDEN', { reason: 'this user is not banned' });
      }
      if (action === 'kick') {
        const membership = await currentMembership(roomId, body.user_id);
        if (membership !== 'join' && membership !== 'invite' && membership !== 'knock') {
          throw matrixError('M_FORBIDDEN', { reason: 'this user is not in the room' });
        }
      }
      await deps.rooms.append(roomId, [
        {
          type: 'm.room.member',
          stateKey: body.user_id,
          sender: me.userId,
          content: { membership: action === 'ban' ? 'ban' : 'leave', ...(body.reason ? { reason: body.reason } : {}) },
        },
      ]);
      return {};
    });
  }

  // --- Room upgrades (module room_upgrades) ---------------------------------------------------------------------

  /**
   * State carried over to the replacement room (Tchap's access rules survive upgrades), in an order the
   * room rules accept: a forum's retention before its public join rule, a direct chat's join rule before
   * its access rule.
   */
  const carriedStateTypes = [
    'm.room.name',
    'm.room.topic',
    'm.room.avatar',
    'm.room.retention',
    'm.room.join_rules',
    'm.room.history_visibility',
    'm.room.guest_access',
    'm.room.encryption',
    'm.room.server_acl',
    'im.vector.room.access_rules',
    'fr.gouv.bureau.sensitivity',
  ];

  http.post(`${c}/v3/rooms/:roomId/upgrade`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const body = parseMatrix(upgradeBody, request.body);
    if (!isBuildableRoomVersion(body.new_version)) {
      throw matrixError('M_UNSUPPORTED_ROOM_VERSION', { version: body.new_version.slice(0, 32) });
    }
    const newVersion = body.new_version;
    const old = await requireRoom(roomId);
    const state = await deps.rooms.readState(roomId, [
      ['m.room.power_levels', ''],
      ['m.room.member', me.userId],
      ['m.room.canonical_alias', ''],
      ...carriedStateTypes.map((type) => [type, ''] as const),
    ]);
    if (state.get('m.room.member', me.userId)?.content['membership'] !== 'join') {
      throw matrixError('M_FORBIDDEN', { reason: 'you are not joined to this room' });
    }
    const oldPowerLevels = { ...(state.content('m.room.power_levels') ?? {}) };
    const creatorMember = await memberContent(me.userId, 'join');
    // The replacement's power levels: the old ones; in v12 creators are implicit (not listed).
    const newPowerLevels: Record<string, unknown> = { ...oldPowerLevels };
    const users = { ...((oldPowerLevels['users'] as Record<string, unknown> | undefined) ?? {}) };
    if (newVersion === '12') delete users[me.userId];
    else users[me.userId] = Math.max(Number(users[me.userId] ?? 0), 100);
    newPowerLevels['users'] = users;
    const { roomId: newRoomId } = await deps.database.transaction(async (context) => {
      const created = await deps.rooms.createRoom(
        {
          roomVersion: newVersion,
          creator: me.userId,
          createContent: { predecessor: { room_id: roomId, event_id: old.lastEventId } },
          newRoomId: () => `!${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}:${deps.serverName}`,
          isPublic: false,
        },
        () => {
          const events: NewEvent[] = [
            { type: 'm.room.member', stateKey: me.userId, sender: me.userId, content: creatorMember },
            { type: 'm.room.power_levels', stateKey: '', sender: me.userId, content: jsonObjectBody(newPowerLevels) },
          ];
          for (const type of carriedStateTypes) {
            const content = state.content(type);
            if (content)
              events.push({ type, stateKey: '', sender: me.userId, content: jsonObjectBody({ ...content }) });
          }
          const alias = state.content('m.room.canonical_alias');
          if (alias)
            events.push({
              type: 'm.room.canonical_alias',
              stateKey: '',
              sender: me.userId,
              content: jsonObjectBody({ ...alias }),
            });
          return events;
        },
        context,
      );
      // The old room points to the new one and stops taking messages from ordinary members.
      const restricted = {
        ...oldPowerLevels,
        events_default: Math.max(50, Number(oldPowerLevels['events_default'] ?? 0)),
        invite: Math.max(50, Number(oldPowerLevels['invite'] ?? 0)),
      };
      await deps.rooms.append(
        roomId,
        [
          {
            type: 'm.room.tombstone',
            stateKey: '',
            sender: me.userId,
            content: {
              body: 'Ce salon a été remplacé. / This room has been replaced.',
              replacement_room: created.roomId,
            },
          },
          { type: 'm.room.power_levels', stateKey: '', sender: me.userId, content: jsonObjectBody(restricted) },
        ],
        context,
      );
      // Aliases follow the room.
      await context.executor
        .withTables<ChatTables>()
        .updateTable('chat_room_aliases')
        .set({ room_id: created.roomId })
        .where('room_id', '=', roomId)
        .execute();
      return created;
    });
    return { replacement_room: newRoomId };
  });

  http.get(`${c}/v3/joined_rooms`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const rows = await tables()
      .selectFrom('chat_current_state')
      .select('room_id')
      .where('type', '=', 'm.room.member')
      .where('state_key', '=', me.userId)
      .where('membership', '=', 'join')
      .execute();
    return { joined_rooms: rows.map((row) => row.room_id) };
  });

  // --- Sending -------------------------------------------------------------------------------------------------

  const sendParams = z.object({
    roomId: z.string().min(1).max(255),
    eventType: z.string().min(1).max(255),
    txnId: z.string().min(1).max(255),
  });

  http.put(`${c}/v3/rooms/:roomId/send/:eventType/:txnId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(sendParams, request.params, 'query');
    const content = jsonObjectBody(request.body);
    const earlier = await deps.rooms.eventOfTransaction(me.userId, me.deviceId, params.txnId);
    if (earlier) return { event_id: earlier };
    await requireRoom(params.roomId);
    try {
      const [appended] = await deps.rooms.append(params.roomId, [
        { type: params.eventType, sender: me.userId, content, txn: { deviceId: me.deviceId, txnId: params.txnId } },
      ]);
      return { event_id: appended?.eventId };
    } catch (error) {
      // The same transaction sent twice at once: the first one won.
      const raced = await deps.rooms.eventOfTransaction(me.userId, me.deviceId, params.txnId);
      if (raced) return { event_id: raced };
      throw error;
    }
  });

  const redactParams = z.object({
    roomId: z.string().min(1).max(255),
    eventId: z.string().min(1).max(255),
    txnId: z.string().min(1).max(255),
  });
  http.put(`${c}/v3/rooms/:roomId/redact/:eventId/:txnId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(redactParams, request.params, 'query');
    const body = parseMatrix(reasonBody, request.body ?? {});
    const earlier = await deps.rooms.eventOfTransaction(me.userId, me.deviceId, params.txnId);
    if (earlier) return { event_id: earlier };
    await requireRoom(params.roomId);
    const [appended] = await deps.rooms.append(params.roomId, [
      {
        type: 'm.room.redaction',
        sender: me.userId,
        content: { redacts: params.eventId, ...(body.reason ? { reason: body.reason } : {}) },
        txn: { deviceId: me.deviceId, txnId: params.txnId },
      },
    ]);
    return { event_id: appended?.eventId };
  });

  // --- State ---------------------------------------------------------------------------------------------------

  const putState = async (request: { params: unknown; body: unknown }, me: MatrixPrincipal) => {
    const params = parseMatrix(
      z.object({
        roomId: z.string().min(1).max(255),
        eventType: z.string().min(1).max(255),
        stateKey: z.string().max(255).default(''),
      }),
      request.params,
      'query',
    );
    const content = jsonObjectBody(request.body);
    await requireRoom(params.roomId);
    const [appended] = await deps.rooms.append(params.roomId, [
      { type: params.eventType, stateKey: params.stateKey, sender: me.userId, content },
    ]);
    return { event_id: appended?.eventId };
  };
  const getState = async (params: unknown, me: MatrixPrincipal) => {
    const parsed = parseMatrix(
      z.object({
        roomId: z.string().min(1).max(255),
        eventType: z.string().min(1).max(255),
        stateKey: z.string().max(255).default(''),
      }),
      params,
      'query',
    );
    const visibility = await visibilityFor(me, parsed.roomId);
    let query = tables()
      .selectFrom('chat_events')
      .select(['json', 'stream_ordering'])
      .where('room_id', '=', parsed.roomId)
      .where('type', '=', parsed.eventType)
      .where('state_key', '=', parsed.stateKey);
    // A user who left sees the state as it was when they left.
    if (!visibility.isJoined) query = query.where('stream_ordering', '<=', visibility.visibleUpTo);
    const row = await query.orderBy('stream_ordering', 'desc').limit(1).executeTakeFirst();
    if (!row) throw matrixError('M_NOT_FOUND', { what: `state ${parsed.eventType}` });
    return (JSON.parse(row.json) as { content: unknown }).content;
  };
  for (const path of [
    `${c}/v3/rooms/:roomId/state/:eventType`,
    `${c}/v3/rooms/:roomId/state/:eventType/`,
    `${c}/v3/rooms/:roomId/state/:eventType/:stateKey`,
  ]) {
    http.put(path, hidden, async (request) => putState(request, await deps.authenticate(request)));
    http.get(path, hidden, async (request) => getState(request.params, await deps.authenticate(request)));
  }

  http.get(`${c}/v3/rooms/:roomId/state`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const visibility = await visibilityFor(me, roomId);
    const rows = visibility.isJoined
      ? await tables()
          .selectFrom('chat_current_state as s')
          .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
          .select(clientEventColumns.map((column) => `e.${column}` as const))
          .where('s.room_id', '=', roomId)
          .orderBy('s.stream_ordering')
          .execute()
      : await stateAt(roomId, visibility.visibleUpTo);
    return deps.formatter.format(deps.database.executor, rows, { userId: me.userId, deviceId: me.deviceId });
  });

  /** The room state at a stream position (the latest event of each key up to it). */
  async function stateAt(roomId: string, upTo: number): Promise<EventRowForClient[]> {
    const rows = await tables()
      .selectFrom('chat_events')
      .select(clientEventColumns)
      .where('room_id', '=', roomId)
      .where('state_key', 'is not', null)
      .where('stream_ordering', '<=', upTo)
      .orderBy('stream_ordering')
      .execute();
    const latest = new Map<string, EventRowForClient>();
    for (const row of rows) latest.set(`${row.type}\u0000${row.state_key ?? ''}`, row);
    return [...latest.values()];
  }

  // --- Members -------------------------------------------------------------------------------------------------

  http.get(`${c}/v3/rooms/:roomId/members`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const query = parseMatrix(
      z.object({
        at: z.string().max(64).optional(),
        membership: z.enum(['join', 'invite', 'knock', 'leave', 'ban']).optional(),
        not_membership: z.enum(['join', 'invite', 'knock', 'leave', 'ban']).optional(),
      }),
      request.query,
      'query',
    );
    const visibility = await visibilityFor(me, roomId);
    const upTo = Math.min(
      query.at !== undefined ? parsePaginationToken(query.at) : Number.MAX_SAFE_INTEGER,
      visibility.visibleUpTo,
    );
    const all = await stateAt(roomId, upTo);
    const members = all
      .filter((row) => row.type === 'm.room.member')
      .filter((row) => {
        const membership = (JSON.parse(row.json) as { content: { membership?: unknown } }).content.membership;
        if (query.membership && membership !== query.membership) return false;
        if (query.not_membership && membership === query.not_membership) return false;
        return true;
      });
    return {
      chunk: await deps.formatter.format(deps.database.executor, members, { userId: me.userId, deviceId: me.deviceId }),
    };
  });

  http.get(`${c}/v3/rooms/:roomId/joined_members`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const visibility = await visibilityFor(me, roomId);
    if (!visibility.isJoined) throw matrixError('M_FORBIDDEN', { reason: 'you are not joined to this room' });
    const rows = await tables()
      .selectFrom('chat_current_state as s')
      .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
      .select(['s.state_key', 'e.json'])
      .where('s.room_id', '=', roomId)
      .where('s.type', '=', 'm.room.member')
      .where('s.membership', '=', 'join')
      .execute();
    const joined: Record<string, unknown> = {};
    for (const row of rows) {
      const content = (JSON.parse(row.json) as { content: Record<string, unknown> }).content;
      joined[row.state_key] = {
        ...(typeof content['displayname'] === 'string' ? { display_name: content['displayname'] } : {}),
        ...(typeof content['avatar_url'] === 'string' ? { avatar_url: content['avatar_url'] } : {}),
      };
    }
    return { joined };
  });

  // --- History -------------------------------------------------------------------------------------------------

  http.get(`${c}/v3/rooms/:roomId/messages`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const query = parseMatrix(
      z.object({
        from: z.string().max(64).optional(),
        to: z.string().max(64).optional(),
        dir: z.enum(['b', 'f']),
        limit: queryInteger(0, 1000).optional(),
        filter: z.string().max(8192).optional(),
      }),
      request.query,
      'query',
    );
    const filter = filterOf(query.filter);
    const visibility = await visibilityFor(me, roomId);
    const limit = Math.min(query.limit ?? 10, 100);
    const backwards = query.dir === 'b';
    const from = query.from !== undefined ? parsePaginationToken(query.from) : backwards ? Number.MAX_SAFE_INTEGER : 0;
    const to = query.to !== undefined ? parsePaginationToken(query.to) : undefined;
    const chunk: EventRowForClient[] = [];
    let cursor = from;
    let reachedEnd = false;
    // Reads in batches until the page is full of events the user may see and the filter keeps.
    while (chunk.length < limit && !reachedEnd) {
      let batch = tables().selectFrom('chat_events').select(clientEventColumns).where('room_id', '=', roomId);
      batch = backwards ? batch.where('stream_ordering', '<=', cursor) : batch.where('stream_ordering', '>', cursor);
      if (to !== undefined)
        batch = backwards ? batch.where('stream_ordering', '>', to) : batch.where('stream_ordering', '<=', to);
      const batchSize = Math.max(limit * 2, 20);
      const rows = await batch
        .orderBy('stream_ordering', backwards ? 'desc' : 'asc')
        .limit(batchSize)
        .execute();
      let consumedAll = true;
      for (const [index, row] of rows.entries()) {
        const stream = Number(row.stream_ordering);
        cursor = backwards ? stream - 1 : stream;
        if (!visibility.canSee(stream) || !passesEventFilter(filter, row.type, row.sender)) continue;
        chunk.push(row);
        if (chunk.length >= limit) {
          consumedAll = index === rows.length - 1;
          break;
        }
      }
      if (rows.length < batchSize && consumedAll) reachedEnd = true;
    }
    const viewer = { userId: me.userId, deviceId: me.deviceId };
    const events = await deps.formatter.format(deps.database.executor, chunk, viewer);
    const response: Record<string, unknown> = {
      chunk: events,
      start: query.from ?? formatPaginationToken(backwards ? await lastPosition(roomId) : 0),
    };
    // No `end` once the start (or end) of the room is reached: clients stop paginating.
    if (!reachedEnd) response['end'] = formatPaginationToken(cursor);
    if (filter?.lazy_load_members) {
      const senders = new Set(chunk.map((row) => row.sender));
      const members = (await stateAt(roomId, visibility.visibleUpTo)).filter(
        (row) => row.type === 'm.room.member' && senders.has(row.state_key ?? ''),
      );
      response['state'] = await deps.formatter.format(deps.database.executor, members, viewer);
    }
    return response;
  });

  async function lastPosition(roomId: string): Promise<number> {
    const head = await requireRoom(roomId);
    return head.lastStream;
  }

  async function visibleEvent(me: MatrixPrincipal, roomId: string, eventId: string) {
    const visibility = await visibilityFor(me, roomId);
    const row = await tables()
      .selectFrom('chat_events')
      .select(clientEventColumns)
      .where('event_id', '=', eventId)
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    if (!row || !visibility.canSee(Number(row.stream_ordering))) throw matrixError('M_NOT_FOUND', { what: eventId });
    return { row, visibility };
  }

  http.get(`${c}/v3/rooms/:roomId/event/:eventId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(
      z.object({ roomId: z.string().max(255), eventId: z.string().max(255) }),
      request.params,
      'query',
    );
    const { row } = await visibleEvent(me, params.roomId, params.eventId);
    const [event] = await deps.formatter.format(deps.database.executor, [row], {
      userId: me.userId,
      deviceId: me.deviceId,
    });
    return event;
  });

  http.get(`${c}/v3/rooms/:roomId/context/:eventId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(
      z.object({ roomId: z.string().max(255), eventId: z.string().max(255) }),
      request.params,
      'query',
    );
    const query = parseMatrix(
      z.object({ limit: queryInteger(0, 1000).optional(), filter: z.string().max(8192).optional() }),
      request.query,
      'query',
    );
    const filter = filterOf(query.filter);
    const { row, visibility } = await visibleEvent(me, params.roomId, params.eventId);
    const limit = Math.min(query.limit ?? 10, 100);
    const half = Math.ceil(limit / 2);
    const stream = Number(row.stream_ordering);
    const around = async (backwards: boolean) => {
      const rows = await tables()
        .selectFrom('chat_events')
        .select(clientEventColumns)
        .where('room_id', '=', params.roomId)
        .where('stream_ordering', backwards ? '<' : '>', stream)
        .orderBy('stream_ordering', backwards ? 'desc' : 'asc')
        .limit(half * 3)
        .execute();
      return rows
        .filter((candidate) => visibility.canSee(Number(candidate.stream_ordering)))
        .filter((candidate) => passesEventFilter(filter, candidate.type, candidate.sender))
        .slice(0, backwards ? half : limit - half);
    };
    const before = await around(true);
    const after = await around(false);
    const viewer = { userId: me.userId, deviceId: me.deviceId };
    const lastAfter = after.at(-1);
    const lastBefore = before.at(-1);
    const stateUpTo = Math.min(lastAfter ? Number(lastAfter.stream_ordering) : stream, visibility.visibleUpTo);
    let state = await stateAt(params.roomId, stateUpTo);
    if (filter?.lazy_load_members) {
      const senders = new Set([row, ...before, ...after].map((event) => event.sender));
      state = state.filter((event) => event.type !== 'm.room.member' || senders.has(event.state_key ?? ''));
    }
    return {
      event: (await deps.formatter.format(deps.database.executor, [row], viewer))[0],
      events_before: await deps.formatter.format(deps.database.executor, before, viewer),
      events_after: await deps.formatter.format(deps.database.executor, after, viewer),
      start: formatPaginationToken(lastBefore ? Number(lastBefore.stream_ordering) - 1 : stream - 1),
      end: formatPaginationToken(lastAfter ? Number(lastAfter.stream_ordering) : stream),
      state: await deps.formatter.format(deps.database.executor, state, viewer),
    };
  });

  // --- Typing, receipts, read markers --------------------------------------------------------------------------

  http.put(`${c}/v3/rooms/:roomId/typing/:userId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(typingParams, request.params, 'query');
    if (params.userId !== me.userId)
      throw matrixError('M_FORBIDDEN', { reason: 'you can only set your own typing state' });
    const body = parseMatrix(typingBody, request.body);
    await requireRoom(params.roomId);
    if ((await currentMembership(params.roomId, me.userId)) !== 'join') {
      throw matrixError('M_FORBIDDEN', { reason: 'you are not joined to this room' });
    }
    deps.typing.set(params.roomId, me.userId, body.typing, Math.min(body.timeout ?? 30_000, 120_000));
    return {};
  });

  async function setReceipt(
    me: MatrixPrincipal,
    roomId: string,
    receiptType: string,
    eventId: string,
    threadId: string,
  ) {
    const event = await tables()
      .selectFrom('chat_events')
      .select(['stream_ordering'])
      .where('event_id', '=', eventId)
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    if (!event) throw matrixError('M_NOT_FOUND', { what: eventId });
    await deps.database.transaction(async (context) => {
      const executor = context.executor.withTables<ChatTables>();
      const existing = await executor
        .selectFrom('chat_receipts')
        .select('event_stream')
        .where('room_id', '=', roomId)
        .where('matrix_id', '=', me.userId)
        .where('receipt_type', '=', receiptType)
        .where('thread_id', '=', threadId)
        .executeTakeFirst();
      // A receipt never moves backwards.
      if (existing && Number(existing.event_stream) >= Number(event.stream_ordering)) return;
      const position = await deps.notifier.nextPosition(context);
      const values = {
        event_id: eventId,
        event_stream: Number(event.stream_ordering),
        ts: deps.clock.now().getTime(),
        stream_ordering: position,
      };
      await executor
        .insertInto('chat_receipts')
        .values({ room_id: roomId, matrix_id: me.userId, receipt_type: receiptType, thread_id: threadId, ...values })
        .onConflict((conflict) =>
          conflict.columns(['room_id', 'matrix_id', 'receipt_type', 'thread_id']).doUpdateSet(values),
        )
        .execute();
      await deps.push.pruneRead(context.executor, me.userId, roomId, threadId, {
        after: existing ? Number(existing.event_stream) : 0,
        upTo: Number(event.stream_ordering),
      });
      context.afterCommit(() => {
        deps.push.unread.invalidate(me.userId, roomId);
        deps.notifier.notify([roomKey(roomId), roomReceiptsKey(roomId), userKey(me.userId)]);
      });
    });
  }

  async function setFullyRead(me: MatrixPrincipal, roomId: string, eventId: string) {
    await deps.database.transaction(async (context) => {
      const position = await deps.notifier.nextPosition(context);
      const content = JSON.stringify({ event_id: eventId });
      await context.executor
        .withTables<ChatTables>()
        .insertInto('chat_account_data')
        .values({ matrix_id: me.userId, room_id: roomId, type: 'm.fully_read', content, stream_ordering: position })
        .onConflict((conflict) =>
          conflict.columns(['matrix_id', 'room_id', 'type']).doUpdateSet({ content, stream_ordering: position }),
        )
        .execute();
      context.afterCommit(() => deps.notifier.notify([userKey(me.userId)]));
    });
  }

  http.post(`${c}/v3/rooms/:roomId/receipt/:receiptType/:eventId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(receiptParams, request.params, 'query');
    const body = parseMatrix(receiptBody, request.body ?? {});
    await requireRoom(params.roomId);
    if ((await currentMembership(params.roomId, me.userId)) !== 'join') {
      throw matrixError('M_FORBIDDEN', { reason: 'you are not joined to this room' });
    }
    if (params.receiptType === 'm.fully_read') {
      if (body.thread_id !== undefined) throw matrixError('M_INVALID_PARAM', { reason: 'm.fully_read has no thread' });
      await setFullyRead(me, params.roomId, params.eventId);
      return {};
    }
    await setReceipt(me, params.roomId, params.receiptType, params.eventId, body.thread_id ?? '');
    return {};
  });

  http.post(`${c}/v3/rooms/:roomId/read_markers`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { roomId } = parseMatrix(roomParams, request.params, 'query');
    const body = parseMatrix(
      z.object({
        'm.fully_read': z.string().max(255).optional(),
        'm.read': z.string().max(255).optional(),
        'm.read.private': z.string().max(255).optional(),
      }),
      request.body ?? {},
    );
    await requireRoom(roomId);
    if ((await currentMembership(roomId, me.userId)) !== 'join') {
      throw matrixError('M_FORBIDDEN', { reason: 'you are not joined to this room' });
    }
    if (body['m.fully_read']) await setFullyRead(me, roomId, body['m.fully_read']);
    if (body['m.read']) await setReceipt(me, roomId, 'm.read', body['m.read'], '');
    if (body['m.read.private']) await setReceipt(me, roomId, 'm.read.private', body['m.read.private'], '');
    return {};
  });
}
