/**
 * The resource types modules declare at boot: their ordered roles, the minimum role of each action, the
 * types their parents may have and how roles on such a parent carry over. Everything here is in memory
 * and checked when a type is defined: a mistake is a programmer error (`Error`), thrown at boot.
 */

/** What a module declares for one type of resource (`docs.document`, `chat.room`...). */
export interface ResourceTypeDefinition {
  /** `module.entity`, e.g. `docs.document`. */
  readonly type: string;
  /** From the weakest to the strongest; each role includes the ones before it. */
  readonly roles: readonly string[];
  /** Each action the module checks (`read`, `edit`, `share`...) and the minimum role it needs. */
  readonly actions: Readonly<Record<string, string>>;
  /**
   * The types a parent of this resource may have (this type itself for nesting, e.g. folders in
   * folders). Each must be defined before this one, or be this type. The keys of `inheritFrom` by default.
   */
  readonly parentTypes?: readonly string[];
  /**
   * For a parent of another type: which of this type's roles each of the parent's roles gives here
   * (`{ 'docs.space': { reader: 'reader', editor: 'editor', owner: 'owner' } }`). A parent role left out
   * gives nothing, and so does a parent type left out. A parent of the same type gives every role as is.
   */
  readonly inheritFrom?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The action needed to raise the sensitivity label: `edit` by default (the top role when there is none). */
  readonly labelRaise?: string;
  /** The action needed to lower the sensitivity label: `share` by default (the top role when there is none). */
  readonly labelLower?: string;
}

