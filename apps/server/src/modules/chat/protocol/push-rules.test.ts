import { describe, expect, it } from 'vitest';
import {
  compileGlob,
  compilePushRules,
  defaultPushRules,
  deleteUserPushRule,
  emptyUserPushRules,
  evaluatePushRules,
  findPushRule,
  mergeUserRules,
  parseDottedKey,
  preparePushEvent,
  putUserPushRule,
  setPushRuleActions,
  setPushRuleEnabled,
  PUSH_RULE_KINDS,
  type PushEvaluationContext,
  type PushEvent,
  type PushRuleKind,
  type PushRuleResult,
  type PushRulesContent,
  type UserPushRules,
} from './push-rules.ts';

const alice = '@alice:bureau.test';
const bob = '@bob:bureau.test';
const roomId = '!room:bureau.test';

function buildEvent(overrides: Partial<PushEvent> & Record<string, unknown> = {}): PushEvent {
  const event = {
    type: 'm.room.message',
    sender: bob,
    room_id: roomId,
    event_id: '$event',
    origin_server_ts: 1,
    content: { msgtype: 'm.text', body: 'Hello there' },
    ...overrides,
  };
  return event;
}

function buildContext(overrides: Partial<PushEvaluationContext> = {}): PushEvaluationContext {
  return {
    userId: alice,
    displayName: 'Alice',
    roomMemberCount: 5,
    senderPowerLevel: 0,
    notificationPowerLevels: {},
    ...overrides,
  };
}

function unwrap<T>(result: PushRuleResult<T>): T {
  if (!result.ok) throw new Error(`${result.error.errcode}: ${result.error.error}`);
  return result.value;
}

function errcodeOf(result: PushRuleResult<unknown>): string | null {
  return result.ok ? null : result.error.errcode;
}

function idsOf(ruleset: PushRulesContent) {
  const ids = {} as Record<PushRuleKind, string[]>;
  for (const kind of PUSH_RULE_KINDS) ids[kind] = ruleset.global[kind].map((rule) => rule.rule_id);
  return ids;
}

/** The effective ruleset after applying user changes to alice's defaults. */
function withChanges(...changes: Array<(rules: UserPushRules, defaults: PushRulesContent) => UserPushRules>) {
  const defaults = defaultPushRules(alice);
  let userRules = emptyUserPushRules();
  for (const change of changes) userRules = change(userRules, defaults);
  return mergeUserRules(defaults, userRules);
}

describe('defaultPushRules', () => {
  it('lists the server-default rules of spec v1.17+ in the spec order', () => {
    expect(idsOf(defaultPushRules(alice))).toEqual({
      override: [
        '.m.rule.master',
        '.m.rule.suppress_notices',
        '.m.rule.invite_for_me',
        '.m.rule.member_event',
        '.m.rule.is_user_mention',
        '.m.rule.is_room_mention',
        '.m.rule.tombstone',
        '.m.rule.reaction',
        '.m.rule.room.server_acl',
        '.m.rule.suppress_edits',
      ],
      content: [],
      room: [],
      sender: [],
      underride: [
        '.m.rule.call',
        '.m.rule.encrypted_room_one_to_one',
        '.m.rule.room_one_to_one',
        '.m.rule.message',
        '.m.rule.encrypted',
      ],
    });
  });

  it('marks every rule as a server default, enabled except the master rule', () => {
    const rules = Object.values(defaultPushRules(alice).global).flat();

    expect(rules.every((rule) => rule.default)).toBe(true);
    expect(rules.filter((rule) => !rule.enabled).map((rule) => rule.rule_id)).toEqual(['.m.rule.master']);
  });

  it('writes the definitions exactly as the spec does, with the user id filled in', () => {
    const { override } = defaultPushRules(alice).global;

    expect(override.find((rule) => rule.rule_id === '.m.rule.invite_for_me')).toEqual({
      rule_id: '.m.rule.invite_for_me',
      default: true,
      enabled: true,
      conditions: [
        { kind: 'event_match', key: 'type', pattern: 'm.room.member' },
        { kind: 'event_match', key: 'content.membership', pattern: 'invite' },
        { kind: 'event_match', key: 'state_key', pattern: alice },
      ],
      actions: ['notify', { set_tweak: 'sound', value: 'default' }],
    });
    expect(override.find((rule) => rule.rule_id === '.m.rule.is_user_mention')).toEqual({
      rule_id: '.m.rule.is_user_mention',
      default: true,
      enabled: true,
      conditions: [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: alice }],
      actions: ['notify', { set_tweak: 'sound', value: 'default' }, { set_tweak: 'highlight' }],
    });
    expect(override.find((rule) => rule.rule_id === '.m.rule.is_room_mention')).toEqual({
      rule_id: '.m.rule.is_room_mention',
      default: true,
      enabled: true,
      conditions: [
        { kind: 'event_property_is', key: 'content.m\\.mentions.room', value: true },
        { kind: 'sender_notification_permission', key: 'room' },
      ],
      actions: ['notify', { set_tweak: 'highlight' }],
    });
  });

  it('adds the legacy body-mention rules only when asked, the content rule using the localpart', () => {
    const legacy = defaultPushRules(alice, { legacyMentionRules: true });

    expect(idsOf(legacy).override).toEqual([
      '.m.rule.master',
      '.m.rule.suppress_notices',
      '.m.rule.invite_for_me',
      '.m.rule.member_event',
      '.m.rule.is_user_mention',
      '.m.rule.contains_display_name',
      '.m.rule.is_room_mention',
      '.m.rule.roomnotif',
      '.m.rule.tombstone',
      '.m.rule.reaction',
      '.m.rule.room.server_acl',
      '.m.rule.suppress_edits',
    ]);
    expect(legacy.global.content).toEqual([
      {
        rule_id: '.m.rule.contains_user_name',
        default: true,
        enabled: true,
        pattern: 'alice',
        actions: ['notify', { set_tweak: 'sound', value: 'default' }, { set_tweak: 'highlight' }],
      },
    ]);
  });
});

