/**
 * Push-rule evaluation benchmark: evaluations per second when /sync counts unread notifications, i.e. every
 * event × every member of the room, each member with their own ruleset (server defaults, some with keyword,
 * muted-room and sender rules, a few with the legacy body-mention rules). Prints figures; asserts nothing.
 *
 * Three passes over the same events: the event prepared once and shared by the members (the intended /sync
 * path), the raw event given to every evaluation, and a pathological keyword pattern against long bodies.
 *
 *   node bench/chat/push-rules.ts [--members 500] [--events 2000]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  compilePushRules,
  defaultPushRules,
  emptyUserPushRules,
  evaluatePushRules,
  mergeUserRules,
  preparePushEvent,
  putUserPushRule,
  type CompiledPushRules,
  type PushEvent,
  type PushRuleResult,
  type UserPushRules,
} from '../../apps/server/src/modules/chat/protocol/push-rules.ts';
import { createSeededRandom } from '../../apps/server/src/testing/seeded-random.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '500' },
    events: { type: 'string', default: '2000' },
  },
});
const memberCount = Number(values.members);
const eventCount = Number(values.events);
const random = createSeededRandom(42);
const roomId = '!bench:bureau.test';
const words = [
  'dossier',
  'réunion',
  'budget',
  'demain',
  'urgent',
  'merci',
  'projet',
  'note',
  'lundi',
  'validé',
  'café',
];

function unwrap<T>(result: PushRuleResult<T>): T {
  if (!result.ok) throw new Error(result.error.error);
  return result.value;
}

interface Member {
  userId: string;
  displayName: string;
  rules: CompiledPushRules;
}

const compileStart = performance.now();
const members: Member[] = [];
for (let index = 0; index < memberCount; index++) {
  const userId = `@agent${index}:bureau.test`;
  const defaults = defaultPushRules(userId, { legacyMentionRules: index % 20 === 0 });
  let userRules: UserPushRules = emptyUserPushRules();
  if (random.chance(0.2)) {
    const keyword = random.pick(words);
    userRules = unwrap(
      putUserPushRule(
        userRules,
        { kind: 'content', ruleId: `kw-${keyword}` },
        { pattern: keyword, actions: ['notify'] },
      ),
    );
  }
  if (random.chance(0.05))
    userRules = unwrap(putUserPushRule(userRules, { kind: 'room', ruleId: roomId }, { actions: [] }));
  if (random.chance(0.05)) {
    userRules = unwrap(
      putUserPushRule(userRules, { kind: 'sender', ruleId: '@agent1:bureau.test' }, { actions: ['notify'] }),
    );
  }
  members.push({ userId, displayName: `Agent ${index}`, rules: compilePushRules(mergeUserRules(defaults, userRules)) });
}
const compileMs = performance.now() - compileStart;

function sentence(length: number): string {
  const parts: string[] = [];
  for (let index = 0; index < length; index++) parts.push(random.pick(words));
  return parts.join(' ');
}

function buildEvent(index: number): PushEvent {
  const sender = `@agent${Math.floor(random.next() * memberCount)}:bureau.test`;
  const base = { sender, room_id: roomId, event_id: `$e${index}`, origin_server_ts: index };
  const roll = random.next();
  if (roll < 0.05)
    return {
      ...base,
      type: 'm.room.encrypted',
      content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x'.repeat(200) },
    };
  if (roll < 0.1)
    return {
      ...base,
      type: 'm.reaction',
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$e', key: '👍' } },
    };
  if (roll < 0.15) {
    return {
      ...base,
      type: 'm.room.message',
      content: { msgtype: 'm.text', body: '* corrigé', 'm.relates_to': { rel_type: 'm.replace', event_id: '$e' } },
    };
  }
  if (roll < 0.25) {
    const mentioned = `@agent${Math.floor(random.next() * memberCount)}:bureau.test`;
    return {
      ...base,
      type: 'm.room.message',
      content: { msgtype: 'm.text', body: sentence(12), 'm.mentions': { user_ids: [mentioned] } },
    };
  }
  if (roll < 0.27)
    return {
      ...base,
      type: 'm.room.message',
      content: { msgtype: 'm.text', body: sentence(8), 'm.mentions': { room: true } },
    };
  const length = roll < 0.28 ? 2000 : 5 + Math.floor(random.next() * 60);
  return { ...base, type: 'm.room.message', content: { msgtype: 'm.text', body: sentence(length) } };
}

const events = Array.from({ length: eventCount }, (_, index) => buildEvent(index));

function run(label: string, prepare: boolean, eventsToRun: readonly PushEvent[]) {
  let notified = 0;
  let highlighted = 0;
  const start = performance.now();
  for (const event of eventsToRun) {
    const input = prepare ? preparePushEvent(event) : event;
    for (const member of members) {
      const result = evaluatePushRules(
        input,
        {
          userId: member.userId,
          displayName: member.displayName,
          roomMemberCount: memberCount,
          senderPowerLevel: event.sender === '@agent0:bureau.test' ? 100 : 0,
          notificationPowerLevels: {},
        },
        member.rules,
      );
      if (result.notify) notified++;
      if (result.highlight) highlighted++;
    }
  }
  const elapsedMs = performance.now() - start;
  const evaluations = eventsToRun.length * members.length;
  const perSecond = Math.round(evaluations / (elapsedMs / 1000));
  console.log(
    `${label.padEnd(34)} ${String(evaluations).padStart(9)} evaluations  ${elapsedMs.toFixed(0).padStart(6)} ms  ` +
      `${perSecond.toLocaleString('en-US').padStart(12)} /s  ${((elapsedMs * 1e6) / evaluations).toFixed(0).padStart(5)} ns each  ` +
      `(notify ${notified}, highlight ${highlighted})`,
  );
}

console.log(`Node ${process.version}, ${memberCount} members, ${eventCount} events`);
console.log(
  `compiling ${memberCount} rulesets: ${compileMs.toFixed(1)} ms (${((compileMs * 1000) / memberCount).toFixed(1)} µs each)`,
);
run('warm-up', true, events.slice(0, Math.min(200, events.length)));
run('prepared event shared by members', true, events);
run('raw event for every evaluation', false, events);

// A user keyword rule with many stars against 64 KB bodies: the glob matcher must stay linear.
const nasty = compilePushRules(
  mergeUserRules(
    defaultPushRules('@victim:bureau.test'),
    unwrap(
      putUserPushRule(
        emptyUserPushRules(),
        { kind: 'content', ruleId: 'nasty' },
        { pattern: 'a*a*a*a*a*a*a*a*b', actions: ['notify'] },
      ),
    ),
  ),
);
const longBody: PushEvent = {
  type: 'm.room.message',
  sender: '@x:bureau.test',
  room_id: roomId,
  content: { msgtype: 'm.text', body: 'a '.repeat(32_000) },
};
const nastyStart = performance.now();
for (let index = 0; index < 100; index++) {
  evaluatePushRules(
    longBody,
    {
      userId: '@victim:bureau.test',
      displayName: null,
      roomMemberCount: 3,
      senderPowerLevel: 0,
      notificationPowerLevels: {},
    },
    nasty,
  );
}
console.log(
  `pathological keyword, 64 KB body: ${((performance.now() - nastyStart) / 100).toFixed(2)} ms per evaluation`,
);
