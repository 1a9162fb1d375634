/**
 * Matrix push rules: the server-default ruleset, the user's changes to it, and the evaluation of a ruleset
 * against an event (Client-Server API, module "Push Notifications", spec v1.19 — the module is unchanged
 * since v1.17, which removed the legacy body-mention rules). Pure: no storage, no HTTP. See PUSH-RULES.md.
 */

/** The kinds of rules, in the order they are checked. */
export const PUSH_RULE_KINDS = ['override', 'content', 'room', 'sender', 'underride'] as const;
export type PushRuleKind = (typeof PUSH_RULE_KINDS)[number];

/** A non-compound canonical JSON value, as `event_property_is` and `event_property_contains` compare. */
export type PushScalar = string | number | boolean | null;

/** A condition as it travels in JSON; unknown kinds are kept and never match. */
export interface PushCondition {
  readonly kind: string;
  readonly key?: string;
  readonly pattern?: string;
  readonly value?: PushScalar;
  readonly is?: string;
}

export interface PushTweakAction {
  readonly set_tweak: string;
  readonly value?: unknown;
}
/** `notify`, the historical `dont_notify`/`coalesce` (ignored), or `{ set_tweak, value? }`. */
export type PushAction = string | PushTweakAction;

/** A rule in the spec's JSON shape (`GET /pushrules/`, `m.push_rules` account data). */
export interface PushRule {
  readonly rule_id: string;
  readonly default: boolean;
  readonly enabled: boolean;
  readonly actions: readonly PushAction[];
  /** Only `override` and `underride` rules. */
  readonly conditions?: readonly PushCondition[];
  /** Only `content` rules. */
  readonly pattern?: string;
}

export type PushRuleset = { readonly [Kind in PushRuleKind]: readonly PushRule[] };

/** The body of `GET /pushrules/` and the content of the `m.push_rules` account data event. */
export interface PushRulesContent {
  readonly global: PushRuleset;
}

/** A rule the user created, without the `default` flag (always false). */
export interface UserPushRule {
  readonly rule_id: string;
  readonly enabled: boolean;
  readonly actions: readonly PushAction[];
  readonly conditions?: readonly PushCondition[];
  readonly pattern?: string;
}

/** The user's change to a server-default rule (the only changes the spec allows on them). */
export interface ServerDefaultRuleChange {
  readonly kind: PushRuleKind;
  readonly rule_id: string;
  readonly enabled?: boolean;
  readonly actions?: readonly PushAction[];
}

/**
 * Everything a user changed, JSON-serialisable so that any store can keep it as one document. Arrays rather
 * than objects keyed by rule id, so that a rule id such as `__proto__` is only data.
 */
export interface UserPushRules {
  /** The user's own rules of each kind, most important first. */
  readonly rules: { readonly [Kind in PushRuleKind]: readonly UserPushRule[] };
  readonly serverDefaultChanges: readonly ServerDefaultRuleChange[];
}

export type PushRuleErrorCode = 'M_NOT_FOUND' | 'M_INVALID_PARAM' | 'M_UNKNOWN' | 'M_BAD_JSON';

/** A refusal, carrying the Matrix error code; the HTTP layer answers 404 for `M_NOT_FOUND`, 400 otherwise. */
export interface PushRuleError {
  readonly errcode: PushRuleErrorCode;
  readonly error: string;
}

export type PushRuleResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PushRuleError };

/** Identifies a rule as the `/pushrules/global/{kind}/{ruleId}` path does (both unchecked strings). */
export interface PushRuleRef {
  readonly kind: string;
  readonly ruleId: string;
}

