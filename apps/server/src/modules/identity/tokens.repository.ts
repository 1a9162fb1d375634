import type { Executor } from '../../platform/db/database.ts';
import type { PersonKind } from './directory.repository.ts';

export type InvitationRow = {
  id: string;
  token_hash: string;
  email: string;
  kind: PersonKind;
  organisation_id: string | null;
  group_id: string | null;
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_user_id: string | null;
  revoked_at: string | null;
};

export type PasswordResetRow = {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
};

type TokenTables = {
  identity_invitations: InvitationRow;
  identity_password_resets: PasswordResetRow;
};

/** All SQL of invitations and password resets. */
export function tokensRepository(executor: Executor) {
  const db = executor.withTables<TokenTables>();
  return {
    insertInvitation: (row: InvitationRow) => db.insertInto('identity_invitations').values(row).execute(),

    invitationByTokenHash: (tokenHash: string) =>
      db.selectFrom('identity_invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),

    /** Marks the invitation accepted unless someone did first; true when this call did. */
    acceptInvitation: async (id: string, userId: string, at: string) =>
      Number(
        (
          await db
            .updateTable('identity_invitations')
            .set({ accepted_at: at, accepted_user_id: userId })
            .where('id', '=', id)
            .where('accepted_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,

    getInvitation: (id: string) =>
      db.selectFrom('identity_invitations').selectAll().where('id', '=', id).executeTakeFirst(),

    /** Revokes the invitation unless it was accepted or revoked already; true when this call did. */
    revokeInvitation: async (id: string, at: string) =>
      Number(
        (
          await db
            .updateTable('identity_invitations')
            .set({ revoked_at: at })
            .where('id', '=', id)
            .where('accepted_at', 'is', null)
            .where('revoked_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,

    /** Newest first; `organisationIds`: only those into these organisations. */
    pendingInvitations: (query: {
      limit: number;
      before?: string;
      now: string;
      organisationIds?: readonly string[];
    }) => {
      if (query.organisationIds?.length === 0) return Promise.resolve([]);
      let select = db
        .selectFrom('identity_invitations')
        .selectAll()
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', query.now)
        .orderBy('id', 'desc')
        .limit(query.limit);
      if (query.before !== undefined) select = select.where('id', '<', query.before);
      if (query.organisationIds !== undefined) select = select.where('organisation_id', 'in', query.organisationIds);
      return select.execute();
    },

    insertPasswordReset: (row: PasswordResetRow) => db.insertInto('identity_password_resets').values(row).execute(),

    passwordResetByTokenHash: (tokenHash: string) =>
      db.selectFrom('identity_password_resets').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),

    /** Uses the token unless it was used already; true when this call did. */
    usePasswordReset: async (id: string, at: string) =>
      Number(
        (
          await db
            .updateTable('identity_password_resets')
            .set({ used_at: at })
            .where('id', '=', id)
            .where('used_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,
  };
}
