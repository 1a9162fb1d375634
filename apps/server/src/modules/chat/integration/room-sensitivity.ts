import { apiErrorSchema } from '@bureau/contracts';
import { z } from 'zod';
import type { AuditActor } from '../../../platform/audit/audit-log.ts';
import type { Subject } from '../../../platform/authz/index.ts';
import { AppError } from '../../../platform/errors.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import { isSensitivityLevel, sensitivityLevels, type SensitivityLevel } from '../../../platform/sensitivity/index.ts';
import { actorOf, requireScope } from '../../identity/index.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { matrixError } from '../matrix-errors.ts';
import { parseMatrix } from '../matrix-validation.ts';
import { powerLevelOf } from '../protocol/index.ts';
import type { CreateRoomRequest } from '../rooms.routes.ts';
import { chatIntegrationErrors } from './integration.errors.ts';
import { administrationLevel, type RoomResources } from './room-resources.ts';
import { membershipOf, stateTypes } from './room-state.ts';

/**
 * The sensitivity label of a room is the platform's label of its resource (platform/authz), shown in the
 * room as the state event `fr.gouv.bureau.sensitivity` `{ "level": ... }` so that every Matrix client can
 * display it. The state event only ever mirrors the platform's label: it is sent once the label changed
 * through `authz.setLabel` (which checks who may raise or lower it and audits), by the Matrix endpoint
 * `PUT .../state/fr.gouv.bureau.sensitivity` or Bureau's `PUT /api/chat/rooms/:roomId/sensitivity`; any
 * other attempt to send it is refused. Changing it needs power level 100, or the event's own level if higher.
 */
export interface LabelChangeInput {
  readonly roomId: string;
  /** The Matrix user asking, and who they are in Bureau. */
  readonly matrixId: string;
  readonly subject: Subject;
  readonly actor: AuditActor;
  readonly level: SensitivityLevel;
}

const c = '/_matrix/client';
const hidden = { schema: { hide: true } } as const;
const levelBody = z.object({ level: z.enum(sensitivityLevels) });

/** A subject for the room's resource: its grants are always to users, so the user is all it needs. */
export function roomSubject(userId: string, kind: string): Subject {
  return { userId, kind: kind === 'agent' ? 'agent' : 'external', groupIds: [], organisationPath: [] };
}

/** createRoom: the room shows from its first events the label its resource gets (its creator's organisation's). */
export function withSensitivityState(request: CreateRoomRequest, level: SensitivityLevel): void {
  const initialState = request.initial_state ?? [];
  if (initialState.some((event) => event.type === stateTypes.sensitivity && event.state_key === '')) return;
  request.initial_state = [...initialState, { type: stateTypes.sensitivity, state_key: '', content: { level } }];
}

