import type { FastifyRequest } from 'fastify';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { powerLevelOf, type CanonicalJsonObject } from '../protocol/index.ts';
import type { People } from './people.ts';
import { administratorLevel } from './policies/access-rules.ts';
import { successorsOf } from './policies/last-admin.ts';
import { roomMembers, stateTypes } from './room-state.ts';

const c = '/_matrix/client';
const leaveRoute = `${c}/v3/rooms/:roomId/leave`;
const stateRoute = `${c}/v3/rooms/:roomId/state/:eventType/:stateKey`;

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * Carries out the last-administrator rule (policies/last-admin.ts). The promotion must come before the
 * leave: once gone, the administrator can no longer change power levels, and nobody left has the power to.
 * So when a member asks to leave (`POST /leave`, or their own `m.room.member` state set to `leave`), the
 * power levels change is appended first, sent by the leaving administrator while they still hold their
 * power, then the request goes on to the leave. A failed promotion is logged and does not keep anyone in a
 * room. Kicks and bans need another member with power, so they never remove the last administrator.
 */
export function registerLastAdminHandover(http: HttpServer, context: ChatFeatureContext, people: People): void {
  const { rooms } = context;
  const tables = () => context.database.executor.withTables<ChatTables>();

  function leavingRoom(request: FastifyRequest, me: string): string | undefined {
    const route = request.routeOptions.url;
    const roomId = field(request.params, 'roomId');
    if (typeof roomId !== 'string') return undefined;
    if (request.method === 'POST' && route === leaveRoute) return roomId;
    if (
      request.method === 'PUT' &&
      route === stateRoute &&
      field(request.params, 'eventType') === stateTypes.member &&
      field(request.params, 'stateKey') === me &&
      field(request.body, 'membership') === 'leave'
    ) {
      return roomId;
    }
    return undefined;
  }

  /** Joined members, longest-standing first: by the first join of their current, unbroken membership. */
  async function longestStanding(roomId: string, joined: ReadonlySet<string>): Promise<string[]> {
    const rows = await tables()
      .selectFrom('chat_events')
      .select(['state_key', 'membership', 'stream_ordering'])
      .where('room_id', '=', roomId)
      .where('type', '=', stateTypes.member)
      .orderBy('stream_ordering')
      .execute();
    const since = new Map<string, number>();
    for (const row of rows) {
      if (row.state_key === null || !joined.has(row.state_key)) continue;
      if (row.membership !== 'join') since.delete(row.state_key);
      else if (!since.has(row.state_key)) since.set(row.state_key, Number(row.stream_ordering));
    }
    return [...since.entries()].sort((left, right) => left[1] - right[1]).map(([userId]) => userId);
  }

  async function handOver(roomId: string, leaving: string): Promise<void> {
    const head = await rooms.loadHead(roomId);
    if (!head) return;
    const joined = await roomMembers(context.database.executor, roomId, ['join']);
    if (!joined.some((member) => member.userId === leaving)) return;
    const state = await rooms.readState(roomId, [
      [stateTypes.create, ''],
      [stateTypes.powerLevels, ''],
    ]);
    const powerLevels = state.content(stateTypes.powerLevels);
    if (!powerLevels) return;
    const successors = await successorsOf({
      leaving,
      members: joined.map((member) => ({
        userId: member.userId,
        powerLevel: powerLevelOf(member.userId, state, head.roomVersion),
      })),
      isExternal: (userId) => people.isExternal(context.database.executor, userId),
      longestStanding: () => longestStanding(roomId, new Set(joined.map((member) => member.userId))),
    });
    if (successors.length === 0) return;
    const users = { ...((powerLevels['users'] as Record<string, unknown> | undefined) ?? {}) };
    for (const userId of successors) users[userId] = administratorLevel;
    await rooms.append(roomId, [
      {
        type: stateTypes.powerLevels,
        stateKey: '',
        sender: leaving,
        content: { ...powerLevels, users } as CanonicalJsonObject,
      },
    ]);
    context.logger.info({ roomId, leaving, successors }, 'chat: the last administrator left, successors promoted');
  }

  http.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' && request.method !== 'PUT') return;
    const route = request.routeOptions.url;
    if (route !== leaveRoute && route !== stateRoute) return;
    try {
      const me = await context.authenticate(request);
      const roomId = leavingRoom(request, me.userId);
      if (roomId) await handOver(roomId, me.userId);
    } catch (error) {
      // The leave itself answers for authentication and room errors.
      context.logger.warn({ err: error }, 'chat: last administrator handover not done');
    }
  });
}