describe('evaluatePushRules with the default rules', () => {
  const defaults = defaultPushRules(alice);
  const legacy = defaultPushRules(alice, { legacyMentionRules: true });

  const cases: Array<{
    name: string;
    event: PushEvent;
    context?: Partial<PushEvaluationContext>;
    ruleset?: PushRulesContent;
    expected: { ruleId: string | null; notify: boolean; highlight: boolean; sound?: string };
  }> = [
    {
      name: 'a message in a group room notifies silently',
      event: buildEvent(),
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
    {
      name: 'a message in a 1:1 room notifies with a sound',
      event: buildEvent(),
      context: { roomMemberCount: 2 },
      expected: { ruleId: '.m.rule.room_one_to_one', notify: true, highlight: false, sound: 'default' },
    },
    {
      name: 'an encrypted event in a group room notifies',
      event: buildEvent({ type: 'm.room.encrypted', content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' } }),
      expected: { ruleId: '.m.rule.encrypted', notify: true, highlight: false },
    },
    {
      name: 'an encrypted event in a 1:1 room notifies with a sound',
      event: buildEvent({ type: 'm.room.encrypted', content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' } }),
      context: { roomMemberCount: 2 },
      expected: { ruleId: '.m.rule.encrypted_room_one_to_one', notify: true, highlight: false, sound: 'default' },
    },
    {
      name: 'an encrypted edit is suppressed, its relation being in clear',
      event: buildEvent({
        type: 'm.room.encrypted',
        content: { ciphertext: 'x', 'm.relates_to': { rel_type: 'm.replace', event_id: '$original' } },
      }),
      expected: { ruleId: '.m.rule.suppress_edits', notify: false, highlight: false },
    },
    {
      name: 'a notice is suppressed',
      event: buildEvent({ content: { msgtype: 'm.notice', body: 'Build passed' } }),
      expected: { ruleId: '.m.rule.suppress_notices', notify: false, highlight: false },
    },
    {
      name: 'an edit is suppressed',
      event: buildEvent({
        content: {
          msgtype: 'm.text',
          body: '* fixed',
          'm.new_content': { msgtype: 'm.text', body: 'fixed' },
          'm.relates_to': { rel_type: 'm.replace', event_id: '$original' },
        },
      }),
      expected: { ruleId: '.m.rule.suppress_edits', notify: false, highlight: false },
    },
    {
      name: 'a reply (another relation) still notifies',
      event: buildEvent({ content: { body: 'yes', 'm.relates_to': { 'm.in_reply_to': { event_id: '$original' } } } }),
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
    {
      name: 'a reaction is suppressed',
      event: buildEvent({
        type: 'm.reaction',
        content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$e', key: '👍' } },
      }),
      expected: { ruleId: '.m.rule.reaction', notify: false, highlight: false },
    },
    {
      name: 'a mention in m.mentions.user_ids highlights with a sound',
      event: buildEvent({ content: { body: 'Alice: look', 'm.mentions': { user_ids: [alice] } } }),
      expected: { ruleId: '.m.rule.is_user_mention', notify: true, highlight: true, sound: 'default' },
    },
    {
      name: 'a mention of somebody else is a plain message',
      event: buildEvent({ content: { body: 'Carol: look', 'm.mentions': { user_ids: ['@carol:bureau.test'] } } }),
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
    {
      name: 'a room mention by a sender with the default room notification level (50) highlights',
      event: buildEvent({ content: { body: 'all: hi', 'm.mentions': { room: true } } }),
      context: { senderPowerLevel: 50 },
      expected: { ruleId: '.m.rule.is_room_mention', notify: true, highlight: true },
    },
    {
      name: 'a room mention by a sender without the power is a plain message',
      event: buildEvent({ content: { body: 'all: hi', 'm.mentions': { room: true } } }),
      context: { senderPowerLevel: 49 },
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
    {
      name: 'a room mention counts when the room lowers notifications.room',
      event: buildEvent({ content: { body: 'all: hi', 'm.mentions': { room: true } } }),
      context: { senderPowerLevel: 0, notificationPowerLevels: { room: 0 } },
      expected: { ruleId: '.m.rule.is_room_mention', notify: true, highlight: true },
    },
    {
      name: 'a room mention whose value is the string "true" is not one',
      event: buildEvent({ content: { body: 'all: hi', 'm.mentions': { room: 'true' } } }),
      context: { senderPowerLevel: 100 },
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
    {
      name: 'the display name in the body no longer highlights with the v1.17 rules',
      event: buildEvent({ content: { body: 'Thanks Alice!' } }),
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
    {
      name: 'legacy rules: the display name as a word highlights',
      event: buildEvent({ content: { body: 'Thanks Alice!' } }),
      ruleset: legacy,
      expected: { ruleId: '.m.rule.contains_display_name', notify: true, highlight: true, sound: 'default' },
    },
    {
      name: 'legacy rules: a longer word containing the display name does not',
      event: buildEvent({ content: { body: 'Alicent is here' } }),
      context: { displayName: 'Alice', userId: '@x:bureau.test' },
      ruleset: defaultPushRules('@x:bureau.test', { legacyMentionRules: true }),
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
    {
      name: 'legacy rules: the localpart as a word highlights through the content rule',
      event: buildEvent({ content: { body: 'ping alice, please' } }),
      context: { displayName: 'Alice Martin' },
      ruleset: legacy,
      expected: { ruleId: '.m.rule.contains_user_name', notify: true, highlight: true, sound: 'default' },
    },
    {
      name: 'legacy rules: @room from a sender with power highlights',
      event: buildEvent({ content: { body: '@room the build is red' } }),
      context: { senderPowerLevel: 50 },
      ruleset: legacy,
      expected: { ruleId: '.m.rule.roomnotif', notify: true, highlight: true },
    },
    {
      name: 'legacy rules are skipped when the event carries m.mentions',
      event: buildEvent({ content: { body: 'Thanks Alice! @room', 'm.mentions': {} } }),
      context: { senderPowerLevel: 100 },
      ruleset: legacy,
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
    {
      name: 'an invite for me notifies with a sound',
      event: buildEvent({ type: 'm.room.member', state_key: alice, content: { membership: 'invite' } }),
      expected: { ruleId: '.m.rule.invite_for_me', notify: true, highlight: false, sound: 'default' },
    },
    {
      name: 'an invite for somebody else is a silent member event',
      event: buildEvent({ type: 'm.room.member', state_key: '@carol:bureau.test', content: { membership: 'invite' } }),
      expected: { ruleId: '.m.rule.member_event', notify: false, highlight: false },
    },
    {
      name: 'a join is a silent member event',
      event: buildEvent({ type: 'm.room.member', state_key: bob, content: { membership: 'join' } }),
      expected: { ruleId: '.m.rule.member_event', notify: false, highlight: false },
    },
    {
      name: 'a tombstone (state event) notifies and highlights',
      event: buildEvent({
        type: 'm.room.tombstone',
        state_key: '',
        content: { body: 'moved', replacement_room: '!n' },
      }),
      expected: { ruleId: '.m.rule.tombstone', notify: true, highlight: true },
    },
    {
      name: 'a tombstone type without a state key matches nothing',
      event: buildEvent({ type: 'm.room.tombstone', content: { body: 'moved' } }),
      expected: { ruleId: null, notify: false, highlight: false },
    },
    {
      name: 'a server ACL change is suppressed',
      event: buildEvent({ type: 'm.room.server_acl', state_key: '', content: { allow: ['*'] } }),
      expected: { ruleId: '.m.rule.room.server_acl', notify: false, highlight: false },
    },
    {
      name: 'a call invite rings',
      event: buildEvent({ type: 'm.call.invite', content: { call_id: 'c', version: '1' } }),
      expected: { ruleId: '.m.rule.call', notify: true, highlight: false, sound: 'ring' },
    },
    {
      name: 'an event type no rule knows does not notify',
      event: buildEvent({ type: 'm.room.topic', state_key: '', content: { topic: 'Lunch' } }),
      expected: { ruleId: null, notify: false, highlight: false },
    },
    {
      name: 'an event the user sent never notifies, even a self-mention',
      event: buildEvent({ sender: alice, content: { body: 'me', 'm.mentions': { user_ids: [alice] } } }),
      expected: { ruleId: null, notify: false, highlight: false },
    },
    {
      name: 'a redacted message (empty content) still counts as a message',
      event: buildEvent({ content: {} }),
      expected: { ruleId: '.m.rule.message', notify: true, highlight: false },
    },
  ];

  it.each(cases)('$name', ({ event, context, ruleset, expected }) => {
    const result = evaluatePushRules(event, buildContext(context), ruleset ?? defaults);

    expect({ ruleId: result.ruleId, notify: result.notify, highlight: result.highlight, sound: result.sound }).toEqual({
      sound: undefined,
      ...expected,
    });
  });

  it('gives the same answers for a prepared event shared by several recipients', () => {
    const event = preparePushEvent(buildEvent({ content: { body: 'hi', 'm.mentions': { user_ids: [alice] } } }));
    const bobRules = defaultPushRules(bob);
    const carol = '@carol:bureau.test';
    const carolRules = defaultPushRules(carol);

    expect(evaluatePushRules(event, buildContext(), defaults).ruleId).toBe('.m.rule.is_user_mention');
    expect(evaluatePushRules(event, buildContext({ userId: bob }), bobRules).ruleId).toBe(null);
    expect(evaluatePushRules(event, buildContext({ userId: carol }), carolRules).ruleId).toBe('.m.rule.message');
    expect(evaluatePushRules(event, buildContext({ userId: carol, roomMemberCount: 2 }), carolRules).ruleId).toBe(
      '.m.rule.room_one_to_one',
    );
  });

  it('keeps remembered condition results apart when evaluations of two prepared events interleave', () => {
    const notice = preparePushEvent(buildEvent({ content: { msgtype: 'm.notice', body: 'bot' } }));
    const message = preparePushEvent(buildEvent());
    const carol = '@carol:bureau.test';
    const carolRules = defaultPushRules(carol);

    expect(evaluatePushRules(notice, buildContext(), defaults).ruleId).toBe('.m.rule.suppress_notices');
    expect(evaluatePushRules(message, buildContext(), defaults).ruleId).toBe('.m.rule.message');
    expect(evaluatePushRules(notice, buildContext({ userId: carol }), carolRules).ruleId).toBe(
      '.m.rule.suppress_notices',
    );
    expect(evaluatePushRules(message, buildContext({ userId: carol }), carolRules).ruleId).toBe('.m.rule.message');
  });

  it('compiles a ruleset once and reuses it', () => {
    expect(compilePushRules(defaults)).toBe(compilePushRules(defaults));
    const compiled = compilePushRules(defaults);

    expect(evaluatePushRules(buildEvent(), buildContext(), compiled).ruleId).toBe('.m.rule.message');
  });
});

describe('evaluatePushRules with the user changes', () => {
  const context = buildContext();

  it('silences everything, mentions included, once the master rule is enabled', () => {
    const ruleset = withChanges(
      (rules, defaults) =>
        unwrap(setPushRuleEnabled(defaults, rules, { kind: 'override', ruleId: '.m.rule.master' }, { enabled: true })),
      (rules) =>
        unwrap(putUserPushRule(rules, { kind: 'override', ruleId: 'loud' }, { conditions: [], actions: ['notify'] })),
    );
    const mention = buildEvent({ content: { body: 'x', 'm.mentions': { user_ids: [alice] } } });

    expect(evaluatePushRules(mention, context, ruleset)).toMatchObject({
      ruleId: '.m.rule.master',
      notify: false,
      highlight: false,
    });
  });

  it('skips a disabled server-default rule and falls through to the next one', () => {
    const ruleset = withChanges((rules, defaults) =>
      unwrap(setPushRuleEnabled(defaults, rules, { kind: 'underride', ruleId: '.m.rule.message' }, { enabled: false })),
    );

    expect(evaluatePushRules(buildEvent(), context, ruleset).ruleId).toBe(null);
    expect(evaluatePushRules(buildEvent(), buildContext({ roomMemberCount: 2 }), ruleset).ruleId).toBe(
      '.m.rule.room_one_to_one',
    );
  });

  it('uses the actions a user set on a server-default rule', () => {
    const ruleset = withChanges((rules, defaults) =>
      unwrap(
        setPushRuleActions(
          defaults,
          rules,
          { kind: 'underride', ruleId: '.m.rule.message' },
          {
            actions: ['notify', { set_tweak: 'sound', value: 'chime' }],
          },
        ),
      ),
    );

    expect(evaluatePushRules(buildEvent(), context, ruleset)).toMatchObject({ notify: true, sound: 'chime' });
  });

  it('notifies for a keyword through a user content rule, whole words only, without implicit highlight', () => {
    const ruleset = withChanges((rules) =>
      unwrap(putUserPushRule(rules, { kind: 'content', ruleId: 'cake' }, { pattern: 'cake', actions: ['notify'] })),
    );
    const mentionsCake = buildEvent({ content: { body: 'Is there CAKE?' } });
    const mentionsCakes = buildEvent({ content: { body: 'cakes everywhere' } });

    expect(evaluatePushRules(mentionsCake, context, ruleset)).toMatchObject({ ruleId: 'cake', highlight: false });
    expect(evaluatePushRules(mentionsCakes, context, ruleset).ruleId).toBe('.m.rule.message');
  });

  it('mutes one room with a room rule and leaves the others alone', () => {
    const ruleset = withChanges((rules) =>
      unwrap(putUserPushRule(rules, { kind: 'room', ruleId: roomId }, { actions: [] })),
    );

    expect(evaluatePushRules(buildEvent(), context, ruleset)).toMatchObject({ ruleId: roomId, notify: false });
    expect(evaluatePushRules(buildEvent({ room_id: '!other:bureau.test' }), context, ruleset).ruleId).toBe(
      '.m.rule.message',
    );
  });

  it('rings for one sender with a sender rule', () => {
    const ruleset = withChanges((rules) =>
      unwrap(
        putUserPushRule(
          rules,
          { kind: 'sender', ruleId: bob },
          {
            actions: ['notify', { set_tweak: 'sound', value: 'bob.wav' }, { set_tweak: 'highlight', value: true }],
          },
        ),
      ),
    );

    expect(evaluatePushRules(buildEvent(), context, ruleset)).toMatchObject({
      ruleId: bob,
      notify: true,
      highlight: true,
      sound: 'bob.wav',
    });
    expect(evaluatePushRules(buildEvent({ sender: '@carol:bureau.test' }), context, ruleset).ruleId).toBe(
      '.m.rule.message',
    );
  });

  it('puts user override rules above the server-default overrides but below the master rule', () => {
    const ruleset = withChanges((rules) =>
      unwrap(
        putUserPushRule(
          rules,
          { kind: 'override', ruleId: 'bot-notices' },
          {
            conditions: [{ kind: 'event_match', key: 'content.msgtype', pattern: 'm.notice' }],
            actions: ['notify'],
          },
        ),
      ),
    );

    expect(
      evaluatePushRules(buildEvent({ content: { msgtype: 'm.notice', body: 'x' } }), context, ruleset).ruleId,
    ).toBe('bot-notices');
    expect(idsOf(ruleset).override.slice(0, 3)).toEqual(['.m.rule.master', 'bot-notices', '.m.rule.suppress_notices']);
  });

  it('lets a room rule beat a keyword rule only when the keyword rule does not match (content before room)', () => {
    const ruleset = withChanges(
      (rules) => unwrap(putUserPushRule(rules, { kind: 'room', ruleId: roomId }, { actions: [] })),
      (rules) =>
        unwrap(
          putUserPushRule(rules, { kind: 'content', ruleId: 'urgent' }, { pattern: 'urgent', actions: ['notify'] }),
        ),
    );

    expect(evaluatePushRules(buildEvent({ content: { body: 'urgent: fix' } }), context, ruleset).ruleId).toBe('urgent');
    expect(evaluatePushRules(buildEvent({ content: { body: 'later' } }), context, ruleset).ruleId).toBe(roomId);
  });

  it('treats the historical dont_notify and coalesce actions as absent', () => {
    const ruleset = withChanges(
      (rules) => unwrap(putUserPushRule(rules, { kind: 'sender', ruleId: bob }, { actions: ['dont_notify'] })),
      (rules) =>
        unwrap(
          putUserPushRule(rules, { kind: 'sender', ruleId: '@carol:bureau.test' }, { actions: ['coalesce', 'notify'] }),
        ),
    );

    expect(evaluatePushRules(buildEvent(), context, ruleset)).toMatchObject({
      ruleId: bob,
      notify: false,
      actions: [],
    });
    expect(evaluatePushRules(buildEvent({ sender: '@carol:bureau.test' }), context, ruleset)).toMatchObject({
      notify: true,
      actions: ['notify'],
    });
  });

  it('never matches a rule with an unknown condition, which disables it', () => {
    const ruleset = withChanges((rules) =>
      unwrap(
        putUserPushRule(
          rules,
          { kind: 'override', ruleId: 'future' },
          {
            conditions: [{ kind: 'org.example.future', foo: 1 }],
            actions: ['notify', { set_tweak: 'highlight' }],
          },
        ),
      ),
    );

    expect(evaluatePushRules(buildEvent(), context, ruleset).ruleId).toBe('.m.rule.message');
  });

  it('does not highlight when the rule highlights without notifying', () => {
    const ruleset = withChanges((rules) =>
      unwrap(putUserPushRule(rules, { kind: 'sender', ruleId: bob }, { actions: [{ set_tweak: 'highlight' }] })),
    );

    expect(evaluatePushRules(buildEvent(), context, ruleset)).toMatchObject({ notify: false, highlight: false });
  });
});

describe('conditions', () => {
  function overrideWith(...conditions: Array<Record<string, unknown>>) {
    return withChanges((rules) =>
      unwrap(putUserPushRule(rules, { kind: 'override', ruleId: 'probe' }, { conditions, actions: ['notify'] })),
    );
  }
  function probe(event: PushEvent, ruleset: PushRulesContent, context: Partial<PushEvaluationContext> = {}) {
    return evaluatePushRules(event, buildContext(context), ruleset).ruleId === 'probe';
  }

  it('reads keys with escaped dots, and a literal dot path does not reach them', () => {
    const event = buildEvent({ content: { body: 'x', 'm.relates_to': { rel_type: 'm.thread', event_id: '$r' } } });

    expect(
      probe(event, overrideWith({ kind: 'event_match', key: 'content.m\\.relates_to.rel_type', pattern: 'm.t*' })),
    ).toBe(true);
    expect(
      probe(event, overrideWith({ kind: 'event_match', key: 'content.m.relates_to.rel_type', pattern: '*' })),
    ).toBe(false);
  });

  it('splits dotted keys as the appendix says', () => {
    expect(parseDottedKey('content.m\\.relates_to.rel_type')).toEqual(['content', 'm.relates_to', 'rel_type']);
    expect(parseDottedKey('content.m\\\\foo')).toEqual(['content', 'm\\foo']);
    expect(parseDottedKey('content.a\\xb')).toEqual(['content', 'a\\xb']);
    expect(parseDottedKey('content.trailing\\')).toEqual(['content', 'trailing\\']);
    expect(parseDottedKey('type')).toEqual(['type']);
  });

  it('matches event_match only on string values, even with the pattern *', () => {
    const ruleset = overrideWith({ kind: 'event_match', key: 'content.count', pattern: '*' });

    expect(probe(buildEvent({ content: { count: '3' } }), ruleset)).toBe(true);
    expect(probe(buildEvent({ content: { count: 3 } }), ruleset)).toBe(false);
    expect(probe(buildEvent({ content: {} }), ruleset)).toBe(false);
  });

  it('does not walk into inherited properties or arrays', () => {
    expect(
      probe(buildEvent(), overrideWith({ kind: 'event_match', key: 'content.constructor.name', pattern: '*' })),
    ).toBe(false);
    expect(
      probe(
        buildEvent({ content: { list: ['a'] } }),
        overrideWith({ kind: 'event_match', key: 'content.list.0', pattern: 'a' }),
      ),
    ).toBe(false);
  });

  it('compares event_property_is exactly, without casting', () => {
    const isTrue = overrideWith({ kind: 'event_property_is', key: 'content.m\\.federate', value: true });
    const isNull = overrideWith({ kind: 'event_property_is', key: 'content.topic', value: null });
    const isOne = overrideWith({ kind: 'event_property_is', key: 'content.n', value: 1 });

    expect(probe(buildEvent({ content: { 'm.federate': true } }), isTrue)).toBe(true);
    expect(probe(buildEvent({ content: { 'm.federate': 'true' } }), isTrue)).toBe(false);
    expect(probe(buildEvent({ content: { 'm.federate': 1 } }), isTrue)).toBe(false);
    expect(probe(buildEvent({ content: { topic: null } }), isNull)).toBe(true);
    expect(probe(buildEvent({ content: {} }), isNull)).toBe(false);
    expect(probe(buildEvent({ content: { n: 1 } }), isOne)).toBe(true);
    expect(probe(buildEvent({ content: { n: '1' } }), isOne)).toBe(false);
  });

  it('matches event_property_contains on whole array items only', () => {
    const ruleset = overrideWith({
      kind: 'event_property_contains',
      key: 'content.alt_aliases',
      value: '#room:b.test',
    });

    expect(probe(buildEvent({ content: { alt_aliases: ['#a:b.test', '#room:b.test'] } }), ruleset)).toBe(true);
    expect(probe(buildEvent({ content: { alt_aliases: [':b.test', { x: '#room:b.test' }] } }), ruleset)).toBe(false);
    expect(probe(buildEvent({ content: { alt_aliases: '#room:b.test' } }), ruleset)).toBe(false);
  });

  it.each([
    ['2', 2, true],
    ['2', 3, false],
    ['==2', 2, true],
    ['<3', 2, true],
    ['<3', 3, false],
    ['>3', 4, true],
    ['>3', 3, false],
    ['<=3', 3, true],
    ['>=10', 9, false],
    ['>=10', 10, true],
  ])('room_member_count %s with %i members: %s', (is, roomMemberCount, expected) => {
    expect(probe(buildEvent(), overrideWith({ kind: 'room_member_count', is }), { roomMemberCount })).toBe(expected);
  });

  it('lets sender_notification_permission read any notifications key, defaulting to 50', () => {
    const ruleset = overrideWith({ kind: 'sender_notification_permission', key: 'org.example.ping' });

    expect(probe(buildEvent(), ruleset, { senderPowerLevel: 50 })).toBe(true);
    expect(probe(buildEvent(), ruleset, { senderPowerLevel: 10 })).toBe(false);
    expect(
      probe(buildEvent(), ruleset, { senderPowerLevel: 10, notificationPowerLevels: { 'org.example.ping': 10 } }),
    ).toBe(true);
    expect(
      probe(buildEvent(), ruleset, { senderPowerLevel: 10, notificationPowerLevels: { 'org.example.ping': '10' } }),
    ).toBe(false);
  });

  it('matches contains_display_name as a whole word, case-insensitively, literally', () => {
    const ruleset = overrideWith({ kind: 'contains_display_name' });
    const body = (text: string) => buildEvent({ content: { body: text } });

    expect(probe(body('hey alice, ok?'), ruleset)).toBe(true);
    expect(probe(body('Alicent'), ruleset)).toBe(false);
    expect(probe(body('hi_alice'), ruleset)).toBe(false);
    expect(probe(body('A.l.i.c.e'), ruleset, { displayName: 'A*' })).toBe(false);
    expect(probe(body('ping A* now'), ruleset, { displayName: 'A*' })).toBe(true);
    expect(probe(body('Alice'), ruleset, { displayName: null })).toBe(false);
    expect(probe(body('Alice'), ruleset, { displayName: '' })).toBe(false);
    expect(probe(buildEvent({ content: { body: 42 } }), ruleset)).toBe(false);
  });
});

describe('compileGlob', () => {
  it.each([
    ['lunc?*', 'Lunch plans', true],
    ['lunc?*', 'LUNCH', true],
    ['lunc?*', ' lunch', false],
    ['lunc?*', 'lunc', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
    ['?', '😀', true],
    ['??', '😀', false],
    ['a.b', 'axb', false],
    ['(x)|[y]', '(x)|[y]', true],
    ['école', 'ÉCOLE', true],
    ['m.room.*', 'm.room.message', true],
    ['m.room.*', 'm.roomy', false],
  ])('whole value: %j against %j is %s', (pattern, value, expected) => {
    expect(compileGlob(pattern, false)(value)).toBe(expected);
  });

  it.each([
    ['ex*ple', 'An example event.', true],
    ['ex*ple', 'exple', true],
    ['ex*ple', 'An exciting triple-whammy', true],
    ['ex*ple', 'examples', false],
    ['alice', 'Alicent', false],
    ['alice', 'hi_alice', false],
    ['alice', 'ALICE!', true],
    ['alice', 'café alice', true],
    ['alice', 'aliceé', true],
    ['@room', 'hey @room', true],
    ['@room', 'hey@room', false],
    ['tea*time', 'tea\ntime', true],
    ['*', 'anything', true],
    ['', 'word', false],
    ['', 'word ', true],
    ['*cake', 'pancake', true],
    ['cake*', 'cakewalk', true],
    ['c?ke', 'coke cake', true],
  ])('word boundaries: %j in %j is %s', (pattern, value, expected) => {
    expect(compileGlob(pattern, true)(value)).toBe(expected);
  });

  it('stays linear on patterns that make backtracking regular expressions explode', () => {
    const body = 'a'.repeat(65_000);

    expect(compileGlob('*a*a*a*a*a*a*a*a*b', true)(body)).toBe(false);
    expect(compileGlob('a*a*a*a*a*a*a*a*b', false)(body)).toBe(false);
    expect(compileGlob('a?*a*a*a', false)(body)).toBe(true);
  });
});

describe('user rule changes', () => {
  const defaults = defaultPushRules(alice);
  const put = (rules: UserPushRules, ruleId: string, position = {}) =>
    putUserPushRule(rules, { kind: 'content', ruleId }, { pattern: ruleId, actions: ['notify'] }, position);
  const contentIds = (rules: UserPushRules) => rules.rules.content.map((rule) => rule.rule_id);

  it('adds a new rule as the most important of its kind, enabled', () => {
    const rules = unwrap(put(unwrap(put(emptyUserPushRules(), 'first')), 'second'));

    expect(contentIds(rules)).toEqual(['second', 'first']);
    expect(rules.rules.content.every((rule) => rule.enabled)).toBe(true);
  });

  it('places a rule before or after another user rule, before winning when both are given', () => {
    let rules = unwrap(put(unwrap(put(unwrap(put(emptyUserPushRules(), 'c')), 'b')), 'a'));
    expect(contentIds(rules)).toEqual(['a', 'b', 'c']);

    rules = unwrap(put(rules, 'x', { after: 'b' }));
    expect(contentIds(rules)).toEqual(['a', 'b', 'x', 'c']);
    rules = unwrap(put(rules, 'y', { before: 'a' }));
    expect(contentIds(rules)).toEqual(['y', 'a', 'b', 'x', 'c']);
    rules = unwrap(put(rules, 'z', { before: 'c', after: 'y' }));
    expect(contentIds(rules)).toEqual(['y', 'a', 'b', 'x', 'z', 'c']);
  });

  it('keeps the place and the enabled flag of a replaced rule unless told where to move it', () => {
    let rules = unwrap(put(unwrap(put(unwrap(put(emptyUserPushRules(), 'c')), 'b')), 'a'));
    rules = unwrap(setPushRuleEnabled(defaults, rules, { kind: 'content', ruleId: 'b' }, { enabled: false }));

    const replaced = unwrap(
      putUserPushRule(rules, { kind: 'content', ruleId: 'b' }, { pattern: 'bee', actions: ['notify'] }),
    );
    expect(contentIds(replaced)).toEqual(['a', 'b', 'c']);
    expect(replaced.rules.content[1]).toEqual({ rule_id: 'b', enabled: false, pattern: 'bee', actions: ['notify'] });

    expect(contentIds(unwrap(put(rules, 'b', { after: 'c' })))).toEqual(['a', 'c', 'b']);
  });

  it('refuses a position relative to a missing or server-default rule with M_UNKNOWN', () => {
    const rules = unwrap(put(emptyUserPushRules(), 'a'));

    expect(errcodeOf(put(rules, 'b', { before: 'missing' }))).toBe('M_UNKNOWN');
    expect(errcodeOf(put(rules, 'b', { after: '.m.rule.contains_user_name' }))).toBe('M_UNKNOWN');
    expect(errcodeOf(put(rules, 'a', { before: 'a' }))).toBe('M_UNKNOWN');
  });

  it.each([
    ['override', '.m.rule.mine', { conditions: [], actions: [] }, 'M_INVALID_PARAM'],
    ['override', 'a/b', { conditions: [], actions: [] }, 'M_INVALID_PARAM'],
    ['override', 'a\\b', { conditions: [], actions: [] }, 'M_INVALID_PARAM'],
    ['override', '', { conditions: [], actions: [] }, 'M_INVALID_PARAM'],
    ['override', 'x'.repeat(256), { conditions: [], actions: [] }, 'M_INVALID_PARAM'],
    ['global', 'rule', { actions: [] }, 'M_INVALID_PARAM'],
    ['room', 'not-a-room', { actions: [] }, 'M_INVALID_PARAM'],
    ['sender', 'bob', { actions: [] }, 'M_INVALID_PARAM'],
    ['override', 'rule', ['not', 'an', 'object'], 'M_BAD_JSON'],
    ['override', 'rule', { conditions: [] }, 'M_BAD_JSON'],
    ['override', 'rule', { conditions: [], actions: ['ring'] }, 'M_BAD_JSON'],
    ['override', 'rule', { conditions: [], actions: [{ value: 'x' }] }, 'M_BAD_JSON'],
    ['override', 'rule', { conditions: [], actions: [{ set_tweak: 'highlight', value: 'yes' }] }, 'M_BAD_JSON'],
    ['override', 'rule', { conditions: [], actions: [{ set_tweak: 'sound' }] }, 'M_BAD_JSON'],
    ['override', 'rule', { conditions: {}, actions: [] }, 'M_BAD_JSON'],
    ['override', 'rule', { conditions: [{ key: 'type' }], actions: [] }, 'M_BAD_JSON'],
    ['override', 'rule', { conditions: [{ kind: 'event_match', key: 'type' }], actions: [] }, 'M_BAD_JSON'],
    [
      'override',
      'rule',
      { conditions: [{ kind: 'event_property_is', key: 'a', value: 1.5 }], actions: [] },
      'M_BAD_JSON',
    ],
    [
      'override',
      'rule',
      { conditions: [{ kind: 'event_property_is', key: 'a', value: [1] }], actions: [] },
      'M_BAD_JSON',
    ],
    ['override', 'rule', { conditions: [{ kind: 'room_member_count', is: '=<2' }], actions: [] }, 'M_BAD_JSON'],
    ['override', 'rule', { conditions: [{ kind: 'sender_notification_permission' }], actions: [] }, 'M_BAD_JSON'],
    ['content', 'rule', { actions: [] }, 'M_BAD_JSON'],
    ['content', 'rule', { pattern: 'x'.repeat(513), actions: [] }, 'M_BAD_JSON'],
  ])('refuses PUT %s/%s with %j: %s', (kind, ruleId, body, errcode) => {
    expect(errcodeOf(putUserPushRule(emptyUserPushRules(), { kind, ruleId }, body))).toBe(errcode);
  });

  it('accepts an override or underride rule without conditions, and keeps unknown condition kinds', () => {
    const rules = unwrap(
      putUserPushRule(
        emptyUserPushRules(),
        { kind: 'underride', ruleId: 'all' },
        {
          actions: ['notify', 'dont_notify', { set_tweak: 'org.example.led', value: { colour: 'red' } }],
        },
      ),
    );
    const withUnknown = unwrap(
      putUserPushRule(
        rules,
        { kind: 'override', ruleId: 'later' },
        {
          conditions: [{ kind: 'org.example.future', foo: 1 }],
          actions: [],
        },
      ),
    );

    expect(rules.rules.underride[0]?.conditions).toEqual([]);
    expect(rules.rules.underride[0]?.actions).toEqual([
      'notify',
      'dont_notify',
      { set_tweak: 'org.example.led', value: { colour: 'red' } },
    ]);
    expect(withUnknown.rules.override[0]?.conditions).toEqual([{ kind: 'org.example.future', foo: 1 }]);
  });

  it('deletes user rules only', () => {
    const rules = unwrap(put(emptyUserPushRules(), 'a'));

    expect(contentIds(unwrap(deleteUserPushRule(rules, { kind: 'content', ruleId: 'a' })))).toEqual([]);
    expect(errcodeOf(deleteUserPushRule(rules, { kind: 'content', ruleId: 'b' }))).toBe('M_NOT_FOUND');
    expect(errcodeOf(deleteUserPushRule(rules, { kind: 'override', ruleId: '.m.rule.master' }))).toBe('M_NOT_FOUND');
    expect(errcodeOf(deleteUserPushRule(rules, { kind: 'nope', ruleId: 'a' }))).toBe('M_INVALID_PARAM');
  });

  it('changes enabled and actions of server-default and user rules, and reports the others missing', () => {
    const master = { kind: 'override', ruleId: '.m.rule.master' };
    let rules = unwrap(setPushRuleEnabled(defaults, emptyUserPushRules(), master, { enabled: true }));
    rules = unwrap(setPushRuleActions(defaults, rules, master, { actions: ['notify'] }));
    rules = unwrap(put(rules, 'mine'));
    rules = unwrap(setPushRuleActions(defaults, rules, { kind: 'content', ruleId: 'mine' }, { actions: [] }));

    const merged = mergeUserRules(defaults, rules);
    expect(unwrap(findPushRule(merged, master))).toMatchObject({ enabled: true, actions: ['notify'], default: true });
    expect(unwrap(findPushRule(merged, { kind: 'content', ruleId: 'mine' }))).toMatchObject({
      actions: [],
      default: false,
    });
    expect(rules.serverDefaultChanges).toEqual([
      { kind: 'override', rule_id: '.m.rule.master', enabled: true, actions: ['notify'] },
    ]);

    expect(
      errcodeOf(setPushRuleEnabled(defaults, rules, { kind: 'override', ruleId: 'nope' }, { enabled: true })),
    ).toBe('M_NOT_FOUND');
    expect(
      errcodeOf(setPushRuleEnabled(defaults, rules, { kind: 'content', ruleId: '.m.rule.master' }, { enabled: true })),
    ).toBe('M_NOT_FOUND');
    expect(errcodeOf(setPushRuleEnabled(defaults, rules, master, { enabled: 'yes' }))).toBe('M_BAD_JSON');
    expect(errcodeOf(setPushRuleEnabled(defaults, rules, master, true))).toBe('M_BAD_JSON');
    expect(errcodeOf(setPushRuleActions(defaults, rules, master, { actions: 'notify' }))).toBe('M_BAD_JSON');
    expect(errcodeOf(findPushRule(merged, { kind: 'room', ruleId: '!x' }))).toBe('M_NOT_FOUND');
    expect(errcodeOf(findPushRule(merged, { kind: 'rooms', ruleId: '!x' }))).toBe('M_INVALID_PARAM');
  });

  it('presents the merged ruleset in the spec shape: user rules first, room and sender rules without conditions', () => {
    const merged = withChanges(
      (rules) => unwrap(putUserPushRule(rules, { kind: 'room', ruleId: roomId }, { actions: [] })),
      (rules) => unwrap(putUserPushRule(rules, { kind: 'sender', ruleId: bob }, { actions: ['notify'] })),
      (rules) => unwrap(putUserPushRule(rules, { kind: 'underride', ruleId: 'u' }, { conditions: [], actions: [] })),
      (rules) => unwrap(putUserPushRule(rules, { kind: 'override', ruleId: 'o' }, { conditions: [], actions: [] })),
    );

    expect(idsOf(merged)).toMatchObject({
      room: [roomId],
      sender: [bob],
      underride: [
        'u',
        '.m.rule.call',
        '.m.rule.encrypted_room_one_to_one',
        '.m.rule.room_one_to_one',
        '.m.rule.message',
        '.m.rule.encrypted',
      ],
    });
    expect(idsOf(merged).override.slice(0, 3)).toEqual(['.m.rule.master', 'o', '.m.rule.suppress_notices']);
    expect(merged.global.room[0]).toEqual({ rule_id: roomId, default: false, enabled: true, actions: [] });
    expect(merged.global.underride[0]).toEqual({
      rule_id: 'u',
      default: false,
      enabled: true,
      actions: [],
      conditions: [],
    });
  });

  it('treats a rule id such as __proto__ as plain data', () => {
    const rules = unwrap(
      putUserPushRule(emptyUserPushRules(), { kind: 'content', ruleId: '__proto__' }, { pattern: 'x', actions: [] }),
    );

    expect(contentIds(rules)).toEqual(['__proto__']);
    expect(Object.prototype).not.toHaveProperty('pattern');
  });
});