export function createRoomSensitivity(context: ChatFeatureContext, resources: RoomResources) {
  const { authz, rooms } = context;

  // The state event must state the platform's label, and only administrators send it (the stricter of this
  // and the power levels wins).
  rooms.addPolicy(async (room, event, state, transaction) => {
    if (event.type === 'm.room.redaction') {
      const current = await rooms.readState(room.roomId, [[stateTypes.sensitivity, '']], transaction.executor);
      if (event.content['redacts'] === current.get(stateTypes.sensitivity, '')?.event_id) {
        throw matrixError('M_FORBIDDEN', { reason: 'the sensitivity label of a room cannot be redacted' });
      }
      return;
    }
    if (event.type !== stateTypes.sensitivity) return;
    if (event.stateKey !== '') {
      throw matrixError('M_FORBIDDEN', { reason: `${stateTypes.sensitivity} has an empty state key` });
    }
    const level = event.content['level'];
    if (!isSensitivityLevel(level)) {
      throw matrixError('M_FORBIDDEN', { reason: `level must be one of ${sensitivityLevels.join(', ')}` });
    }
    if (powerLevelOf(event.sender, state, room.roomVersion) < administrationLevel(state)) {
      throw matrixError('M_FORBIDDEN', { reason: 'only the room’s administrators may change its sensitivity label' });
    }
    const resource = await resources.resourceOf(room.roomId, transaction.executor);
    if (!resource) throw matrixError('M_FORBIDDEN', { reason: 'the room has no sensitivity label' });
    const current = await authz.effectiveLabel(resource, { context: transaction });
    if (current !== level) {
      throw matrixError('M_FORBIDDEN', {
        reason: `the room is labelled ${current}; its label is changed through Bureau (PUT /state/${stateTypes.sensitivity} or the room's settings)`,
      });
    }
  });

  async function requireJoinedRoom(roomId: string, matrixId: string) {
    const resource = await resources.resourceOf(roomId);
    const head = await rooms.loadHead(roomId);
    if (!resource || !head) throw chatIntegrationErrors.create('CHAT_ROOM_NOT_FOUND');
    const state = await rooms.readState(roomId, [
      [stateTypes.create, ''],
      [stateTypes.powerLevels, ''],
      [stateTypes.member, matrixId],
      [stateTypes.sensitivity, ''],
    ]);
    if (membershipOf(state.content(stateTypes.member, matrixId)) !== 'join') {
      throw chatIntegrationErrors.create('CHAT_ROOM_NOT_FOUND');
    }
    const isAdministrator = powerLevelOf(matrixId, state, head.roomVersion) >= administrationLevel(state);
    return { resource, state, isAdministrator };
  }

  /** The room's label as its member sees it, and whether they may change it. */
  async function describe(roomId: string, matrixId: string) {
    const { resource, isAdministrator } = await requireJoinedRoom(roomId, matrixId);
    return { roomId, level: await authz.effectiveLabel(resource), canChange: isAdministrator };
  }

  /**
   * Changes the platform's label (setLabel: rights and audit), then sends the state event that shows it.
   * Should sending fail (the member lost their power meanwhile), the label is put back.
   */
  async function change(input: LabelChangeInput): Promise<{ level: SensitivityLevel; eventId: string | undefined }> {
    const { resource, state, isAdministrator } = await requireJoinedRoom(input.roomId, input.matrixId);
    if (!isAdministrator) throw chatIntegrationErrors.create('CHAT_ROOM_LABEL_FORBIDDEN');
    const before = await authz.effectiveLabel(resource);
    if (before !== input.level) {
      try {
        await authz.setLabel(input.subject, resource, input.level, { actor: input.actor });
      } catch (error) {
        if (error instanceof AppError && error.code === 'AUTHZ_FORBIDDEN') {
          throw chatIntegrationErrors.create('CHAT_ROOM_LABEL_FORBIDDEN');
        }
        if (error instanceof AppError && error.code === 'AUTHZ_NOT_FOUND') {
          throw chatIntegrationErrors.create('CHAT_ROOM_NOT_FOUND');
        }
        throw error;
      }
    }
    if (state.content(stateTypes.sensitivity)?.['level'] === input.level)
      return { level: input.level, eventId: undefined };
    try {
      const [appended] = await rooms.append(input.roomId, [
        { type: stateTypes.sensitivity, stateKey: '', sender: input.matrixId, content: { level: input.level } },
      ]);
      return { level: input.level, eventId: appended?.eventId };
    } catch (error) {
      if (before !== input.level) {
        await authz.setLabel(input.subject, resource, before, { actor: input.actor }).catch((revertError: unknown) => {
          context.logger.error(
            { err: revertError, roomId: input.roomId },
            'chat: the room label changed but its state event was refused, and the label could not be put back',
          );
        });
      }
      throw error;
    }
  }

  function registerRoutes(http: HttpServer): void {
    // Matrix clients: sending the state event changes the platform label first. These static paths take
    // precedence over the generic state routes of rooms.routes.ts.
    for (const path of [
      `${c}/v3/rooms/:roomId/state/${stateTypes.sensitivity}`,
      `${c}/v3/rooms/:roomId/state/${stateTypes.sensitivity}/`,
    ]) {
      http.put(path, hidden, async (request) => {
        const me = await context.authenticate(request);
        const { roomId } = parseMatrix(z.object({ roomId: z.string().min(1).max(255) }), request.params, 'query');
        const { level } = parseMatrix(levelBody, request.body);
        const user = await context.identity.getUser(me.account.user_id);
        if (!user) throw matrixError('M_FORBIDDEN', { reason: 'unknown user' });
        const changed = await change({
          roomId,
          matrixId: me.userId,
          subject: roomSubject(user.id, user.kind),
          actor: {
            userId: user.id,
            label: user.email,
            ip: request.ip,
            userAgent: request.headers['user-agent'] ?? null,
          },
          level,
        });
        if (changed.eventId !== undefined) return { event_id: changed.eventId };
        const state = await rooms.readState(roomId, [[stateTypes.sensitivity, '']]);
        return { event_id: state.get(stateTypes.sensitivity, '')?.event_id };
      });
    }

    const params = z.object({ roomId: z.string().min(1).max(255) });
    const answer = z.object({ roomId: z.string(), level: z.enum(sensitivityLevels), canChange: z.boolean() });
    const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema };

    async function matrixIdOf(userId: string): Promise<string> {
      const account = await context.accounts.accountOfUser(userId);
      if (!account) throw chatIntegrationErrors.create('CHAT_ROOM_NOT_FOUND');
      return account.matrix_id;
    }

    http.get(
      '/api/chat/rooms/:roomId/sensitivity',
      {
        schema: {
          tags: ['chat'],
          summary: 'The sensitivity level of a room the user is a member of, and whether they may change it.',
          params,
          response: { 200: answer, ...errors },
        },
      },
      async (request) => {
        const { user } = requireScope(request, 'chat');
        return describe(request.params.roomId, await matrixIdOf(user.id));
      },
    );

    http.put(
      '/api/chat/rooms/:roomId/sensitivity',
      {
        schema: {
          tags: ['chat'],
          summary: 'Changes the sensitivity level of a room (its administrators); shown in the room as a state event.',
          params,
          body: levelBody,
          response: { 200: answer, ...errors },
        },
      },
      async (request) => {
        const { user } = requireScope(request, 'chat');
        const matrixId = await matrixIdOf(user.id);
        try {
          await change({
            roomId: request.params.roomId,
            matrixId,
            subject: roomSubject(user.id, user.kind),
            actor: actorOf(request),
            level: request.body.level,
          });
        } catch (error) {
          // The room's own rules refused the state event: a Bureau error, not a Matrix one.
          if (error instanceof AppError && error.code === 'M_FORBIDDEN') {
            throw chatIntegrationErrors.create('CHAT_ROOM_LABEL_REFUSED', {
              reason: String(error.details?.['reason']),
            });
          }
          throw error;
        }
        return describe(request.params.roomId, matrixId);
      },
    );
  }

  return { change, describe, registerRoutes };
}
