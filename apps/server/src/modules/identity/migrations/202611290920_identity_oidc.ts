import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * OIDC single sign-on: the identities (issuer + subject) linked to accounts, the sign-in flows in
 * progress (state, nonce, PKCE verifier, and a pending link awaiting proof of the existing account),
 * and what a session opened by OIDC needs for logout (issuer, sid, subject, ID token).
 */
export const identityOidcMigration: Migration = {
  name: '202611290920_identity_oidc',
  async up(db, { types }) {
    await db.schema
      .createTable('identity_identities')
      .addColumn('issuer', 'text', (column) => column.notNull())
      .addColumn('subject', 'text', (column) => column.notNull())
      .addColumn('user_id', types.id, (column) => column.notNull().references('identity_users.id').onDelete('cascade'))
      .addColumn('email', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('last_login_at', types.timestamp)
      .addPrimaryKeyConstraint('identity_identities_pk', ['issuer', 'subject'])
      .execute();
    await db.schema.createIndex('identity_identities_user').on('identity_identities').column('user_id').execute();

    await db.schema
      .createTable('identity_oidc_flows')
      // SHA-256 of the random value of the browser's flow cookie.
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('state', 'text', (column) => column.notNull().unique())
      .addColumn('nonce', 'text', (column) => column.notNull())
      .addColumn('code_verifier', 'text', (column) => column.notNull())
      .addColumn('return_to', 'text', (column) => column.notNull())
      .addColumn('is_silent', types.boolean, (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      // A flow started while another one held a pending link: signing in with an identity of the
      // pending link's account proves that account, and links the pending identity too.
      .addColumn('link_flow_id', 'text')
      .addColumn('pending_issuer', 'text')
      .addColumn('pending_subject', 'text')
      .addColumn('pending_email', 'text')
      .addColumn('pending_user_id', types.id, (column) => column.references('identity_users.id').onDelete('cascade'))
      .addColumn('pending_claims', types.json)
      .addColumn('pending_sid', 'text')
      .addColumn('pending_id_token', 'text')
      .execute();
    await db.schema.createIndex('identity_oidc_flows_expiry').on('identity_oidc_flows').column('expires_at').execute();

    // SQLite adds one column per statement.
    for (const column of ['oidc_issuer', 'oidc_sid', 'oidc_subject', 'id_token']) {
      await db.schema.alterTable('identity_sessions').addColumn(column, 'text').execute();
    }
    await db.schema
      .createIndex('identity_sessions_oidc_sid')
      .on('identity_sessions')
      .columns(['oidc_issuer', 'oidc_sid'])
      .execute();
    await db.schema
      .createIndex('identity_sessions_oidc_subject')
      .on('identity_sessions')
      .columns(['oidc_issuer', 'oidc_subject'])
      .execute();
  },
};
