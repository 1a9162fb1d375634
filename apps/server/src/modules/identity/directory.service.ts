import type { AuditActor, AuditLog } from '../../platform/audit/audit-log.ts';
import type { Subject } from '../../platform/authz/subject.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Executor, TransactionContext } from '../../platform/db/database.ts';
import type { EventBus } from '../../platform/events.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import { isSensitivityLevel, type SensitivityLevel } from '../../platform/sensitivity/levels.ts';
import {
  directoryRepository,
  type GroupRole,
  type GroupRow,
  type OrganisationRow,
  type PersonKind,
  type UserListQuery,
  type UserRow,
} from './directory.repository.ts';
import { credentialsRepository } from './credentials.repository.ts';
import { identityErrors } from './identity.errors.ts';
import { assertPasswordPolicy, hashPassword } from './password.ts';

export interface NewOrganisation {
  name: string;
  parentId?: string | null;
  siret?: string | null;
  domains?: readonly string[];
  /** The label of what is created in the organisation; its parent's (or `internal`) when omitted. */
  defaultLabel?: SensitivityLevel;
}

export interface OrganisationChanges {
  name?: string;
  siret?: string | null;
  defaultLabel?: SensitivityLevel;
}

export interface NewUser {
  email: string;
  displayName?: string;
  kind?: PersonKind;
  /** For an agent without one, the organisation owning the e-mail's domain. */
  organisationId?: string | null;
  password?: string;
  isInstanceAdmin?: boolean;
  title?: string | null;
  phone?: string | null;
}

export interface DirectoryServiceDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  events: EventBus;
  audit: AuditLog;
}

/** Lower-cased and trimmed: e-mail addresses are compared case-insensitively. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/**
 * Organisations, users and groups: the directory every module relies on, and the subjects of the
 * permission model. Deactivating a user revokes their sessions and API keys at once.
 */