/** A defined type, as the service uses it. */
export interface ResourceType {
  readonly type: string;
  readonly roles: readonly string[];
  readonly parentTypes: ReadonlySet<string>;
  /** The types a resource may have to be an ancestor (not itself) of one of this type. */
  readonly containerTypes: ReadonlySet<string>;
  /** The minimum role of each action. */
  readonly actions: ReadonlyMap<string, string>;
  /** The role needed to see the resource at all: that of `read` when declared, else the weakest role. */
  readonly visibleRole: string;
  readonly labelRaiseRole: string;
  readonly labelLowerRole: string;
  /**
   * For every type a grant may come from (this type, its parents' types, theirs...): which role here
   * each of that type's roles gives, whatever the path between them.
   */
  readonly inheritance: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const typePattern = /^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+$/;
const namePattern = /^[a-z][a-z0-9_]*$/;

/** The resource types of the running process. */
export interface ResourceTypeRegistry {
  define(definition: ResourceTypeDefinition): ResourceType;
  /** The defined type; throws (programmer error) for an unknown one. */
  get(type: string): ResourceType;
  has(type: string): boolean;
  /** The minimum role of `action` on `type`; throws for an unknown type or action. */
  requiredRole(type: string, action: string): string;
  /** `role`'s rank in `type` (0 for the weakest); throws for an unknown role. */
  rank(type: string, role: string): number;
  /** The role on `type` that `role` held on an `ancestorType` resource gives, or null. */
  inheritedRole(type: string, ancestorType: string, role: string): string | null;
  /**
   * For each type a grant may come from, the roles there that give at least `minimumRole` on a
   * resource of `type`: what the SQL filter matches grants against.
   */
  acceptedRoles(type: string, minimumRole: string): ReadonlyMap<string, readonly string[]>;
}

export function createResourceTypeRegistry(): ResourceTypeRegistry {
  const types = new Map<string, ResourceType>();
  const acceptedCache = new Map<string, ReadonlyMap<string, readonly string[]>>();

  function get(type: string): ResourceType {
    const found = types.get(type);
    if (!found) throw new Error(`Unknown resource type ${type}: define it with defineResourceType first`);
    return found;
  }

  function rank(type: string, role: string): number {
    const index = get(type).roles.indexOf(role);
    if (index < 0) throw new Error(`Unknown role ${role} for resource type ${type}`);
    return index;
  }

  return {
    define(definition) {
      const resourceType = buildType(definition, types);
      types.set(resourceType.type, resourceType);
      return resourceType;
    },
    get,
    has: (type) => types.has(type),
    requiredRole(type, action) {
      const role = get(type).actions.get(action);
      if (role === undefined) throw new Error(`Unknown action ${action} for resource type ${type}`);
      return role;
    },
    rank,
    inheritedRole(type, ancestorType, role) {
      return get(type).inheritance.get(ancestorType)?.get(role) ?? null;
    },
    acceptedRoles(type, minimumRole) {
      const key = `${type}\u0000${minimumRole}`;
      const cached = acceptedCache.get(key);
      if (cached) return cached;
      const resourceType = get(type);
      const minimum = rank(type, minimumRole);
      const accepted = new Map<string, readonly string[]>();
      for (const [ancestorType, mapping] of resourceType.inheritance) {
        const roles = [...mapping]
          .filter(([, own]) => resourceType.roles.indexOf(own) >= minimum)
          .map(([role]) => role);
        if (roles.length > 0) accepted.set(ancestorType, roles);
      }
      acceptedCache.set(key, accepted);
      return accepted;
    },
  };
}

function buildType(definition: ResourceTypeDefinition, defined: ReadonlyMap<string, ResourceType>): ResourceType {
  const { type, roles } = definition;
  const fail = (message: string): never => {
    throw new Error(`Resource type ${type}: ${message}`);
  };
  if (!typePattern.test(type)) fail('its name must read module.entity (lowercase letters, digits, _)');
  if (defined.has(type)) fail('it is already defined');
  if (roles.length === 0) fail('it needs at least one role');
  for (const role of roles) if (!namePattern.test(role)) fail(`role "${role}" is not a valid name`);
  if (new Set(roles).size !== roles.length) fail('a role is listed twice');

  const actions = new Map<string, string>();
  for (const [action, role] of Object.entries(definition.actions)) {
    if (!namePattern.test(action)) fail(`action "${action}" is not a valid name`);
    if (!roles.includes(role)) fail(`action ${action} needs role ${role}, which the type does not have`);
    actions.set(action, role);
  }
  const topRole = roles.at(-1) ?? fail('it needs at least one role');
  const actionRole = (action: string | undefined, fallback: string): string => {
    if (action === undefined) return actions.get(fallback) ?? topRole;
    return actions.get(action) ?? fail(`label action ${action} is not one of its actions`);
  };

  const inheritFrom = definition.inheritFrom ?? {};
  const parentTypes = new Set(definition.parentTypes ?? Object.keys(inheritFrom));
  for (const parentType of parentTypes) {
    if (parentType !== type && !defined.has(parentType)) {
      fail(`parent type ${parentType} must be defined before it`);
    }
  }
  for (const [parentType, mapping] of Object.entries(inheritFrom)) {
    if (parentType === type) fail('a parent of the same type gives every role as is; do not list it in inheritFrom');
    if (!parentTypes.has(parentType)) fail(`inheritFrom names ${parentType}, which is not one of its parent types`);
    const parent = defined.get(parentType) ?? fail(`parent type ${parentType} is not defined`);
    for (const [parentRole, role] of Object.entries(mapping)) {
      if (!parent.roles.includes(parentRole))
        fail(`inheritFrom ${parentType}: ${parentType} has no role ${parentRole}`);
      if (!roles.includes(role)) fail(`inheritFrom ${parentType}: it has no role ${role}`);
    }
  }

  // Compose the mappings along every path of types ending here. Parents are defined first, so each
  // parent's own table already covers every path above it; paths through same-type parents change
  // nothing. Two paths from one type must agree, so that a role's effect does not depend on the path.
  const inheritance = new Map<string, ReadonlyMap<string, string>>([
    [type, new Map(roles.map((role) => [role, role]))],
  ]);
  for (const parentType of parentTypes) {
    if (parentType === type) continue;
    const parent = defined.get(parentType) ?? fail(`parent type ${parentType} is not defined`);
    const step = inheritFrom[parentType] ?? {};
    for (const [ancestorType, toParent] of parent.inheritance) {
      const composed = new Map<string, string>();
      for (const [ancestorRole, parentRole] of toParent) {
        const role = step[parentRole];
        if (role !== undefined) composed.set(ancestorRole, role);
      }
      const existing = inheritance.get(ancestorType);
      if (existing && !sameMapping(existing, composed)) {
        fail(
          `roles on ${ancestorType} would carry over differently depending on the path of parents; make the inheritFrom mappings agree`,
        );
      }
      inheritance.set(ancestorType, composed);
    }
  }

  const containerTypes = new Set(parentTypes);
  for (const parentType of parentTypes) {
    for (const above of defined.get(parentType)?.containerTypes ?? []) containerTypes.add(above);
  }

  return {
    type,
    roles: [...roles],
    parentTypes,
    containerTypes,
    actions,
    visibleRole: actions.get('read') ?? roles[0] ?? topRole,
    labelRaiseRole: actionRole(definition.labelRaise, 'edit'),
    labelLowerRole: actionRole(definition.labelLower, 'share'),
    inheritance,
  };
}

function sameMapping(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}
