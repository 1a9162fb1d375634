import { describe, expect, it } from 'vitest';
import type { CreateRoomRequest } from '../../rooms.routes.ts';
import { accessRulesRule, withDefaultAccessRule } from './access-rules.ts';
import { buildRoom, creator, member, powerLevels, stateEvent } from './room-rules.test-support.ts';

const bob = '@bob:bureau.test';
const carol = '@carol:bureau.test';
const eve = '@eve:bureau.test';
const rules = (rule: string) => ({ type: 'im.vector.room.access_rules', content: { rule } });
const admins = powerLevels({ [creator]: 100, [bob]: 50 });

describe('Tchap access rules (im.vector.room.access_rules)', () => {
  const sut = accessRulesRule;

  describe('restricted', () => {
    it('keeps external users out, by invitation or by joining, and lets agents in', async () => {
      const room = buildRoom({ state: [admins, rules('restricted')], externals: [eve] });
      expect(await sut.check(stateEvent('m.room.member', { membership: 'invite' }, { stateKey: eve }), room)).toMatch(
        /restricted/,
      );
      expect(
        await sut.check(stateEvent('m.room.member', { membership: 'join' }, { stateKey: eve, sender: eve }), room),
      ).toMatch(/restricted/);
      expect(
        await sut.check(stateEvent('m.room.member', { membership: 'invite' }, { stateKey: bob }), room),
      ).toBeNull();
    });

    it('is the rule of a room without access rules', async () => {
      const room = buildRoom({ state: [admins], externals: [eve] });
      expect(
        await sut.check(stateEvent('m.room.member', { membership: 'invite' }, { stateKey: eve }), room),
      ).not.toBeNull();
    });

    it('lets a room be public', async () => {
      const room = buildRoom({ state: [admins, rules('restricted')] });
      expect(await sut.check(stateEvent('m.room.join_rules', { join_rule: 'public' }), room)).toBeNull();
    });
  });

  describe('unrestricted', () => {
    const room = buildRoom({ state: [admins, rules('unrestricted')], externals: [eve] });

    it('lets external users in', async () => {
      expect(
        await sut.check(stateEvent('m.room.member', { membership: 'invite' }, { stateKey: eve }), room),
      ).toBeNull();
    });

    it('never gives external users power, nor everyone by default', async () => {
      expect(await sut.check(stateEvent('m.room.power_levels', { users: { [creator]: 100, [eve]: 1 } }), room)).toMatch(
        /external users cannot be given power/,
      );
      expect(
        await sut.check(stateEvent('m.room.power_levels', { users: { [creator]: 100 }, users_default: 50 }), room),
      ).toMatch(/users_default/);
      expect(
        await sut.check(stateEvent('m.room.power_levels', { users: { [creator]: 100, [bob]: 50, [eve]: 0 } }), room),
      ).toBeNull();
    });

    it('cannot be public', async () => {
      expect(await sut.check(stateEvent('m.room.join_rules', { join_rule: 'public' }), room)).toMatch(/may be public/);
      expect(await sut.check(stateEvent('m.room.join_rules', { join_rule: 'invite' }), room)).toBeNull();
    });
  });

  describe('direct', () => {
    const room = buildRoom({ state: [admins, rules('direct'), member(bob, 'invite')] });

    it('has at most two members', async () => {
      expect(await sut.check(stateEvent('m.room.member', { membership: 'invite' }, { stateKey: carol }), room)).toMatch(
        /at most two members/,
      );
      // The invited second member may join.
      expect(
        await sut.check(stateEvent('m.room.member', { membership: 'join' }, { stateKey: bob, sender: bob }), room),
      ).toBeNull();
    });

    it('has no name, topic or avatar, and keeps its join rule', async () => {
      for (const type of ['m.room.name', 'm.room.topic', 'm.room.avatar']) {
        expect(await sut.check(stateEvent(type, { name: 'x' }), room)).toMatch(/no name, topic or avatar/);
      }
      expect(await sut.check(stateEvent('m.room.join_rules', { join_rule: 'invite' }), room)).toMatch(/join rule/);
    });
  });

  describe('changes of rule', () => {
    it('allows restricted → unrestricted to administrators only', async () => {
      const room = buildRoom({ state: [admins, rules('restricted')] });
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'unrestricted' }), room)).toBeNull();
      expect(
        await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'unrestricted' }, { sender: bob }), room),
      ).toMatch(/administrators/);
    });

    it('refuses to open a public room, or one that gives an external user power', async () => {
      const publicRoom = buildRoom({
        state: [admins, rules('restricted'), { type: 'm.room.join_rules', content: { join_rule: 'public' } }],
      });
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'unrestricted' }), publicRoom)).toMatch(
        /public room/,
      );
      const powerful = buildRoom({
        state: [powerLevels({ [creator]: 100, [eve]: 50 }), rules('restricted')],
        externals: [eve],
      });
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'unrestricted' }), powerful)).toMatch(
        /external users cannot be given power/,
      );
    });

    it('never goes back from unrestricted, never leaves or enters direct', async () => {
      const open = buildRoom({ state: [admins, rules('unrestricted')] });
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'restricted' }), open)).toMatch(/again/);
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'direct' }), open)).toMatch(
        /direct chat/,
      );
      const direct = buildRoom({ state: [admins, rules('direct')] });
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'restricted' }), direct)).toMatch(
        /direct chat cannot change/,
      );
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'direct' }), direct)).toBeNull();
    });

    it('accepts any known first rule from an administrator, and no unknown rule', async () => {
      const fresh = buildRoom({ state: [admins] });
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'direct' }), fresh)).toBeNull();
      expect(await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'everyone' }), fresh)).toMatch(
        /unknown/,
      );
      expect(
        await sut.check(stateEvent('im.vector.room.access_rules', { rule: 'direct' }, { stateKey: 'x' }), fresh),
      ).toMatch(/empty state key/);
    });

    it('refuses to redact the current rules', async () => {
      const room = buildRoom({ state: [admins, { ...rules('unrestricted'), eventId: '$rules' }] });
      expect(
        await sut.check({ type: 'm.room.redaction', sender: creator, content: { redacts: '$rules' } }, room),
      ).toMatch(/cannot be redacted/);
      expect(
        await sut.check({ type: 'm.room.redaction', sender: creator, content: { redacts: '$other' } }, room),
      ).toBeNull();
    });
  });

  it('gives new rooms restricted, direct chats direct, and keeps a rule the request sets', () => {
    const room: CreateRoomRequest = { name: 'Salon' };
    withDefaultAccessRule(room);
    expect(room.initial_state).toEqual([
      { type: 'im.vector.room.access_rules', state_key: '', content: { rule: 'restricted' } },
    ]);
    const direct: CreateRoomRequest = { is_direct: true };
    withDefaultAccessRule(direct);
    expect(direct.initial_state?.[0]?.content).toEqual({ rule: 'direct' });
    const chosen: CreateRoomRequest = {
      initial_state: [{ type: 'im.vector.room.access_rules', state_key: '', content: { rule: 'unrestricted' } }],
    };
    withDefaultAccessRule(chosen);
    expect(chosen.initial_state).toHaveLength(1);
  });
});
