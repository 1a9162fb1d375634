import type { AuditActor } from '../../../platform/audit/audit-log.ts';
import type { ResourceRef } from '../../../platform/authz/index.ts';
import type { Executor, TransactionContext } from '../../../platform/db/database.ts';
import { AppError } from '../../../platform/errors.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { powerLevelOf, requiredPowerLevel, type AuthState, type BuildableRoomVersion } from '../protocol/index.ts';
import type { AppendedEvent, RoomHead } from '../room-engine.ts';
import type { IntegrationTables } from './integration.tables.ts';
import type { People } from './people.ts';
import { administratorLevel } from './policies/access-rules.ts';
import { membershipOf, readRoomState, roomMembers, stateTypes } from './room-state.ts';

/** Rooms in the platform's permission model: one resource per room, read by its joined members. */
export const roomResourceType = 'chat.room';

export type RoomRole = 'member' | 'admin';

/** The power level from which a member administers the room's resource (and so changes its label). */
export function administrationLevel(state: AuthState): number {
  return Math.max(administratorLevel, requiredPowerLevel(stateTypes.sensitivity, true, state));
}

/** The role on the room's resource of a joined member with this state (create and power levels). */
export function roomRoleOf(userId: string, state: AuthState, roomVersion: BuildableRoomVersion): RoomRole {
  return powerLevelOf(userId, state, roomVersion) >= administrationLevel(state) ? 'admin' : 'member';
}

const roleState: ReadonlyArray<readonly [string, string]> = [
  [stateTypes.create, ''],
  [stateTypes.powerLevels, ''],
];

/**
 * Each room is a `chat.room` resource of the permission model, registered with its creator's organisation
 * (whose default sensitivity label it takes) in the transaction that creates the room, so that no room ever
 * exists without one. Its grants follow membership in the transaction of each membership event: a user
 * who joins gets `member` (or `admin` with the power to change the room's label), one who leaves, is
 * kicked or banned loses it. Search, notifications and Albert, which ask the permission model, therefore
 * see exactly what a joined member sees.
 */
