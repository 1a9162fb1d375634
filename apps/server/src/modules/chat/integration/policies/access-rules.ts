import type { CreateRoomRequest } from '../../rooms.routes.ts';
import { membershipOf, stateTypes } from '../room-state.ts';
import type { ProposedEvent, RoomFacts, RoomRule } from './room-rule.ts';

/**
 * Tchap's room access rules (`im.vector.room.access_rules`, enforced on Tchap by the Synapse module
 * synapse-room-access-rules): `restricted` rooms are closed to external users; `unrestricted` rooms are
 * open to them, but never give them power; `direct` chats have two members and no name, topic or avatar.
 */
export const accessRuleValues = ['restricted', 'unrestricted', 'direct'] as const;
export type AccessRule = (typeof accessRuleValues)[number];

/** The power level of a room administrator (Tchap's "admin"). */
export const administratorLevel = 100;

export function isAccessRule(value: unknown): value is AccessRule {
  return typeof value === 'string' && (accessRuleValues as readonly string[]).includes(value);
}

/** The room's rule; a room without one (or with an unknown one) is `restricted`, the strictest that allows talk. */
export function accessRuleOf(room: RoomFacts): AccessRule {
  const rule = room.state(stateTypes.accessRules)?.['rule'];
  return isAccessRule(rule) ? rule : 'restricted';
}

function joinRuleOf(room: RoomFacts): unknown {
  return room.state(stateTypes.joinRules)?.['join_rule'];
}

/** In a room open to external users: no power to them, nor to everyone by default (they are "everyone"). */
async function powerLevelsRefusal(content: Readonly<Record<string, unknown>>, room: RoomFacts) {
  const usersDefault = content['users_default'];
  if (typeof usersDefault === 'number' && usersDefault > 0) {
    return 'in a room open to external users, users_default must stay 0';
  }
  const users = content['users'];
  if (typeof users === 'object' && users !== null && !Array.isArray(users)) {
    for (const [userId, level] of Object.entries(users as Record<string, unknown>)) {
      if (typeof level === 'number' && level > 0 && (await room.isExternal(userId))) {
        return `external users cannot be given power in a room (${userId})`;
      }
    }
  }
  return null;
}

async function ruleChangeRefusal(event: ProposedEvent, room: RoomFacts): Promise<string | null> {
  if (event.stateKey !== '') return 'the access rules are a state event with an empty state key';
  const next = event.content['rule'];
  if (!isAccessRule(next)) return `unknown access rule; use one of ${accessRuleValues.join(', ')}`;
  const existing = room.state(stateTypes.accessRules)?.['rule'];
  const current = isAccessRule(existing) ? existing : undefined;
  if (current === next) return null;
  if (current === 'direct') return 'the access rule of a direct chat cannot change';
  if (current !== undefined && next === 'direct') return 'a room cannot become a direct chat';
  if (current === 'unrestricted' && next === 'restricted') {
    return 'a room opened to external users cannot be closed to them again';
  }
  if (room.powerLevel(event.sender) < administratorLevel) {
    return 'only the room’s administrators may change its access rules';
  }
  if (next === 'unrestricted') {
    if (joinRuleOf(room) === 'public') return 'a public room cannot be opened to external users';
    return powerLevelsRefusal(room.state(stateTypes.powerLevels) ?? {}, room);
  }
  if (next === 'direct' && (await room.activeMembers()).length > 2) return 'a direct chat has at most two members';
  return null;
}

async function membershipRefusal(event: ProposedEvent, room: RoomFacts, rule: AccessRule): Promise<string | null> {
  const target = event.stateKey ?? '';
  const membership = event.content['membership'];
  if (membership !== 'invite' && membership !== 'join') return null;
  const previous = membershipOf(room.state(stateTypes.member, target));
  // A joined member changing their display name or avatar.
  if (previous === 'join' && membership === 'join') return null;
  if (rule === 'restricted' && (await room.isExternal(target))) {
    return 'external users cannot be invited to or join a room closed to them (access rule restricted)';
  }
  if (rule === 'direct' && previous !== 'join' && previous !== 'invite') {
    const others = (await room.activeMembers()).filter((userId) => userId !== target);
    if (others.length >= 2) return 'a direct chat has at most two members';
  }
  return null;
}

export const accessRulesRule: RoomRule = {
  name: 'tchap.access_rules',
  async check(event, room) {
    const rule = accessRuleOf(room);
    if (event.type === stateTypes.member) return membershipRefusal(event, room, rule);
    if (event.type === 'm.room.redaction') {
      const target = event.content['redacts'];
      const current = room.stateEventId(stateTypes.accessRules);
      return current !== undefined && target === current ? 'the access rules of a room cannot be redacted' : null;
    }
    if (event.type === stateTypes.accessRules) return ruleChangeRefusal(event, room);
    if (event.stateKey !== '') return null;
    switch (event.type) {
      case stateTypes.powerLevels:
        return rule === 'unrestricted' ? powerLevelsRefusal(event.content, room) : null;
      case stateTypes.joinRules:
        if (rule === 'direct') return 'the join rule of a direct chat cannot change';
        return event.content['join_rule'] === 'public' && rule !== 'restricted'
          ? 'only rooms closed to external users (access rule restricted) may be public'
          : null;
      case stateTypes.name:
      case stateTypes.topic:
      case stateTypes.avatar:
        return rule === 'direct' ? 'a direct chat has no name, topic or avatar' : null;
      default:
        return null;
    }
  },
};

/**
 * The rule of a new room, unless the request sets one in `initial_state`: `direct` for a direct chat,
 * else `restricted` (Tchap's default: external users come in only where a room is opened to them).
 */
export function withDefaultAccessRule(request: CreateRoomRequest): void {
  const initialState = request.initial_state ?? [];
  if (initialState.some((event) => event.type === stateTypes.accessRules && event.state_key === '')) return;
  request.initial_state = [
    { type: stateTypes.accessRules, state_key: '', content: { rule: request.is_direct ? 'direct' : 'restricted' } },
    ...initialState,
  ];
}