/** Bounds on user-defined rules, so that a stored ruleset stays small and cheap to evaluate. */
export const PUSH_RULE_LIMITS = {
  ruleIdBytes: 255,
  patternLength: 512,
  conditionsPerRule: 16,
  actionsPerRule: 16,
  keyLength: 255,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Server-default rules

const MASTER_RULE_ID = '.m.rule.master';
/** Rules that v1.17 removed; Synapse and matrix-js-sdk skip them when the event has `m.mentions`. */
const LEGACY_MENTION_RULE_IDS: ReadonlySet<string> = new Set([
  '.m.rule.contains_display_name',
  '.m.rule.contains_user_name',
  '.m.rule.roomnotif',
]);

const SOUND_DEFAULT: PushTweakAction = { set_tweak: 'sound', value: 'default' };
const HIGHLIGHT: PushTweakAction = { set_tweak: 'highlight' };

export interface DefaultPushRulesOptions {
  /**
   * Also ship the rules v1.17 removed (`.m.rule.contains_display_name`, `.m.rule.roomnotif`,
   * `.m.rule.contains_user_name`), as Synapse still does, for clients that do not send `m.mentions`.
   * They never match an event that carries `m.mentions`. Off by default: the spec no longer lists them.
   */
  readonly legacyMentionRules?: boolean;
}

function serverDefault(
  rule_id: string,
  conditions: readonly PushCondition[],
  actions: readonly PushAction[],
  enabled = true,
): PushRule {
  return { rule_id, default: true, enabled, conditions, actions };
}

function eventMatch(key: string, pattern: string): PushCondition {
  return { kind: 'event_match', key, pattern };
}

/**
 * The spec's server-default ruleset for `userId`, in the spec's order. Fresh objects on every call: evaluation
 * caches compiled rules by object identity, so callers keep and reuse the value (see {@link compilePushRules}).
 */
export function defaultPushRules(userId: string, options: DefaultPushRulesOptions = {}): PushRulesContent {
  const legacy = options.legacyMentionRules === true;
  const override: PushRule[] = [
    serverDefault(MASTER_RULE_ID, [], [], false),
    serverDefault('.m.rule.suppress_notices', [eventMatch('content.msgtype', 'm.notice')], []),
    serverDefault(
      '.m.rule.invite_for_me',
      [
        eventMatch('type', 'm.room.member'),
        eventMatch('content.membership', 'invite'),
        eventMatch('state_key', userId),
      ],
      ['notify', SOUND_DEFAULT],
    ),
    serverDefault('.m.rule.member_event', [eventMatch('type', 'm.room.member')], []),
    serverDefault(
      '.m.rule.is_user_mention',
      [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: userId }],
      ['notify', SOUND_DEFAULT, HIGHLIGHT],
    ),
    ...(legacy
      ? [
          serverDefault(
            '.m.rule.contains_display_name',
            [{ kind: 'contains_display_name' }],
            ['notify', SOUND_DEFAULT, HIGHLIGHT],
          ),
        ]
      : []),
    serverDefault(
      '.m.rule.is_room_mention',
      [
        { kind: 'event_property_is', key: 'content.m\\.mentions.room', value: true },
        { kind: 'sender_notification_permission', key: 'room' },
      ],
      ['notify', HIGHLIGHT],
    ),
    ...(legacy
      ? [
          serverDefault(
            '.m.rule.roomnotif',
            [eventMatch('content.body', '@room'), { kind: 'sender_notification_permission', key: 'room' }],
            ['notify', HIGHLIGHT],
          ),
        ]
      : []),
    serverDefault(
      '.m.rule.tombstone',
      [eventMatch('type', 'm.room.tombstone'), eventMatch('state_key', '')],
      ['notify', HIGHLIGHT],
    ),
    serverDefault('.m.rule.reaction', [eventMatch('type', 'm.reaction')], []),
    serverDefault(
      '.m.rule.room.server_acl',
      [eventMatch('type', 'm.room.server_acl'), eventMatch('state_key', '')],
      [],
    ),
    serverDefault(
      '.m.rule.suppress_edits',
      [{ kind: 'event_property_is', key: 'content.m\\.relates_to.rel_type', value: 'm.replace' }],
      [],
    ),
  ];
  const content: PushRule[] = legacy
    ? [
        {
          rule_id: '.m.rule.contains_user_name',
          default: true,
          enabled: true,
          pattern: localpartOf(userId),
          actions: ['notify', SOUND_DEFAULT, HIGHLIGHT],
        },
      ]
    : [];
  const underride: PushRule[] = [
    serverDefault(
      '.m.rule.call',
      [eventMatch('type', 'm.call.invite')],
      ['notify', { set_tweak: 'sound', value: 'ring' }],
    ),
    serverDefault(
      '.m.rule.encrypted_room_one_to_one',
      [{ kind: 'room_member_count', is: '2' }, eventMatch('type', 'm.room.encrypted')],
      ['notify', SOUND_DEFAULT],
    ),
    serverDefault(
      '.m.rule.room_one_to_one',
      [{ kind: 'room_member_count', is: '2' }, eventMatch('type', 'm.room.message')],
      ['notify', SOUND_DEFAULT],
    ),
    serverDefault('.m.rule.message', [eventMatch('type', 'm.room.message')], ['notify']),
    serverDefault('.m.rule.encrypted', [eventMatch('type', 'm.room.encrypted')], ['notify']),
  ];
  return { global: { override, content, room: [], sender: [], underride } };
}

function localpartOf(userId: string): string {
  const colon = userId.indexOf(':');
  return userId.slice(userId.startsWith('@') ? 1 : 0, colon === -1 ? undefined : colon);
}

// ---------------------------------------------------------------------------------------------------------------
// The user's changes

export function emptyUserPushRules(): UserPushRules {
  return {
    rules: { override: [], content: [], room: [], sender: [], underride: [] },
    serverDefaultChanges: [],
  };
}

export function isPushRuleKind(value: string): value is PushRuleKind {
  return (PUSH_RULE_KINDS as readonly string[]).includes(value);
}

/**
 * The effective ruleset: within each kind the user's rules come before the server-default ones, except
 * `.m.rule.master`, which stays above every rule (spec, "Predefined Rules"). The user's `enabled`/`actions`
 * changes are applied to the server-default rules; changes to a rule the defaults no longer have are ignored.
 */
