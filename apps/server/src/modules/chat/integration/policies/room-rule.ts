import type { Executor } from '../../../../platform/db/database.ts';
import { matrixError } from '../../matrix-errors.ts';
import { powerLevelOf, type BuildableRoomVersion } from '../../protocol/index.ts';
import type { NewEvent, RoomEngine, RoomHead } from '../../room-engine.ts';
import { readRoomState, roomMembers, stateTypes, type RoomState } from '../room-state.ts';

/** An event a client (or Bureau) wants appended, as the rules see it. */
export interface ProposedEvent {
  readonly type: string;
  /** Present on state events. */
  readonly stateKey?: string | undefined;
  readonly sender: string;
  readonly content: Readonly<Record<string, unknown>>;
}

/** What the rules read of the room as it is before the event (and of the people in it). */
export interface RoomFacts {
  readonly roomVersion: BuildableRoomVersion;
  /** The content of a current state event (of `stateKeysOfRules`, and the event's own key). */
  state(type: string, stateKey?: string): Readonly<Record<string, unknown>> | undefined;
  /** The ID of a current state event. */
  stateEventId(type: string, stateKey?: string): string | undefined;
  /** A user's power level (Infinity for the creators of a v12 room). */
  powerLevel(userId: string): number;
  /** The users who are joined or invited. */
  activeMembers(): Promise<readonly string[]>;
  /** Whether the user is external to the administration (unknown users count as external). */
  isExternal(userId: string): Promise<boolean>;
}

/**
 * One policy (Tchap's or Bureau's): the reason it refuses an event, or null when it allows it. Rules run
 * after the room version's authorisation rules allowed the event, so the stricter of both wins.
 */
export interface RoomRule {
  readonly name: string;
  check(event: ProposedEvent, room: RoomFacts): Promise<string | null> | string | null;
}

/** The state the rules read: the room's configuration, and the member an event is about. */
export const stateKeysOfRules: ReadonlyArray<readonly [string, string]> = [
  [stateTypes.create, ''],
  [stateTypes.powerLevels, ''],
  [stateTypes.joinRules, ''],
  [stateTypes.accessRules, ''],
  [stateTypes.encryption, ''],
  [stateTypes.retention, ''],
  [stateTypes.sensitivity, ''],
];

/** Rules look at state events and redactions (which may erase state); other events go through untouched. */
export function concernsRules(event: ProposedEvent): boolean {
  return event.stateKey !== undefined || event.type === 'm.room.redaction';
}

/** The facts of a room built from its state (what the rules' unit tests build by hand). */
export function roomFactsOf(input: {
  roomVersion: BuildableRoomVersion;
  state: RoomState;
  activeMembers: () => Promise<readonly string[]>;
  isExternal: (userId: string) => Promise<boolean>;
}): RoomFacts {
  return {
    roomVersion: input.roomVersion,
    state: (type, stateKey = '') => input.state.content(type, stateKey),
    stateEventId: (type, stateKey = '') => input.state.eventId(type, stateKey),
    powerLevel: (userId) => powerLevelOf(userId, input.state, input.roomVersion),
    activeMembers: input.activeMembers,
    isExternal: input.isExternal,
  };
}

/**
 * Runs `rules` on every state event and redaction appended to any room, inside the appending transaction;
 * the first refusal answers M_FORBIDDEN with its reason.
 */
export function installRoomRules(
  rooms: RoomEngine,
  rules: readonly RoomRule[],
  isExternal: (executor: Executor, userId: string) => Promise<boolean>,
): void {
  rooms.addPolicy(async (head: RoomHead, event: NewEvent, _view, transaction) => {
    if (rules.length === 0 || !concernsRules(event)) return;
    const executor = transaction.executor;
    const keys = [...stateKeysOfRules];
    if (event.stateKey !== undefined) keys.push([event.type, event.stateKey]);
    const state = await readRoomState(executor, head.roomId, keys);
    let members: readonly string[] | undefined;
    const facts = roomFactsOf({
      roomVersion: head.roomVersion,
      state,
      activeMembers: async () => {
        members ??= (await roomMembers(executor, head.roomId, ['join', 'invite'])).map((member) => member.userId);
        return members;
      },
      isExternal: (userId) => isExternal(executor, userId),
    });
    for (const rule of rules) {
      const reason = await rule.check(event, facts);
      if (reason !== null) throw matrixError('M_FORBIDDEN', { reason });
    }
  });
}
