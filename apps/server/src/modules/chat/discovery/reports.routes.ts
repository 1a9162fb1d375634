import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { MatrixPrincipal } from '../accounts.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { matrixError } from '../matrix-errors.ts';
import { parseMatrix } from '../matrix-validation.ts';
import { isValidUserId } from '../protocol/index.ts';
import { RoomVisibility } from '../room-access.ts';
import type { DiscoveryTables } from './discovery.tables.ts';
import { actorOf } from './room-directory.routes.ts';

const c = '/_matrix/client';
const hidden = { schema: { hide: true } } as const;

const reasonBody = z.object({ reason: z.string().max(4096).optional(), score: z.number().int().optional() }).loose();

/**
 * Content reports (`POST /v3/rooms/{roomId}/report/{eventId}`, `/v3/rooms/{roomId}/report`,
 * `/v3/users/{userId}/report`): stored in `chat_reports` for the instance's moderators and recorded in
 * the audit log (`chat.content.reported`). An event can only be reported by a member of its room who can
 * see it (404 otherwise, as the specification allows).
 */
export function registerReportRoutes(http: HttpServer, context: ChatFeatureContext): void {
  const tables = () => context.database.executor.withTables<DiscoveryTables>();

  async function store(
    me: MatrixPrincipal,
    request: FastifyRequest,
    report: { roomId: string | null; eventId: string | null; reportedUser: string | null; reason: string | null },
  ) {
    const id = context.newId();
    await context.database.transaction(async (transaction) => {
      await transaction.executor
        .withTables<DiscoveryTables>()
        .insertInto('chat_reports')
        .values({
          id,
          reporter: me.userId,
          room_id: report.roomId,
          event_id: report.eventId,
          reported_user: report.reportedUser,
          reason: report.reason,
          created_at: context.clock.now().toISOString(),
        })
        .execute();
      await context.audit.record(
        {
          action: 'chat.content.reported',
          outcome: 'success',
          actor: actorOf(me, request),
          target: report.eventId
            ? { type: 'chat.event', id: report.eventId }
            : report.roomId
              ? { type: 'chat.room', id: report.roomId }
              : { type: 'chat.user', id: report.reportedUser ?? '' },
          details: {
            reportId: id,
            ...(report.roomId ? { roomId: report.roomId } : {}),
            ...(report.reportedUser ? { reportedUser: report.reportedUser } : {}),
            ...(report.reason ? { reason: report.reason.slice(0, 1000) } : {}),
          },
        },
        { context: transaction },
      );
    });
    return {};
  }

  http.post(`${c}/v3/rooms/:roomId/report/:eventId`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const params = parseMatrix(
      z.object({ roomId: z.string().min(1).max(255), eventId: z.string().min(1).max(255) }),
      request.params,
      'query',
    );
    const body = parseMatrix(reasonBody, request.body ?? {});
    const event = await tables()
      .selectFrom('chat_events')
      .select(['stream_ordering', 'redacted_by'])
      .where('event_id', '=', params.eventId)
      .where('room_id', '=', params.roomId)
      .executeTakeFirst();
    const visibility = event
      ? await RoomVisibility.load(context.database.executor, params.roomId, me.userId)
      : undefined;
    if (!event || !visibility?.isJoined || !visibility.canSee(Number(event.stream_ordering))) {
      throw matrixError('M_NOT_FOUND', { what: params.eventId });
    }
    return store(me, request, {
      roomId: params.roomId,
      eventId: params.eventId,
      reportedUser: null,
      reason: body.reason ?? null,
    });
  });

  http.post(`${c}/v3/rooms/:roomId/report`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const { roomId } = parseMatrix(z.object({ roomId: z.string().min(1).max(255) }), request.params, 'query');
    const body = parseMatrix(reasonBody, request.body ?? {});
    if (!(await context.rooms.loadHead(roomId))) throw matrixError('M_NOT_FOUND', { what: roomId });
    return store(me, request, { roomId, eventId: null, reportedUser: null, reason: body.reason ?? null });
  });

  http.post(`${c}/v3/users/:userId/report`, hidden, async (request) => {
    const me = await context.authenticate(request);
    const { userId } = parseMatrix(z.object({ userId: z.string().min(1).max(255) }), request.params, 'query');
    const body = parseMatrix(reasonBody, request.body ?? {});
    if (!isValidUserId(userId)) throw matrixError('M_INVALID_PARAM', { reason: 'invalid user ID' });
    if (!(await context.accounts.accountOfMatrixId(userId))) throw matrixError('M_NOT_FOUND', { what: userId });
    return store(me, request, { roomId: null, eventId: null, reportedUser: userId, reason: body.reason ?? null });
  });
}