export function mergeUserRules(defaults: PushRulesContent, userRules: UserPushRules): PushRulesContent {
  const merged = {} as { [Kind in PushRuleKind]: PushRule[] };
  for (const kind of PUSH_RULE_KINDS) {
    const serverRules = defaults.global[kind].map((rule) => applyServerDefaultChange(rule, kind, userRules));
    const ownRules = userRules.rules[kind].map((rule) => presentUserRule(kind, rule));
    const above = serverRules.filter((rule) => rule.rule_id === MASTER_RULE_ID);
    const below = serverRules.filter((rule) => rule.rule_id !== MASTER_RULE_ID);
    merged[kind] = [...above, ...ownRules, ...below];
  }
  return { global: merged };
}

function applyServerDefaultChange(rule: PushRule, kind: PushRuleKind, userRules: UserPushRules): PushRule {
  const change = userRules.serverDefaultChanges.find((entry) => entry.kind === kind && entry.rule_id === rule.rule_id);
  if (!change) return rule;
  return { ...rule, enabled: change.enabled ?? rule.enabled, actions: change.actions ?? rule.actions };
}

function presentUserRule(kind: PushRuleKind, rule: UserPushRule): PushRule {
  const base = { rule_id: rule.rule_id, default: false, enabled: rule.enabled, actions: rule.actions };
  if (kind === 'override' || kind === 'underride') return { ...base, conditions: rule.conditions ?? [] };
  if (kind === 'content') return { ...base, pattern: rule.pattern ?? '' };
  return base;
}

/** Finds a rule of the effective ruleset, for `GET /pushrules/global/{kind}/{ruleId}` and its attributes. */
export function findPushRule(ruleset: PushRulesContent, ref: PushRuleRef): PushRuleResult<PushRule> {
  if (!isPushRuleKind(ref.kind)) return unknownKind(ref.kind);
  const rule = ruleset.global[ref.kind].find((candidate) => candidate.rule_id === ref.ruleId);
  return rule ? { ok: true, value: rule } : notFound(ref);
}

export interface PushRulePosition {
  /** Make the rule the next more important than this user-defined rule. Wins over `after`. */
  readonly before?: string | undefined;
  /** Make the rule the next less important than this user-defined rule. */
  readonly after?: string | undefined;
}

/**
 * `PUT /pushrules/global/{kind}/{ruleId}`: creates a user rule (enabled, most important of its kind unless
 * positioned) or replaces one (keeping its `enabled` flag and, unless positioned, its place). `body` is the
 * parsed JSON request body, validated here.
 */
export function putUserPushRule(
  userRules: UserPushRules,
  ref: PushRuleRef,
  body: unknown,
  position: PushRulePosition = {},
): PushRuleResult<UserPushRules> {
  if (!isPushRuleKind(ref.kind)) return unknownKind(ref.kind);
  const kind = ref.kind;
  const idProblem = ruleIdProblem(kind, ref.ruleId);
  if (idProblem) return failure('M_INVALID_PARAM', idProblem);
  if (!isPlainObject(body)) return failure('M_BAD_JSON', 'The push rule must be a JSON object.');

  const actions = validateActions(body.actions);
  if (!actions.ok) return actions;
  let rule: UserPushRule;
  if (kind === 'override' || kind === 'underride') {
    const conditions = validateConditions(body.conditions ?? []);
    if (!conditions.ok) return conditions;
    rule = { rule_id: ref.ruleId, enabled: true, actions: actions.value, conditions: conditions.value };
  } else if (kind === 'content') {
    if (typeof body.pattern !== 'string') return failure('M_BAD_JSON', 'A content rule needs a string "pattern".');
    if (body.pattern.length > PUSH_RULE_LIMITS.patternLength) {
      return failure('M_BAD_JSON', `"pattern" is longer than ${PUSH_RULE_LIMITS.patternLength} characters.`);
    }
    rule = { rule_id: ref.ruleId, enabled: true, actions: actions.value, pattern: body.pattern };
  } else {
    rule = { rule_id: ref.ruleId, enabled: true, actions: actions.value };
  }

  const current = userRules.rules[kind];
  const existingIndex = current.findIndex((candidate) => candidate.rule_id === ref.ruleId);
  const existing = current[existingIndex];
  if (existing) rule = { ...rule, enabled: existing.enabled };
  const others = current.filter((candidate) => candidate.rule_id !== ref.ruleId);

  const anchor = position.before || position.after;
  let insertAt: number;
  if (anchor) {
    const anchorIndex = anchor.startsWith('.') ? -1 : others.findIndex((candidate) => candidate.rule_id === anchor);
    if (anchorIndex === -1) return failure('M_UNKNOWN', `before/after rule not found: ${anchor}`);
    insertAt = position.before ? anchorIndex : anchorIndex + 1;
  } else {
    insertAt = existing ? existingIndex : 0;
  }
  const next = [...others.slice(0, insertAt), rule, ...others.slice(insertAt)];
  return { ok: true, value: { ...userRules, rules: { ...userRules.rules, [kind]: next } } };
}

