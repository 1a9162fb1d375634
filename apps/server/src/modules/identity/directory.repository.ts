import type { Executor } from '../../platform/db/database.ts';

/**
 * `service`: the account of an organisation's service key, a program acting for the organisation (never
 * signs in interactively, not in the directory).
 */
export type UserKind = 'agent' | 'external' | 'service';
/** The kinds of accounts people hold (those created, invited and imported by administrators). */
export type PersonKind = Exclude<UserKind, 'service'>;
export type UserStatus = 'active' | 'deactivated';
export type GroupRole = 'member' | 'manager';

export type OrganisationRow = {
  id: string;
  parent_id: string | null;
  name: string;
  siret: string | null;
  default_label: string;
  created_at: string;
  updated_at: string;
};

export type UserRow = {
  id: string;
  email: string;
  display_name: string;
  title: string | null;
  phone: string | null;
  avatar_blob_key: string | null;
  kind: UserKind;
  organisation_id: string | null;
  /** 0 or 1 (SQLite), boolean (PostgreSQL): read with `Boolean()`. */
  is_instance_admin: number | boolean;
  status: UserStatus;
  password_hash: string | null;
  failed_logins: number;
  locked_until: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
  deactivated_at: string | null;
  /** The account this one was merged into by an administrator (it is then deactivated). */
  merged_into: string | null;
};

export type GroupRow = {
  id: string;
  name: string;
  description: string | null;
  organisation_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
};

type DirectoryTables = {
  identity_organisations: OrganisationRow;
  identity_organisation_domains: { domain: string; organisation_id: string };
  identity_users: UserRow;
  identity_organisation_admins: { organisation_id: string; user_id: string };
  identity_groups: GroupRow;
  identity_group_members: { group_id: string; user_id: string; role: GroupRole; added_at: string };
};

export interface UserListQuery {
  limit: number;
  /** The last id of the previous page. */
  before?: string;
  organisationIds?: readonly string[];
  search?: string;
  kinds?: readonly UserKind[];
  activeOnly?: boolean;
}

