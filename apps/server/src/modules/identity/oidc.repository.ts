import type { Executor } from '../../platform/db/database.ts';
import type { SessionRow } from './credentials.repository.ts';
import type { OrganisationRow } from './directory.repository.ts';

/** An identity at an OpenID provider (issuer + subject, never the e-mail alone), linked to one account. */
export type IdentityRow = {
  issuer: string;
  subject: string;
  user_id: string;
  /** The e-mail the provider gave at the last sign-in (informative: the account keeps its own). */
  email: string | null;
  created_at: string;
  last_login_at: string | null;
};

/** A sign-in in progress, bound to one browser by the flow cookie (whose SHA-256 is `id`). */
export type OidcFlowRow = {
  id: string;
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  /** 0 or 1 (SQLite), boolean (PostgreSQL): read with `Boolean()`. */
  is_silent: number | boolean;
  created_at: string;
  expires_at: string;
  link_flow_id: string | null;
  pending_issuer: string | null;
  pending_subject: string | null;
  pending_email: string | null;
  pending_user_id: string | null;
  /** JSON of the provider's claims. */
  pending_claims: string | null;
  pending_sid: string | null;
  pending_id_token: string | null;
};

type OidcTables = {
  identity_identities: IdentityRow;
  identity_oidc_flows: OidcFlowRow;
  identity_sessions: SessionRow;
  identity_organisations: OrganisationRow;
};

/** All SQL of OIDC single sign-on: identities, flows, and the sessions it opened. */
export function oidcRepository(executor: Executor) {
  const db = executor.withTables<OidcTables>();
  return {
    insertFlow: (row: OidcFlowRow) => db.insertInto('identity_oidc_flows').values(row).execute(),

    flowById: (id: string) => db.selectFrom('identity_oidc_flows').selectAll().where('id', '=', id).executeTakeFirst(),

    updateFlow: (id: string, changes: Partial<Omit<OidcFlowRow, 'id' | 'created_at'>>) =>
      db.updateTable('identity_oidc_flows').set(changes).where('id', '=', id).execute(),

    /** Deletes the flow; true when this call deleted it (a flow is used once, even by concurrent callbacks). */
    deleteFlow: async (id: string) =>
      Number((await db.deleteFrom('identity_oidc_flows').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0,

    deleteExpiredFlows: (now: string) => db.deleteFrom('identity_oidc_flows').where('expires_at', '<=', now).execute(),

    identity: (issuer: string, subject: string) =>
      db
        .selectFrom('identity_identities')
        .selectAll()
        .where('issuer', '=', issuer)
        .where('subject', '=', subject)
        .executeTakeFirst(),

    insertIdentity: (row: IdentityRow) => db.insertInto('identity_identities').values(row).execute(),

    touchIdentity: (issuer: string, subject: string, changes: { email: string | null; last_login_at: string }) =>
      db
        .updateTable('identity_identities')
        .set(changes)
        .where('issuer', '=', issuer)
        .where('subject', '=', subject)
        .execute(),

    /** Links every identity of one account to another (an administrator's merge). */
    moveIdentities: (fromUserId: string, toUserId: string) =>
      db.updateTable('identity_identities').set({ user_id: toUserId }).where('user_id', '=', fromUserId).execute(),

    identitiesOfUser: (userId: string) =>
      db.selectFrom('identity_identities').selectAll().where('user_id', '=', userId).orderBy('created_at').execute(),

    organisationBySiret: (siret: string) =>
      db.selectFrom('identity_organisations').selectAll().where('siret', '=', siret).executeTakeFirst(),

    /** Open sessions opened by `issuer` for a provider session (`sid`) or, without one, for a subject. */
    openOidcSessions: (match: { issuer: string; sid?: string; subject?: string }, now: string) => {
      let query = db
        .selectFrom('identity_sessions')
        .selectAll()
        .where('oidc_issuer', '=', match.issuer)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now);
      if (match.sid !== undefined) query = query.where('oidc_sid', '=', match.sid);
      if (match.subject !== undefined) query = query.where('oidc_subject', '=', match.subject);
      return query.execute();
    },

    revokeSessions: (ids: readonly string[], now: string) =>
      ids.length === 0
        ? Promise.resolve()
        : db
            .updateTable('identity_sessions')
            .set({ revoked_at: now })
            .where('id', 'in', ids)
            .where('revoked_at', 'is', null)
            .execute()
            .then(() => undefined),
  };
}