/** `DELETE /pushrules/global/{kind}/{ruleId}`: only user rules can be deleted; server-default ones are "not found". */
export function deleteUserPushRule(userRules: UserPushRules, ref: PushRuleRef): PushRuleResult<UserPushRules> {
  if (!isPushRuleKind(ref.kind)) return unknownKind(ref.kind);
  const current = userRules.rules[ref.kind];
  if (!current.some((rule) => rule.rule_id === ref.ruleId)) return notFound(ref);
  const next = current.filter((rule) => rule.rule_id !== ref.ruleId);
  return { ok: true, value: { ...userRules, rules: { ...userRules.rules, [ref.kind]: next } } };
}

/** `PUT /pushrules/global/{kind}/{ruleId}/enabled` with body `{ "enabled": boolean }`. */
export function setPushRuleEnabled(
  defaults: PushRulesContent,
  userRules: UserPushRules,
  ref: PushRuleRef,
  body: unknown,
): PushRuleResult<UserPushRules> {
  return changeRule(defaults, userRules, ref, () => {
    if (!isPlainObject(body) || typeof body.enabled !== 'boolean') {
      return failure('M_BAD_JSON', 'The body must be { "enabled": true | false }.');
    }
    return { ok: true, value: { enabled: body.enabled } };
  });
}

/** `PUT /pushrules/global/{kind}/{ruleId}/actions` with body `{ "actions": [...] }`. */
export function setPushRuleActions(
  defaults: PushRulesContent,
  userRules: UserPushRules,
  ref: PushRuleRef,
  body: unknown,
): PushRuleResult<UserPushRules> {
  return changeRule(defaults, userRules, ref, () => {
    if (!isPlainObject(body)) return failure('M_BAD_JSON', 'The body must be { "actions": [...] }.');
    const actions = validateActions(body.actions);
    return actions.ok ? { ok: true, value: { actions: actions.value } } : actions;
  });
}

type RuleAttributes = { readonly enabled?: boolean; readonly actions?: readonly PushAction[] };

function changeRule(
  defaults: PushRulesContent,
  userRules: UserPushRules,
  ref: PushRuleRef,
  readAttributes: () => PushRuleResult<RuleAttributes>,
): PushRuleResult<UserPushRules> {
  if (!isPushRuleKind(ref.kind)) return unknownKind(ref.kind);
  const kind = ref.kind;
  const own = userRules.rules[kind];
  const isOwn = own.some((rule) => rule.rule_id === ref.ruleId);
  const isServerDefault = defaults.global[kind].some((rule) => rule.rule_id === ref.ruleId);
  if (!isOwn && !isServerDefault) return notFound(ref);
  const attributes = readAttributes();
  if (!attributes.ok) return attributes;
  const change = attributes.value;

  if (isOwn) {
    const next = own.map((rule) => (rule.rule_id === ref.ruleId ? { ...rule, ...change } : rule));
    return { ok: true, value: { ...userRules, rules: { ...userRules.rules, [kind]: next } } };
  }
  const matches = (entry: ServerDefaultRuleChange) => entry.kind === kind && entry.rule_id === ref.ruleId;
  const previous = userRules.serverDefaultChanges.find(matches);
  const updated: ServerDefaultRuleChange = { ...previous, ...change, kind, rule_id: ref.ruleId };
  const serverDefaultChanges = [...userRules.serverDefaultChanges.filter((entry) => !matches(entry)), updated];
  return { ok: true, value: { ...userRules, serverDefaultChanges } };
}

function ruleIdProblem(kind: PushRuleKind, ruleId: string): string | null {
  if (ruleId === '') return 'The rule id is empty.';
  if (ruleId.startsWith('.')) return 'Rule ids starting with "." are reserved for server-default rules.';
  if (ruleId.includes('/') || ruleId.includes('\\')) return 'Rule ids may not contain "/" or "\\".';
  if (Buffer.byteLength(ruleId, 'utf8') > PUSH_RULE_LIMITS.ruleIdBytes) {
    return `The rule id is longer than ${PUSH_RULE_LIMITS.ruleIdBytes} bytes.`;
  }
  if (kind === 'room' && !ruleId.startsWith('!')) return 'The id of a room rule is the room id.';
  if (kind === 'sender' && !ruleId.startsWith('@')) return 'The id of a sender rule is the user id.';
  return null;
}

const PLAIN_ACTIONS: ReadonlySet<string> = new Set(['notify', 'dont_notify', 'coalesce']);

/** Validates an `actions` array; the historical `dont_notify` and `coalesce` are accepted (and ignored when evaluating). */
export function validateActions(value: unknown): PushRuleResult<PushAction[]> {
  if (!Array.isArray(value)) return failure('M_BAD_JSON', '"actions" must be an array.');
  if (value.length > PUSH_RULE_LIMITS.actionsPerRule) {
    return failure('M_BAD_JSON', `At most ${PUSH_RULE_LIMITS.actionsPerRule} actions are allowed.`);
  }
  const actions: PushAction[] = [];
  for (const action of value as unknown[]) {
    if (typeof action === 'string') {
      if (!PLAIN_ACTIONS.has(action)) return failure('M_BAD_JSON', `Unknown action: ${action}`);
      actions.push(action);
      continue;
    }
    if (!isPlainObject(action) || typeof action.set_tweak !== 'string' || action.set_tweak === '') {
      return failure('M_BAD_JSON', 'An action is "notify" or { "set_tweak": string, "value"?: any }.');
    }
    const tweak = action.set_tweak;
    const tweakValue = action.value;
    if (tweak === 'highlight' && tweakValue !== undefined && typeof tweakValue !== 'boolean') {
      return failure('M_BAD_JSON', 'The "highlight" tweak takes a boolean value.');
    }
    if (tweak === 'sound' && typeof tweakValue !== 'string') {
      return failure('M_BAD_JSON', 'The "sound" tweak takes a string value.');
    }
    actions.push(tweakValue === undefined ? { set_tweak: tweak } : { set_tweak: tweak, value: tweakValue });
  }
  return { ok: true, value: actions };
}

