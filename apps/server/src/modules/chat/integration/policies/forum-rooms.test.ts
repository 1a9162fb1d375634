import { describe, expect, it } from 'vitest';
import type { CreateRoomRequest } from '../../rooms.routes.ts';
import { createsPublicRoom, forumMaxLifetimeMs, forumRoomsRule, withForumDefaults } from './forum-rooms.ts';
import { buildRoom, creator, powerLevels, stateEvent } from './room-rules.test-support.ts';

const publicJoin = { type: 'm.room.join_rules', content: { join_rule: 'public' } };
const retention = (maxLifetime: number) => ({
  type: 'm.room.retention',
  content: { max_lifetime: maxLifetime },
  eventId: '$retention',
});
const admins = powerLevels({ [creator]: 100 });

describe('Tchap forums (public rooms)', () => {
  const sut = forumRoomsRule;
  const forum = buildRoom({ state: [admins, publicJoin, retention(forumMaxLifetimeMs)] });

  it('are never encrypted; private rooms may be', () => {
    expect(sut.check(stateEvent('m.room.encryption', { algorithm: 'm.megolm.v1.aes-sha2' }), forum)).toMatch(
      /cannot be encrypted/,
    );
    expect(sut.check(stateEvent('m.room.encryption', { algorithm: 'm.megolm.v1.aes-sha2' }), buildRoom())).toBeNull();
  });

  it('keep messages three months at most, a limit nobody raises or removes', () => {
    expect(sut.check(stateEvent('m.room.retention', { max_lifetime: forumMaxLifetimeMs + 1 }), forum)).toMatch(
      /three months/,
    );
    expect(sut.check(stateEvent('m.room.retention', {}), forum)).toMatch(/needs a max_lifetime/);
    expect(sut.check(stateEvent('m.room.retention', { max_lifetime: 86_400_000 }), forum)).toBeNull();
    expect(sut.check({ type: 'm.room.redaction', sender: creator, content: { redacts: '$retention' } }, forum)).toMatch(
      /cannot be removed/,
    );
    // A private room keeps what it likes.
    expect(sut.check(stateEvent('m.room.retention', {}), buildRoom())).toBeNull();
  });

  it('come from private rooms that are unencrypted and already limited', () => {
    const makePublic = stateEvent('m.room.join_rules', { join_rule: 'public' });
    expect(sut.check(makePublic, buildRoom({ state: [admins] }))).toMatch(/retention/);
    expect(sut.check(makePublic, buildRoom({ state: [admins, retention(forumMaxLifetimeMs * 2)] }))).toMatch(
      /retention/,
    );
    expect(sut.check(makePublic, buildRoom({ state: [admins, retention(forumMaxLifetimeMs)] }))).toBeNull();
    const encrypted = buildRoom({
      state: [admins, retention(1000), { type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    expect(sut.check(makePublic, encrypted)).toMatch(/encrypted room cannot become public/);
  });

  it('get a three-month retention at creation, set before their public join rule', () => {
    const request: CreateRoomRequest = {
      preset: 'public_chat',
      initial_state: [{ type: 'im.vector.room.access_rules', state_key: '', content: { rule: 'restricted' } }],
    };
    withForumDefaults(request);
    expect(request.initial_state?.map((event) => [event.type, event.content])).toEqual([
      ['im.vector.room.access_rules', { rule: 'restricted' }],
      ['m.room.retention', { max_lifetime: forumMaxLifetimeMs }],
      ['m.room.join_rules', { join_rule: 'public' }],
    ]);
    const privateRoom: CreateRoomRequest = { visibility: 'private' };
    withForumDefaults(privateRoom);
    expect(privateRoom.initial_state).toBeUndefined();
    expect(createsPublicRoom({ visibility: 'public' })).toBe(true);
    expect(
      createsPublicRoom({
        preset: 'public_chat',
        initial_state: [{ type: 'm.room.join_rules', state_key: '', content: { join_rule: 'invite' } }],
      }),
    ).toBe(false);
  });
});