export function createRoomResources(context: ChatFeatureContext, people: People) {
  const { authz } = context;
  const tables = (executor: Executor = context.database.executor) =>
    executor.withTables<IntegrationTables & ChatTables>();

  authz.defineResourceType({
    type: roomResourceType,
    roles: ['member', 'admin'],
    actions: { read: 'member', post: 'member', administer: 'admin' },
    labelRaise: 'administer',
    labelLower: 'administer',
  });

  async function resourceOf(roomId: string, executor?: Executor): Promise<ResourceRef | undefined> {
    const row = await tables(executor)
      .selectFrom('chat_rooms')
      .select('resource_id')
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    return row?.resource_id ? { type: roomResourceType, id: row.resource_id } : undefined;
  }

  async function actorOf(executor: Executor, matrixId: string): Promise<AuditActor> {
    const person = await people.personOf(executor, matrixId);
    return person ? { userId: person.userId, label: matrixId } : { system: true, label: 'chat' };
  }

  /**
   * What a replacement room (an upgrade: `predecessor` in its create event) keeps of the room it replaces:
   * its label and organisation — the same conversation goes on. Only when its creator is joined there, so
   * that nobody copies the label of a room they are not in.
   */
  async function carriedFrom(transaction: TransactionContext, creator: string, createContent: Record<string, unknown>) {
    const predecessor = createContent['predecessor'];
    const predecessorId =
      typeof predecessor === 'object' && predecessor !== null
        ? (predecessor as Record<string, unknown>)['room_id']
        : undefined;
    if (typeof predecessorId !== 'string') return undefined;
    const membership = await readRoomState(transaction.executor, predecessorId, [[stateTypes.member, creator]]);
    if (membershipOf(membership.content(stateTypes.member, creator)) !== 'join') return undefined;
    const resource = await resourceOf(predecessorId, transaction.executor);
    const registered = resource && (await authz.getResource(resource, { context: transaction }));
    if (!resource || !registered) return undefined;
    const label = await authz.effectiveLabel(resource, { context: transaction });
    return { roomId: predecessorId, label, organisationId: registered.organisationId };
  }

  async function register(
    transaction: TransactionContext,
    roomId: string,
    creator: string,
    createContent: Record<string, unknown> = {},
  ): Promise<ResourceRef> {
    const person = await people.personOf(transaction.executor, creator);
    const carried = await carriedFrom(transaction, creator, createContent);
    const resource = { type: roomResourceType, id: context.newId() };
    await authz.registerResource(
      carried
        ? { ...resource, organisationId: carried.organisationId, defaultLabel: carried.label }
        : { ...resource, organisationId: person?.organisationId ?? null },
      { context: transaction },
    );
    if (carried) {
      await context.audit.record(
        {
          action: 'chat.room.label_carried',
          outcome: 'success',
          actor: await actorOf(transaction.executor, creator),
          target: resource,
          organisationId: carried.organisationId,
          details: { predecessor: carried.roomId, roomId, label: carried.label },
        },
        { context: transaction },
      );
    }
    await tables(transaction.executor)
      .updateTable('chat_rooms')
      .set({ resource_id: resource.id })
      .where('room_id', '=', roomId)
      .execute();
    return resource;
  }

  async function grantMember(
    transaction: TransactionContext,
    input: { roomId: string; resource: ResourceRef; matrixId: string; role: RoomRole; actor: AuditActor },
  ): Promise<void> {
    const person = await people.personOf(transaction.executor, input.matrixId);
    if (!person) return;
    const grant = await authz.grant(
      { resource: input.resource, principal: { kind: 'user', id: person.userId }, role: input.role },
      { actor: input.actor, context: transaction },
    );
    const values = { user_id: person.userId, grant_id: grant.id, role: input.role };
    await tables(transaction.executor)
      .insertInto('chat_integration_room_grants')
      .values({ room_id: input.roomId, matrix_id: input.matrixId, ...values })
      .onConflict((conflict) => conflict.columns(['room_id', 'matrix_id']).doUpdateSet(values))
      .execute();
  }

  async function revokeMember(transaction: TransactionContext, roomId: string, matrixId: string, actor: AuditActor) {
    const row = await tables(transaction.executor)
      .selectFrom('chat_integration_room_grants')
      .select('grant_id')
      .where('room_id', '=', roomId)
      .where('matrix_id', '=', matrixId)
      .executeTakeFirst();
    if (!row) return;
    try {
      await authz.revoke(row.grant_id, { actor, context: transaction });
    } catch (error) {
      // Revoked by someone else already: the membership still ends here.
      if (!(error instanceof AppError && error.code === 'AUTHZ_GRANT_NOT_FOUND')) throw error;
    }
    await tables(transaction.executor)
      .deleteFrom('chat_integration_room_grants')
      .where('room_id', '=', roomId)
      .where('matrix_id', '=', matrixId)
      .execute();
  }

  /** After a power levels change: each joined member's role follows their new level. */
  async function syncRoles(transaction: TransactionContext, room: RoomHead, resource: ResourceRef, actor: AuditActor) {
    const state = await readRoomState(transaction.executor, room.roomId, roleState);
    const rows = await tables(transaction.executor)
      .selectFrom('chat_integration_room_grants')
      .select(['matrix_id', 'role'])
      .where('room_id', '=', room.roomId)
      .execute();
    for (const row of rows) {
      const role = roomRoleOf(row.matrix_id, state, room.roomVersion);
      if (role !== row.role) {
        await grantMember(transaction, { roomId: room.roomId, resource, matrixId: row.matrix_id, role, actor });
      }
    }
  }

  /** The append hook: registration at the room's creation, grants at each membership or power change. */
  async function onAppend(transaction: TransactionContext, room: RoomHead, event: AppendedEvent): Promise<void> {
    if (event.type === stateTypes.create) {
      await register(transaction, room.roomId, event.sender, event.pdu.content);
      return;
    }
    if (event.stateKey === undefined) return;
    if (event.type !== stateTypes.member && !(event.type === stateTypes.powerLevels && event.stateKey === '')) return;
    const resource = await resourceOf(room.roomId, transaction.executor);
    if (!resource) return;
    const actor = await actorOf(transaction.executor, event.sender);
    if (event.type === stateTypes.powerLevels) {
      await syncRoles(transaction, room, resource, actor);
      return;
    }
    const membership = membershipOf(event.pdu.content);
    const previous = membershipOf(event.replacesState?.content);
    if (membership === 'join' && previous !== 'join') {
      const state = await readRoomState(transaction.executor, room.roomId, roleState);
      const role = roomRoleOf(event.stateKey, state, room.roomVersion);
      await grantMember(transaction, { roomId: room.roomId, resource, matrixId: event.stateKey, role, actor });
    } else if (previous === 'join' && membership !== 'join') {
      await revokeMember(transaction, room.roomId, event.stateKey, actor);
    }
  }

  /**
   * Rooms created before this feature: registered with their creator's organisation, joined members
   * granted. Returns how many were registered (a room that fails is logged and left for the next start).
   */
  async function registerMissing(limit: number): Promise<number> {
    const rooms = await tables()
      .selectFrom('chat_rooms')
      .select(['room_id', 'creator'])
      .where('resource_id', 'is', null)
      .where('last_event_id', '!=', '')
      .limit(limit)
      .execute();
    let registered = 0;
    for (const row of rooms) {
      try {
        await registerExisting(row);
        registered += 1;
      } catch (error) {
        context.logger.error({ err: error, roomId: row.room_id }, 'chat: room not registered in the permission model');
      }
    }
    return registered;
  }

  async function registerExisting(row: { room_id: string; creator: string }): Promise<void> {
    await context.database.transaction(async (transaction) => {
      const head = await context.rooms.loadHead(row.room_id, transaction.executor);
      if (!head) return;
      const resource = await register(transaction, row.room_id, row.creator);
      const state = await readRoomState(transaction.executor, row.room_id, roleState);
      const actor: AuditActor = { system: true, label: 'chat' };
      for (const member of await roomMembers(transaction.executor, row.room_id, ['join'])) {
        const role = roomRoleOf(member.userId, state, head.roomVersion);
        await grantMember(transaction, { roomId: row.room_id, resource, matrixId: member.userId, role, actor });
      }
    });
  }

  return { resourceOf, onAppend, registerMissing };
}

export type RoomResources = ReturnType<typeof createRoomResources>;