const MEMBER_COUNT_PATTERN = /^(==|<=|>=|<|>)?([0-9]+)$/;

/**
 * Validates a `conditions` array. Known kinds must carry their parameters (and keep only those); unknown kinds
 * are stored as given, since the spec lets them exist and never match.
 */
export function validateConditions(value: unknown): PushRuleResult<PushCondition[]> {
  if (!Array.isArray(value)) return failure('M_BAD_JSON', '"conditions" must be an array.');
  if (value.length > PUSH_RULE_LIMITS.conditionsPerRule) {
    return failure('M_BAD_JSON', `At most ${PUSH_RULE_LIMITS.conditionsPerRule} conditions are allowed.`);
  }
  const conditions: PushCondition[] = [];
  for (const condition of value as unknown[]) {
    const checked = validateCondition(condition);
    if (!checked.ok) return checked;
    conditions.push(checked.value);
  }
  return { ok: true, value: conditions };
}

function validateCondition(condition: unknown): PushRuleResult<PushCondition> {
  if (!isPlainObject(condition) || typeof condition.kind !== 'string') {
    return failure('M_BAD_JSON', 'A condition is an object with a string "kind".');
  }
  const { kind, key, pattern, value, is } = condition;
  const keyIsValid = typeof key === 'string' && key !== '' && key.length <= PUSH_RULE_LIMITS.keyLength;
  switch (kind) {
    case 'event_match':
      if (!keyIsValid || typeof pattern !== 'string' || pattern.length > PUSH_RULE_LIMITS.patternLength) {
        return failure('M_BAD_JSON', 'event_match needs a string "key" and "pattern".');
      }
      return { ok: true, value: { kind, key, pattern } };
    case 'event_property_is':
    case 'event_property_contains':
      if (!keyIsValid || !isPushScalar(value)) {
        return failure('M_BAD_JSON', `${kind} needs a string "key" and a string, integer, boolean or null "value".`);
      }
      return { ok: true, value: { kind, key, value } };
    case 'contains_display_name':
      return { ok: true, value: { kind } };
    case 'room_member_count':
      if (typeof is !== 'string' || !MEMBER_COUNT_PATTERN.test(is)) {
        return failure(
          'M_BAD_JSON',
          'room_member_count needs "is": a number optionally prefixed by ==, <, >, <= or >=.',
        );
      }
      return { ok: true, value: { kind, is } };
    case 'sender_notification_permission':
      if (!keyIsValid) return failure('M_BAD_JSON', 'sender_notification_permission needs a string "key".');
      return { ok: true, value: { kind, key } };
    default:
      return { ok: true, value: condition as unknown as PushCondition };
  }
}

function isPushScalar(value: unknown): value is PushScalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isSafeInteger(value))
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(errcode: PushRuleErrorCode, error: string): { ok: false; error: PushRuleError } {
  return { ok: false, error: { errcode, error } };
}

function unknownKind(kind: string): { ok: false; error: PushRuleError } {
  return failure('M_INVALID_PARAM', `Unknown push rule kind: ${kind}`);
}