/** All SQL of organisations, users and groups. Every function takes the executor to run on. */
export function directoryRepository(executor: Executor) {
  const db = executor.withTables<DirectoryTables>();
  return {
    insertOrganisation: (row: OrganisationRow) => db.insertInto('identity_organisations').values(row).execute(),

    getOrganisation: (id: string) =>
      db.selectFrom('identity_organisations').selectAll().where('id', '=', id).executeTakeFirst(),

    listOrganisations: () => db.selectFrom('identity_organisations').selectAll().orderBy('name').execute(),

    updateOrganisation: (id: string, changes: Partial<Omit<OrganisationRow, 'id' | 'created_at'>>) =>
      db.updateTable('identity_organisations').set(changes).where('id', '=', id).executeTakeFirst(),

    /** The organisation and its ancestors, from the organisation up to the root. */
    async organisationPath(id: string): Promise<string[]> {
      const path: string[] = [];
      let current: string | null = id;
      // Trees are shallow (ministry → direction → service...); the bound guards against a corrupted cycle.
      while (current !== null && path.length < 64 && !path.includes(current)) {
        path.push(current);
        const row: { parent_id: string | null } | undefined = await db
          .selectFrom('identity_organisations')
          .select('parent_id')
          .where('id', '=', current)
          .executeTakeFirst();
        current = row?.parent_id ?? null;
      }
      return path;
    },

    addDomain: (domain: string, organisationId: string) =>
      db.insertInto('identity_organisation_domains').values({ domain, organisation_id: organisationId }).execute(),

    domainOwner: (domain: string) =>
      db
        .selectFrom('identity_organisation_domains')
        .select('organisation_id')
        .where('domain', '=', domain)
        .executeTakeFirst(),

    domainsOf: (organisationIds: readonly string[]) =>
      organisationIds.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('identity_organisation_domains')
            .selectAll()
            .where('organisation_id', 'in', organisationIds)
            .orderBy('domain')
            .execute(),

    insertUser: (row: UserRow) => db.insertInto('identity_users').values(row).execute(),

    getUser: (id: string) => db.selectFrom('identity_users').selectAll().where('id', '=', id).executeTakeFirst(),

    getUserByEmail: (email: string) =>
      db.selectFrom('identity_users').selectAll().where('email', '=', email).executeTakeFirst(),

    updateUser: (id: string, changes: Partial<Omit<UserRow, 'id' | 'created_at'>>) =>
      db.updateTable('identity_users').set(changes).where('id', '=', id).executeTakeFirst(),

    /** Newest first; `before` is the last id of the previous page. */
    listUsers: (query: UserListQuery) => {
      let select = db.selectFrom('identity_users').selectAll().orderBy('id', 'desc').limit(query.limit);
      if (query.before !== undefined) select = select.where('id', '<', query.before);
      if (query.kinds !== undefined) select = select.where('kind', 'in', query.kinds);
      if (query.activeOnly) select = select.where('status', '=', 'active');
      if (query.organisationIds !== undefined) {
        if (query.organisationIds.length === 0) return Promise.resolve([]);
        select = select.where('organisation_id', 'in', query.organisationIds);
      }
      if (query.search !== undefined && query.search !== '') {
        const pattern = `%${query.search.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
        select = select.where((eb) =>
          eb.or([eb('email', 'like', pattern), eb(eb.fn('lower', ['display_name']), 'like', pattern)]),
        );
      }
      return select.execute();
    },

    countInstanceAdmins: async () => {
      const row = await db
        .selectFrom('identity_users')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('is_instance_admin', '=', 1)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    addOrganisationAdmin: (organisationId: string, userId: string) =>
      db
        .insertInto('identity_organisation_admins')
        .values({ organisation_id: organisationId, user_id: userId })
        .onConflict((conflict) => conflict.columns(['organisation_id', 'user_id']).doNothing())
        .execute(),

    removeOrganisationAdmin: (organisationId: string, userId: string) =>
      db
        .deleteFrom('identity_organisation_admins')
        .where('organisation_id', '=', organisationId)
        .where('user_id', '=', userId)
        .execute(),

    organisationAdmins: (organisationId: string) =>
      db
        .selectFrom('identity_organisation_admins')
        .innerJoin('identity_users', 'identity_users.id', 'identity_organisation_admins.user_id')
        .selectAll('identity_users')
        .where('identity_organisation_admins.organisation_id', '=', organisationId)
        .orderBy('identity_users.display_name')
        .execute(),

    administeredOrganisations: async (userId: string) =>
      (
        await db
          .selectFrom('identity_organisation_admins')
          .select('organisation_id')
          .where('user_id', '=', userId)
          .execute()
      ).map((row) => row.organisation_id),

    insertGroup: (row: GroupRow) => db.insertInto('identity_groups').values(row).execute(),

    getGroup: (id: string) => db.selectFrom('identity_groups').selectAll().where('id', '=', id).executeTakeFirst(),

    listGroups: (query: { limit: number; before?: string }) => {
      let select = db.selectFrom('identity_groups').selectAll().orderBy('id', 'desc').limit(query.limit);
      if (query.before !== undefined) select = select.where('id', '<', query.before);
      return select.execute();
    },

    setGroupMember: (groupId: string, userId: string, role: GroupRole, addedAt: string) =>
      db
        .insertInto('identity_group_members')
        .values({ group_id: groupId, user_id: userId, role, added_at: addedAt })
        .onConflict((conflict) => conflict.columns(['group_id', 'user_id']).doUpdateSet({ role }))
        .execute(),

    removeGroupMember: (groupId: string, userId: string) =>
      db.deleteFrom('identity_group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute(),

    groupMembers: (groupId: string) =>
      db
        .selectFrom('identity_group_members')
        .innerJoin('identity_users', 'identity_users.id', 'identity_group_members.user_id')
        .select([
          'identity_users.id',
          'identity_users.email',
          'identity_users.display_name',
          'identity_group_members.role',
          'identity_group_members.added_at',
        ])
        .where('identity_group_members.group_id', '=', groupId)
        .orderBy('identity_users.display_name')
        .execute(),

    groupMembershipsOf: (userId: string) =>
      db
        .selectFrom('identity_group_members')
        .select(['group_id', 'role', 'added_at'])
        .where('user_id', '=', userId)
        .execute(),

    removeAllGroupMemberships: (userId: string) =>
      db.deleteFrom('identity_group_members').where('user_id', '=', userId).execute(),

    removeAllOrganisationAdminRoles: (userId: string) =>
      db.deleteFrom('identity_organisation_admins').where('user_id', '=', userId).execute(),

    groupIdsOf: async (userId: string) =>
      (await db.selectFrom('identity_group_members').select('group_id').where('user_id', '=', userId).execute()).map(
        (row) => row.group_id,
      ),
  };
}

export type DirectoryRepository = ReturnType<typeof directoryRepository>;
