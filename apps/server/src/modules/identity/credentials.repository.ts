import type { Executor } from '../../platform/db/database.ts';

export type SessionRow = {
  id: string;
  token_hash: string;
  user_id: string;
  /** How the session was opened: `password`, `oidc`... */
  method: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  /** Sessions opened by OIDC (null otherwise): the provider, its session id and subject, and the ID
   * token, sent back as `id_token_hint` at logout. */
  oidc_issuer: string | null;
  oidc_sid: string | null;
  oidc_subject: string | null;
  id_token: string | null;
};

export type ApiKeyRow = {
  id: string;
  prefix: string;
  secret_hash: string;
  name: string;
  owner_user_id: string | null;
  owner_organisation_id: string | null;
  /** JSON array of scopes. */
  scopes: string;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
};

type CredentialTables = {
  identity_sessions: SessionRow;
  identity_api_keys: ApiKeyRow;
};

/** All SQL of sessions and API keys. */
export function credentialsRepository(executor: Executor) {
  const db = executor.withTables<CredentialTables>();
  return {
    insertSession: (row: SessionRow) => db.insertInto('identity_sessions').values(row).execute(),

    sessionByTokenHash: (tokenHash: string) =>
      db.selectFrom('identity_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),

    touchSession: (id: string, lastSeenAt: string, expiresAt: string) =>
      db
        .updateTable('identity_sessions')
        .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
        .where('id', '=', id)
        .execute(),

    /** The user's sessions that are neither revoked nor expired, newest first. */
    activeSessions: (userId: string, now: string) =>
      db
        .selectFrom('identity_sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('id', 'desc')
        .execute(),

    revokeSession: async (userId: string, sessionId: string, now: string) =>
      Number(
        (
          await db
            .updateTable('identity_sessions')
            .set({ revoked_at: now })
            .where('id', '=', sessionId)
            .where('user_id', '=', userId)
            .where('revoked_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,

    revokeAllSessions: (userId: string, now: string) =>
      db
        .updateTable('identity_sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute(),

    insertApiKey: (row: ApiKeyRow) => db.insertInto('identity_api_keys').values(row).execute(),

    apiKeyByPrefix: (prefix: string) =>
      db.selectFrom('identity_api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst(),

    apiKeysOfUser: (userId: string) =>
      db
        .selectFrom('identity_api_keys')
        .selectAll()
        .where('owner_user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .orderBy('id', 'desc')
        .execute(),

    /** The organisation's service keys that are not revoked, newest first. */
    apiKeysOfOrganisation: (organisationId: string) =>
      db
        .selectFrom('identity_api_keys')
        .selectAll()
        .where('owner_organisation_id', '=', organisationId)
        .where('revoked_at', 'is', null)
        .orderBy('id', 'desc')
        .execute(),

    apiKeyOfOrganisation: (organisationId: string, id: string) =>
      db
        .selectFrom('identity_api_keys')
        .selectAll()
        .where('id', '=', id)
        .where('owner_organisation_id', '=', organisationId)
        .executeTakeFirst(),

    revokeOrganisationApiKey: (id: string, now: string) =>
      db
        .updateTable('identity_api_keys')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute(),

    markApiKeyUsed: (id: string, now: string) =>
      db.updateTable('identity_api_keys').set({ last_used_at: now }).where('id', '=', id).execute(),

    revokeApiKey: async (id: string, ownerUserId: string, now: string) =>
      Number(
        (
          await db
            .updateTable('identity_api_keys')
            .set({ revoked_at: now })
            .where('id', '=', id)
            .where('owner_user_id', '=', ownerUserId)
            .where('revoked_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) > 0,

    revokeAllApiKeysOfUser: (userId: string, now: string) =>
      db
        .updateTable('identity_api_keys')
        .set({ revoked_at: now })
        .where('owner_user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute(),
  };
}

export type CredentialsRepository = ReturnType<typeof credentialsRepository>;