function notFound(ref: PushRuleRef): { ok: false; error: PushRuleError } {
  return failure('M_NOT_FOUND', `The push rule was not found: ${ref.kind}/${ref.ruleId}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/** The parts of an event push rules read; any other top-level property is reachable through dotted keys. */
export interface PushEvent {
  readonly type: string;
  readonly sender: string;
  readonly room_id?: string;
  readonly state_key?: string;
  readonly content: object;
}

/** What the rules need to know about the recipient and the room when the event is evaluated. */
export interface PushEvaluationContext {
  /** The recipient, whose ruleset is evaluated. */
  readonly userId: string;
  /** The recipient's display name in the room (`contains_display_name`); null or empty never matches. */
  readonly displayName: string | null;
  /** Joined members of the room (`room_member_count`). */
  readonly roomMemberCount: number;
  /** The sender's power level in the room (`sender_notification_permission`). */
  readonly senderPowerLevel: number;
  /** `content.notifications` of `m.room.power_levels`; a missing or non-integer level counts as 50. */
  readonly notificationPowerLevels: Readonly<Record<string, unknown>>;
}

export interface PushEvaluation {
  readonly notify: boolean;
  /** Highlight tweak of the matching rule; only true when it also notifies (what the unread counts need). */
  readonly highlight: boolean;
  /** The `sound` tweak, when the rule sets one. */
  readonly sound?: string;
  /** The matching rule, or null when none matched (or the recipient sent the event). */
  readonly ruleId: string | null;
  readonly kind: PushRuleKind | null;
  /** The matching rule's actions, without the historical `dont_notify`/`coalesce` (for pushers and /notifications). */
  readonly actions: readonly PushAction[];
}

const NO_MATCH: PushEvaluation = Object.freeze({
  notify: false,
  highlight: false,
  ruleId: null,
  kind: null,
  actions: Object.freeze([]),
});

const compiledMarker = Symbol('compiledPushRules');
const preparedMarker = Symbol('preparedPushEvent');

/** A ruleset turned into matchers once; reuse it for every event evaluated for its owner. */
export interface CompiledPushRules {
  readonly [compiledMarker]: true;
  readonly rules: readonly CompiledRule[];
}

/**
 * An event with its per-event work done once (body, mentions flag). The results of conditions that depend only
 * on the event are remembered against this object and shared by every recipient: prepare once, evaluate for each
 * member of the room.
 */
export interface PreparedPushEvent {
  readonly [preparedMarker]: true;
  readonly event: PushEvent;
  readonly content: Readonly<Record<string, unknown>>;
  readonly body: string | undefined;
  readonly hasMentions: boolean;
  /** Distinguishes preparations, so that remembered results never outlive theirs nor hold the event. */
  readonly serial: number;
}

interface CompiledRule {
  readonly conditions: readonly CompiledCondition[];
  readonly skippedWhenMentions: boolean;
  readonly outcome: PushEvaluation;
}

type CompiledCondition =
  | EventCondition
  | {
      readonly scope: 'recipient';
      readonly test: (event: PreparedPushEvent, context: PushEvaluationContext) => boolean;
    };

/**
 * A condition on the event alone. Interned conditions are shared by every recipient's ruleset, so the last
 * result is kept on the condition itself, keyed by the prepared event's serial: evaluating one event for a whole room
 * computes it once (evaluation is synchronous, so nothing interleaves within one recipient's evaluation).
 */
interface EventCondition {
  readonly scope: 'event';
  readonly test: (event: PreparedPushEvent) => boolean;
  lastSerial: number;
  lastResult: boolean;
}

const compiledByRuleset = new WeakMap<object, CompiledPushRules>();

/** Compiles a ruleset (cached by object identity: treat rulesets as immutable, as every function here does). */
export function compilePushRules(ruleset: PushRulesContent | PushRuleset): CompiledPushRules {
  const cached = compiledByRuleset.get(ruleset);
  if (cached) return cached;
  const kinds: PushRuleset = 'global' in ruleset ? ruleset.global : ruleset;
  const rules: CompiledRule[] = [];
  for (const kind of PUSH_RULE_KINDS) {
    for (const rule of kinds[kind] ?? []) {
      const compiled = compileRule(kind, rule);
      if (compiled) rules.push(compiled);
    }
  }
  const result: CompiledPushRules = { [compiledMarker]: true, rules };
  compiledByRuleset.set(ruleset, result);
  return result;
}

/** Compiles one rule, or returns null when it can never match (disabled, unknown condition, malformed). */
function compileRule(kind: PushRuleKind, rule: PushRule): CompiledRule | null {
  if (!rule.enabled) return null;
  let conditions: PushCondition[];
  switch (kind) {
    case 'override':
    case 'underride':
      conditions = [...(rule.conditions ?? [])];
      break;
    case 'content':
      if (typeof rule.pattern !== 'string') return null;
      conditions = [eventMatch('content.body', rule.pattern)];
      break;
    case 'room':
      conditions = [{ kind: 'event_property_is', key: 'room_id', value: rule.rule_id }];
      break;
    case 'sender':
      conditions = [{ kind: 'event_property_is', key: 'sender', value: rule.rule_id }];
      break;
  }
  const compiled: CompiledCondition[] = [];
  for (const condition of conditions) {
    const matcher = compileCondition(condition);
    if (!matcher) return null;
    compiled.push(matcher);
  }
  return {
    conditions: compiled,
    skippedWhenMentions: LEGACY_MENTION_RULE_IDS.has(rule.rule_id),
    outcome: outcomeOf(kind, rule),
  };
}

function outcomeOf(kind: PushRuleKind, rule: PushRule): PushEvaluation {
  const actions = rule.actions.filter((action) => action !== 'dont_notify' && action !== 'coalesce');
  const notify = actions.includes('notify');
  let highlight = false;
  let sound: string | undefined;
  for (const action of actions) {
    if (typeof action !== 'object' || action === null) continue;
    if (action.set_tweak === 'highlight') highlight = action.value === undefined || action.value === true;
    if (action.set_tweak === 'sound' && typeof action.value === 'string') sound = action.value;
  }
  const outcome: PushEvaluation = {
    notify,
    highlight: notify && highlight,
    ruleId: rule.rule_id,
    kind,
    actions: Object.freeze(actions),
    ...(sound === undefined ? {} : { sound }),
  };
  return Object.freeze(outcome);
}

/** Interned conditions, so that every recipient's copy of a default rule shares one remembered result. */
const internedConditions = new Map<string, CompiledCondition | null>();
const INTERNED_CONDITIONS_LIMIT = 50_000;

function compileCondition(condition: PushCondition): CompiledCondition | null {
  const cacheKey = JSON.stringify([condition.kind, condition.key, condition.pattern, condition.value, condition.is]);
  const cached = internedConditions.get(cacheKey);
  if (cached !== undefined) return cached;
  const compiled = buildCondition(condition);
  if (internedConditions.size >= INTERNED_CONDITIONS_LIMIT) internedConditions.clear();
  internedConditions.set(cacheKey, compiled);
  return compiled;
}

function buildCondition(condition: PushCondition): CompiledCondition | null {
  const { key } = condition;
  switch (condition.kind) {
    case 'event_match': {
      if (typeof key !== 'string' || key === '' || typeof condition.pattern !== 'string') return null;
      const path = parseDottedKey(key);
      const glob = compileGlob(condition.pattern, key === 'content.body');
      return eventCondition((event) => {
        const found = valueAtPath(event.event, path);
        return typeof found === 'string' && glob(found);
      });
    }
    case 'event_property_is': {
      const expected = condition.value;
      if (typeof key !== 'string' || key === '' || !isPushScalar(expected)) return null;
      const path = parseDottedKey(key);
      return eventCondition((event) => valueAtPath(event.event, path) === expected);
    }
    case 'event_property_contains': {
      const expected = condition.value;
      if (typeof key !== 'string' || key === '' || !isPushScalar(expected)) return null;
      const path = parseDottedKey(key);
      return eventCondition((event) => {
        const found = valueAtPath(event.event, path);
        return Array.isArray(found) && found.includes(expected);
      });
    }
    case 'contains_display_name':
      return {
        scope: 'recipient',
        test: (event, context) =>
          event.body !== undefined && !!context.displayName && displayNameMatcher(context.displayName).test(event.body),
      };
    case 'room_member_count': {
      const parsed = typeof condition.is === 'string' ? MEMBER_COUNT_PATTERN.exec(condition.is) : null;
      if (!parsed) return null;
      const operator = parsed[1] ?? '==';
      const bound = Number(parsed[2]);
      return { scope: 'recipient', test: (_event, context) => compareCount(context.roomMemberCount, operator, bound) };
    }
    case 'sender_notification_permission': {
      if (typeof key !== 'string' || key === '') return null;
      return {
        scope: 'recipient',
        test: (_event, context) => context.senderPowerLevel >= notificationLevel(context.notificationPowerLevels, key),
      };
    }
    default:
      return null;
  }
}

function eventCondition(test: (event: PreparedPushEvent) => boolean): CompiledCondition {
  return { scope: 'event', test, lastSerial: 0, lastResult: false };
}

function compareCount(count: number, operator: string, bound: number): boolean {
  switch (operator) {
    case '<':
      return count < bound;
    case '>':
      return count > bound;
    case '<=':
      return count <= bound;
    case '>=':
      return count >= bound;
    default:
      return count === bound;
  }
}

function notificationLevel(levels: Readonly<Record<string, unknown>>, key: string): number {
  const level = Object.hasOwn(levels, key) ? levels[key] : undefined;
  return typeof level === 'number' && Number.isInteger(level) ? level : 50;
}

let nextPreparationSerial = 1;

/** Does the per-event work once; pass the result to {@link evaluatePushRules} for each recipient. */
export function preparePushEvent(event: PushEvent): PreparedPushEvent {
  const content = isPlainObject(event.content) ? event.content : {};
  return {
    [preparedMarker]: true,
    event,
    content,
    body: typeof content.body === 'string' ? content.body : undefined,
    hasMentions: Object.hasOwn(content, 'm.mentions'),
    serial: nextPreparationSerial++,
  };
}

/**
 * The first enabled rule that matches decides (override, content, room, sender, underride). No rule, or an
 * event the recipient sent, means no notification. Cheap enough to run for every event × member: compile the
 * ruleset once (or let the identity cache do it) and prepare the event once.
 */
export function evaluatePushRules(
  event: PushEvent | PreparedPushEvent,
  context: PushEvaluationContext,
  ruleset: PushRulesContent | CompiledPushRules,
): PushEvaluation {
  const prepared = preparedMarker in event ? event : preparePushEvent(event);
  if (prepared.event.sender === context.userId) return NO_MATCH;
  const compiled = compiledMarker in ruleset ? ruleset : compilePushRules(ruleset);
  for (const rule of compiled.rules) {
    if (rule.skippedWhenMentions && prepared.hasMentions) continue;
    if (allHold(rule.conditions, prepared, context)) return rule.outcome;
  }
  return NO_MATCH;
}

function allHold(
  conditions: readonly CompiledCondition[],
  event: PreparedPushEvent,
  context: PushEvaluationContext,
): boolean {
  for (const condition of conditions) {
    if (!holds(condition, event, context)) return false;
  }
  return true;
}

function holds(condition: CompiledCondition, event: PreparedPushEvent, context: PushEvaluationContext): boolean {
  if (condition.scope === 'recipient') return condition.test(event, context);
  if (condition.lastSerial !== event.serial) {
    condition.lastResult = condition.test(event);
    condition.lastSerial = event.serial;
  }
  return condition.lastResult;
}

// ---------------------------------------------------------------------------------------------------------------
// Dotted keys and globs

/**
 * Splits a dotted key on unescaped dots: `\.` is a literal dot, `\\` a literal backslash, and any other
 * backslash is kept as is (appendix "Dot-separated property paths").
 */
export function parseDottedKey(key: string): string[] {
  const parts: string[] = [];
  let part = '';
  for (let index = 0; index < key.length; index++) {
    const character = key[index];
    if (character === '\\') {
      const next = key[index + 1];
      if (next === '.' || next === '\\') {
        part += next;
        index++;
      } else {
        part += '\\';
      }
    } else if (character === '.') {
      parts.push(part);
      part = '';
    } else {
      part += character;
    }
  }
  parts.push(part);
  return parts;
}

/** Walks own properties of nested objects only (arrays are values, not containers, as in Synapse). */
function valueAtPath(root: object, path: readonly string[]): unknown {
  let current: unknown = root;
  for (const part of path) {
    if (!isPlainObject(current) || !Object.hasOwn(current, part)) return undefined;
    current = current[part];
  }
  return current;
}

const WORD_CHARACTER = '[A-Za-z0-9_]';
const AT_WORD_START = `(?<!${WORD_CHARACTER})`;
const AT_WORD_END = `(?!${WORD_CHARACTER})`;
/** `i`: the spec's case-insensitive match; `u`: `?` is one code point; `s`: `?` also matches a line break. */
const GLOB_FLAGS = 'isu';

const globCache = new Map<string, (value: string) => boolean>();
const displayNameCache = new Map<string, RegExp>();
const MATCHER_CACHE_LIMIT = 10_000;

/**
 * A glob (`*` any run, `?` one character) as a predicate: the whole value must match, or — for `content.body` —
 * some substring starting and ending at a word boundary (neighbours outside `[A-Za-z0-9_]`, or the value's ends).
 *
 * Not one regular expression with `.*` per star: those backtrack polynomially on long bodies. The pattern is cut
 * at its stars into literal segments (with `?` as "any character"); each segment is found leftmost after the
 * previous one, which is enough because a star absorbs anything. Cost: O(body × pattern).
 */
export function compileGlob(pattern: string, atWordBoundaries: boolean): (value: string) => boolean {
  const cacheKey = `${atWordBoundaries ? 'w' : 'v'}${pattern}`;
  const cached = globCache.get(cacheKey);
  if (cached) return cached;
  const matcher = buildGlob(pattern, atWordBoundaries);
  if (globCache.size >= MATCHER_CACHE_LIMIT) globCache.clear();
  globCache.set(cacheKey, matcher);
  return matcher;
}

function buildGlob(pattern: string, atWordBoundaries: boolean): (value: string) => boolean {
  const segments = pattern.split(/\*+/).map(segmentSource);
  const start = atWordBoundaries ? AT_WORD_START : '^';
  const end = atWordBoundaries ? AT_WORD_END : '$';
  if (segments.length === 1) {
    const whole = new RegExp(`${start}${segments[0]}${end}`, GLOB_FLAGS);
    return atWordBoundaries ? (value) => whole.test(value) : (value) => value === pattern || whole.test(value);
  }
  const [first = '', ...rest] = segments;
  const last = rest.pop() ?? '';
  // `g` so that `lastIndex` sets where each search starts; segments have no quantifier, so no backtracking.
  const firstSearch = first === '' ? null : new RegExp(`${start}${first}`, `g${GLOB_FLAGS}`);
  const middleSearches = rest.map((segment) => new RegExp(segment, `g${GLOB_FLAGS}`));
  const lastSearch = last === '' ? null : new RegExp(`${last}${end}`, `g${GLOB_FLAGS}`);
  const searches = firstSearch ? [firstSearch, ...middleSearches] : middleSearches;
  return (value) => {
    let cursor = 0;
    for (const search of searches) {
      search.lastIndex = cursor;
      const found = search.exec(value);
      if (!found) return false;
      cursor = found.index + found[0].length;
    }
    if (!lastSearch) return true;
    lastSearch.lastIndex = cursor;
    return lastSearch.test(value);
  };
}

function segmentSource(segment: string): string {
  return segment.replace(/[\\^$.+?()[\]{}|/]/g, (character) => (character === '?' ? '.' : `\\${character}`));
}

function displayNameMatcher(displayName: string): RegExp {
  let matcher = displayNameCache.get(displayName);
  if (!matcher) {
    const literal = displayName.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    matcher = new RegExp(`${AT_WORD_START}${literal}${AT_WORD_END}`, 'iu');
    if (displayNameCache.size >= MATCHER_CACHE_LIMIT) displayNameCache.clear();
    displayNameCache.set(displayName, matcher);
  }
  return matcher;
}
