import { authStateFromEvents, type BuildableRoomVersion } from '../../protocol/index.ts';
import type { RoomState } from '../room-state.ts';
import { roomFactsOf, type ProposedEvent, type RoomFacts } from './room-rule.ts';

export const creator = '@alice:bureau.test';

export interface StateInput {
  readonly type: string;
  readonly stateKey?: string;
  readonly content: Record<string, unknown>;
  readonly sender?: string;
  readonly eventId?: string;
}

/** A member's state event. */
export function member(userId: string, membership: string): StateInput {
  return { type: 'm.room.member', stateKey: userId, content: { membership }, sender: userId };
}

/**
 * A room as the rules see it: a create event by Alice (v11), the given state, and which users are external.
 * Built by hand, without a database, for the rules' unit tests.
 */
export function buildRoom(
  input: { state?: readonly StateInput[]; externals?: readonly string[]; roomVersion?: BuildableRoomVersion } = {},
): RoomFacts {
  const events = [
    { type: 'm.room.create', stateKey: '', content: { room_version: input.roomVersion ?? '11' }, sender: creator },
    member(creator, 'join'),
    ...(input.state ?? []),
  ].map((event, index) => ({
    type: event.type,
    state_key: event.stateKey ?? '',
    sender: event.sender ?? creator,
    content: event.content,
    event_id: event.eventId ?? `$event${index}`,
  }));
  const authState = authStateFromEvents(events);
  const state: RoomState = {
    get: (type, stateKey) => authState.get(type, stateKey),
    content: (type, stateKey = '') => authState.get(type, stateKey)?.content,
    eventId: (type, stateKey = '') => authState.get(type, stateKey)?.event_id,
  };
  const externals = new Set(input.externals ?? []);
  const latest = new Map(
    events.filter((event) => event.type === 'm.room.member').map((event) => [event.state_key, event]),
  );
  return roomFactsOf({
    roomVersion: input.roomVersion ?? '11',
    state,
    activeMembers: () =>
      Promise.resolve(
        [...latest.values()]
          .filter((event) => event.content['membership'] === 'join' || event.content['membership'] === 'invite')
          .map((event) => event.state_key),
      ),
    isExternal: (userId) => Promise.resolve(externals.has(userId)),
  });
}

/** A state event proposed by `sender` (Alice unless given). */
export function stateEvent(
  type: string,
  content: Record<string, unknown>,
  options: { stateKey?: string; sender?: string } = {},
): ProposedEvent {
  return { type, stateKey: options.stateKey ?? '', sender: options.sender ?? creator, content };
}

export function powerLevels(users: Record<string, number>, extra: Record<string, unknown> = {}): StateInput {
  return { type: 'm.room.power_levels', content: { users, users_default: 0, state_default: 50, ...extra } };
}
