import type { CreateRoomRequest } from '../../rooms.routes.ts';
import { stateTypes } from '../room-state.ts';
import type { RoomFacts, RoomRule } from './room-rule.ts';

/**
 * Tchap's forums, the public rooms (join rule `public`): never encrypted (anyone may join and read), and
 * their messages are kept at most three months (`m.room.retention`), a limit nobody may raise or remove.
 */
export const forumMaxLifetimeMs = 90 * 24 * 60 * 60 * 1000;

function isPublic(room: RoomFacts): boolean {
  return room.state(stateTypes.joinRules)?.['join_rule'] === 'public';
}

/** Why a retention does not suit a public room, or null. */
export function forumRetentionRefusal(content: Readonly<Record<string, unknown>> | undefined): string | null {
  const maxLifetime = content?.['max_lifetime'];
  if (typeof maxLifetime !== 'number' || !Number.isSafeInteger(maxLifetime) || maxLifetime <= 0) {
    return 'a public room keeps its messages for a limited time: its m.room.retention needs a max_lifetime';
  }
  if (maxLifetime > forumMaxLifetimeMs) {
    return `a public room keeps its messages at most three months (max_lifetime ≤ ${forumMaxLifetimeMs})`;
  }
  return null;
}

export const forumRoomsRule: RoomRule = {
  name: 'tchap.forum_rooms',
  check(event, room) {
    if (event.type === 'm.room.redaction') {
      const current = room.stateEventId(stateTypes.retention);
      return isPublic(room) && current !== undefined && event.content['redacts'] === current
        ? 'the retention of a public room cannot be removed'
        : null;
    }
    if (event.stateKey !== '') return null;
    switch (event.type) {
      case stateTypes.encryption:
        return isPublic(room) ? 'a public room (forum) cannot be encrypted' : null;
      case stateTypes.joinRules:
        if (event.content['join_rule'] !== 'public' || isPublic(room)) return null;
        if (room.state(stateTypes.encryption) !== undefined) return 'an encrypted room cannot become public';
        return forumRetentionRefusal(room.state(stateTypes.retention)) === null
          ? null
          : `set the room’s retention (m.room.retention, max_lifetime ≤ ${forumMaxLifetimeMs}) before making it public`;
      case stateTypes.retention:
        return isPublic(room) ? forumRetentionRefusal(event.content) : null;
      default:
        return null;
    }
  },
};

/** Whether createRoom makes a public room: the public preset (also implied by public visibility) or an initial join rule. */
export function createsPublicRoom(request: CreateRoomRequest): boolean {
  const initialJoinRule = request.initial_state?.find(
    (event) => event.type === stateTypes.joinRules && event.state_key === '',
  );
  if (initialJoinRule) return initialJoinRule.content['join_rule'] === 'public';
  const preset = request.preset ?? (request.visibility === 'public' ? 'public_chat' : 'private_chat');
  return preset === 'public_chat';
}

/**
 * A new public room gets a three-month retention unless the request sets one, and its join rule, retention
 * and access rules are set in an order the rules accept: access rules and retention first, then the join rule
 * (createRoom sends its default join rule before the initial state, so it is moved into the initial state).
 */
export function withForumDefaults(request: CreateRoomRequest): void {
  if (!createsPublicRoom(request)) return;
  const initialState = [...(request.initial_state ?? [])];
  const has = (type: string) => initialState.some((event) => event.type === type && event.state_key === '');
  if (!has(stateTypes.retention)) {
    initialState.push({ type: stateTypes.retention, state_key: '', content: { max_lifetime: forumMaxLifetimeMs } });
  }
  if (!has(stateTypes.joinRules)) {
    initialState.push({ type: stateTypes.joinRules, state_key: '', content: { join_rule: 'public' } });
  }
  const rank = (type: string) =>
    type === stateTypes.accessRules ? 0 : type === stateTypes.retention ? 1 : type === stateTypes.joinRules ? 2 : 3;
  // Array.prototype.sort is stable: other events keep their order after these three.
  request.initial_state = initialState.sort((left, right) => rank(left.type) - rank(right.type));
}