export function createDirectoryService(deps: DirectoryServiceDependencies) {
  const now = () => deps.clock.now().toISOString();
  const read = () => directoryRepository(deps.database.executor);

  async function requireOrganisation(id: string, context?: TransactionContext): Promise<OrganisationRow> {
    const row = await directoryRepository(context?.executor ?? deps.database.executor).getOrganisation(id);
    if (!row) throw identityErrors.create('IDENTITY_ORGANISATION_NOT_FOUND', { organisationId: id });
    return row;
  }

  async function requireUser(id: string): Promise<UserRow> {
    const row = await read().getUser(id);
    if (!row) throw identityErrors.create('IDENTITY_USER_NOT_FOUND', { userId: id });
    return row;
  }

  return {
    async createOrganisation(input: NewOrganisation, actor: AuditActor): Promise<OrganisationRow> {
      return deps.database.transaction(async (context) => {
        const repository = directoryRepository(context.executor);
        const parent = input.parentId ? await requireOrganisation(input.parentId, context) : undefined;
        const at = now();
        const row: OrganisationRow = {
          id: deps.newId(),
          parent_id: input.parentId ?? null,
          name: input.name,
          siret: input.siret ?? null,
          default_label: input.defaultLabel ?? parent?.default_label ?? 'internal',
          created_at: at,
          updated_at: at,
        };
        await repository.insertOrganisation(row);
        for (const domain of input.domains ?? []) {
          const normalised = domain.trim().toLowerCase();
          if (await repository.domainOwner(normalised)) {
            throw identityErrors.create('IDENTITY_DOMAIN_TAKEN', { domain: normalised });
          }
          await repository.addDomain(normalised, row.id);
        }
        await deps.audit.record(
          {
            action: 'identity.organisation.created',
            outcome: 'success',
            actor,
            target: { type: 'identity.organisation', id: row.id, label: row.name },
            organisationId: row.id,
          },
          { context },
        );
        deps.events.publish(context, 'identity.organisation.created', { organisationId: row.id });
        return row;
      });
    },

    /** Renames the organisation, changes its SIRET or its default sensitivity label (audited). */
    async updateOrganisation(id: string, changes: OrganisationChanges, actor: AuditActor): Promise<OrganisationRow> {
      return deps.database.transaction(async (context) => {
        const before = await requireOrganisation(id, context);
        const update: Partial<OrganisationRow> = {};
        if (changes.name !== undefined) update.name = changes.name;
        if (changes.siret !== undefined) update.siret = changes.siret;
        if (changes.defaultLabel !== undefined) update.default_label = changes.defaultLabel;
        const repository = directoryRepository(context.executor);
        await repository.updateOrganisation(id, { ...update, updated_at: now() });
        const after = await requireOrganisation(id, context);
        const changed = Object.keys(update).filter(
          (key) => before[key as keyof OrganisationRow] !== after[key as keyof OrganisationRow],
        );
        await deps.audit.record(
          {
            action: 'identity.organisation.updated',
            outcome: 'success',
            actor,
            target: { type: 'identity.organisation', id, label: after.name },
            organisationId: id,
            details: Object.fromEntries(
              changed.map((key) => [
                key,
                { from: before[key as keyof OrganisationRow], to: after[key as keyof OrganisationRow] },
              ]),
            ),
          },
          { context },
        );
        deps.events.publish(context, 'identity.organisation.updated', { organisationId: id });
        return after;
      });
    },

    /** The organisation's default label, for resources created in it (the permission model asks). */
    async defaultLabelOf(organisationId: string, executor: Executor): Promise<SensitivityLevel | undefined> {
      const organisation = await directoryRepository(executor).getOrganisation(organisationId);
      return organisation && isSensitivityLevel(organisation.default_label) ? organisation.default_label : undefined;
    },

    getOrganisation: (id: string) => requireOrganisation(id),
    listOrganisations: () => read().listOrganisations(),
    domainsOf: (organisationIds: readonly string[]) => read().domainsOf(organisationIds),

    async createUser(input: NewUser, actor: AuditActor, parent?: TransactionContext): Promise<UserRow> {
      const email = normaliseEmail(input.email);
      const kind = input.kind ?? 'agent';
      if (input.password !== undefined) assertPasswordPolicy(input.password, email);
      const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
      return deps.database.transaction(async (context) => {
        const repository = directoryRepository(context.executor);
        if (await repository.getUserByEmail(email)) throw identityErrors.create('IDENTITY_EMAIL_TAKEN', { email });
        let organisationId = input.organisationId ?? null;
        if (organisationId !== null) await requireOrganisation(organisationId, context);
        if (organisationId === null && kind === 'agent') {
          organisationId = (await repository.domainOwner(domainOf(email)))?.organisation_id ?? null;
          // The instance administrator created at first start may precede any organisation.
          if (organisationId === null && !input.isInstanceAdmin) {
            throw identityErrors.create('IDENTITY_AGENT_NEEDS_ORGANISATION', { email });
          }
        }
        const at = now();
        const row: UserRow = {
          id: deps.newId(),
          email,
          display_name: input.displayName?.trim() || email.slice(0, email.indexOf('@')),
          title: input.title ?? null,
          phone: input.phone ?? null,
          avatar_blob_key: null,
          kind,
          organisation_id: organisationId,
          is_instance_admin: input.isInstanceAdmin ? 1 : 0,
          status: 'active',
          password_hash: passwordHash,
          failed_logins: 0,
          locked_until: null,
          last_login_at: null,
          created_at: at,
          updated_at: at,
          deactivated_at: null,
          merged_into: null,
        };
        await repository.insertUser(row);
        await deps.audit.record(
          {
            action: 'identity.user.created',
            outcome: 'success',
            actor,
            target: { type: 'identity.user', id: row.id, label: email },
            organisationId,
            details: { kind, isInstanceAdmin: Boolean(input.isInstanceAdmin) },
          },
          { context },
        );
        deps.events.publish(context, 'identity.user.created', { userId: row.id });
        return row;
      }, parent);
    },

    getUser: (id: string) => requireUser(id),

    /** Changes what a user says about themself: display name, title, phone, avatar. */
    async updateProfile(
      userId: string,
      changes: { displayName?: string; title?: string | null; phone?: string | null; avatarBlobKey?: string | null },
      actor: AuditActor,
    ): Promise<UserRow> {
      const user = await requireUser(userId);
      await deps.database.transaction(async (context) => {
        await directoryRepository(context.executor).updateUser(userId, {
          ...(changes.displayName === undefined ? {} : { display_name: changes.displayName }),
          ...(changes.title === undefined ? {} : { title: changes.title }),
          ...(changes.phone === undefined ? {} : { phone: changes.phone }),
          ...(changes.avatarBlobKey === undefined ? {} : { avatar_blob_key: changes.avatarBlobKey }),
          updated_at: now(),
        });
        await deps.audit.record(
          {
            action: 'identity.profile.updated',
            outcome: 'success',
            actor,
            target: { type: 'identity.user', id: userId, label: user.email },
            organisationId: user.organisation_id,
            details: { fields: Object.keys(changes) },
          },
          { context },
        );
        deps.events.publish(context, 'identity.user.updated', { userId });
      });
      return requireUser(userId);
    },
    findUserByEmail: (email: string) => read().getUserByEmail(normaliseEmail(email)),
    listUsers: (query: UserListQuery) => read().listUsers(query),
    countInstanceAdmins: () => read().countInstanceAdmins(),

    async setPassword(userId: string, password: string, actor: AuditActor): Promise<void> {
      const user = await requireUser(userId);
      assertPasswordPolicy(password, user.email);
      const passwordHash = await hashPassword(password);
      await deps.database.transaction(async (context) => {
        await directoryRepository(context.executor).updateUser(userId, {
          password_hash: passwordHash,
          failed_logins: 0,
          locked_until: null,
          updated_at: now(),
        });
        await deps.audit.record(
          {
            action: 'identity.password.changed',
            outcome: 'success',
            actor,
            target: { type: 'identity.user', id: userId, label: user.email },
            organisationId: user.organisation_id,
          },
          { context },
        );
      });
    },

    /** Deactivates the account and revokes, at once, every session and API key of the user. */
    async deactivateUser(userId: string, actor: AuditActor): Promise<void> {
      const user = await requireUser(userId);
      await deps.database.transaction(async (context) => {
        const at = now();
        await directoryRepository(context.executor).updateUser(userId, {
          status: 'deactivated',
          deactivated_at: at,
          updated_at: at,
        });
        const credentials = credentialsRepository(context.executor);
        await credentials.revokeAllSessions(userId, at);
        await credentials.revokeAllApiKeysOfUser(userId, at);
        await deps.audit.record(
          {
            action: 'identity.user.deactivated',
            outcome: 'success',
            actor,
            target: { type: 'identity.user', id: userId, label: user.email },
            organisationId: user.organisation_id,
          },
          { context },
        );
        deps.events.publish(context, 'identity.user.deactivated', { userId });
      });
    },

    async addOrganisationAdmin(organisationId: string, userId: string, actor: AuditActor): Promise<void> {
      await requireOrganisation(organisationId);
      const user = await requireUser(userId);
      await deps.database.transaction(async (context) => {
        await directoryRepository(context.executor).addOrganisationAdmin(organisationId, userId);
        await deps.audit.record(
          {
            action: 'identity.organisation_admin.added',
            outcome: 'success',
            actor,
            target: { type: 'identity.user', id: userId, label: user.email },
            organisationId,
          },
          { context },
        );
      });
    },

    async removeOrganisationAdmin(organisationId: string, userId: string, actor: AuditActor): Promise<void> {
      await requireOrganisation(organisationId);
      const user = await requireUser(userId);
      await deps.database.transaction(async (context) => {
        await directoryRepository(context.executor).removeOrganisationAdmin(organisationId, userId);
        await deps.audit.record(
          {
            action: 'identity.organisation_admin.removed',
            outcome: 'success',
            actor,
            target: { type: 'identity.user', id: userId, label: user.email },
            organisationId,
          },
          { context },
        );
      });
    },

    /** The administrators of one organisation (not of its parents). */
    organisationAdmins: (organisationId: string) => read().organisationAdmins(organisationId),

    administeredOrganisations: (userId: string) => read().administeredOrganisations(userId),

    /** The organisations the user administers, with all their sub-organisations. */
    async organisationsAdministeredBy(userId: string): Promise<Set<string>> {
      const repository = read();
      const visible = new Set(await repository.administeredOrganisations(userId));
      if (visible.size === 0) return visible;
      // Organisation trees are small (hundreds of units): the subtree is computed in memory.
      const organisations = await repository.listOrganisations();
      for (let grew = true; grew;) {
        grew = false;
        for (const organisation of organisations) {
          if (organisation.parent_id !== null && visible.has(organisation.parent_id) && !visible.has(organisation.id)) {
            visible.add(organisation.id);
            grew = true;
          }
        }
      }
      return visible;
    },

    async createGroup(
      input: { name: string; description?: string | null; organisationId?: string | null },
      creatorId: string | null,
      actor: AuditActor,
    ): Promise<GroupRow> {
      return deps.database.transaction(async (context) => {
        const at = now();
        const row: GroupRow = {
          id: deps.newId(),
          name: input.name,
          description: input.description ?? null,
          organisation_id: input.organisationId ?? null,
          created_by: creatorId,
          created_at: at,
          updated_at: at,
        };
        const repository = directoryRepository(context.executor);
        await repository.insertGroup(row);
        if (creatorId) await repository.setGroupMember(row.id, creatorId, 'manager', at);
        await deps.audit.record(
          {
            action: 'identity.group.created',
            outcome: 'success',
            actor,
            target: { type: 'identity.group', id: row.id, label: row.name },
            organisationId: row.organisation_id,
          },
          { context },
        );
        deps.events.publish(context, 'identity.group.created', { groupId: row.id });
        return row;
      });
    },

    async getGroup(id: string): Promise<GroupRow> {
      const row = await read().getGroup(id);
      if (!row) throw identityErrors.create('IDENTITY_GROUP_NOT_FOUND', { groupId: id });
      return row;
    },

    listGroups: (query: { limit: number; before?: string }) => read().listGroups(query),
    groupIdsOf: (userId: string) => read().groupIdsOf(userId),

    async removeGroupMember(groupId: string, userId: string, actor: AuditActor): Promise<void> {
      const group = await read().getGroup(groupId);
      if (!group) throw identityErrors.create('IDENTITY_GROUP_NOT_FOUND', { groupId });
      await deps.database.transaction(async (context) => {
        await directoryRepository(context.executor).removeGroupMember(groupId, userId);
        await deps.audit.record(
          {
            action: 'identity.group_member.removed',
            outcome: 'success',
            actor,
            target: { type: 'identity.group', id: groupId, label: group.name },
            organisationId: group.organisation_id,
            details: { userId },
          },
          { context },
        );
      });
    },
    groupMembers: (groupId: string) => read().groupMembers(groupId),

    async setGroupMember(groupId: string, userId: string, role: GroupRole, actor: AuditActor): Promise<void> {
      const group = await read().getGroup(groupId);
      if (!group) throw identityErrors.create('IDENTITY_GROUP_NOT_FOUND', { groupId });
      const user = await requireUser(userId);
      await deps.database.transaction(async (context) => {
        await directoryRepository(context.executor).setGroupMember(groupId, userId, role, now());
        await deps.audit.record(
          {
            action: 'identity.group_member.set',
            outcome: 'success',
            actor,
            target: { type: 'identity.group', id: groupId, label: group.name },
            organisationId: group.organisation_id,
            details: { userId, email: user.email, role },
          },
          { context },
        );
        deps.events.publish(context, 'identity.group_member.added', {
          groupId,
          userId,
          role,
          actorId: actor.userId ?? null,
        });
      });
    },

    /** Who the user is for the permission model: kind, groups, organisation and its ancestors. */
    async resolveSubject(user: UserRow): Promise<Subject> {
      const repository = read();
      const [groupIds, organisationPath] = await Promise.all([
        repository.groupIdsOf(user.id),
        user.organisation_id === null ? Promise.resolve([]) : repository.organisationPath(user.organisation_id),
      ]);
      return { userId: user.id, kind: user.kind, groupIds, organisationPath };
    },
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
