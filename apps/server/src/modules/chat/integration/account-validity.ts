import { createHash, randomBytes } from 'node:crypto';
import { apiErrorSchema } from '@bureau/contracts';
import { z } from 'zod';
import type { AuditActor } from '../../../platform/audit/audit-log.ts';
import type { Executor } from '../../../platform/db/database.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import { actorOf, requireInstanceAdmin } from '../../identity/index.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { matrixError } from '../matrix-errors.ts';
import { accessTokenOf } from '../matrix-http.ts';
import { chatIntegrationErrors } from './integration.errors.ts';
import type { IntegrationTables } from './integration.tables.ts';

/** How long a renewal extends an account (Tchap's synapse-email-account-validity `period`). */
export const accountValidityPeriodMs = 6 * 7 * 24 * 60 * 60 * 1000;
/** How long a renewal link works. */
export const renewalLinkLifetimeMs = 7 * 24 * 60 * 60 * 1000;
/** At most one renewal e-mail per account in this time. */
export const renewalMailIntervalMs = 5 * 60 * 1000;

const unstable = '/_matrix/client/unstable/account_validity';
const hidden = { schema: { hide: true } } as const;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function page(title: string, text: string): string {
  const escape = (value: string) =>
    value.replace(
      /[&<>"]/g,
      (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[character] ?? '',
    );
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1><p>${escape(text)}</p></main></body></html>`;
}

/**
 * Account validity (Tchap's synapse-email-account-validity): past `chat_accounts.expires_at`, every Matrix
 * request of the account answers 403 `ORG_MATRIX_EXPIRED_ACCOUNT` (matrix-http.ts). The user renews with a
 * link sent by e-mail (`POST .../account_validity/send_mail`, which an expired account may call), which
 * extends the account by the validity period (`GET .../account_validity/renew?token=`); instance
 * administrators set or lift an expiry (`PUT /api/admin/chat/accounts/:userId/validity`). Accounts without
 * an expiry never expire. Reminders before expiry are not sent yet.
 */
export function createAccountValidity(context: ChatFeatureContext) {
  const tables = (executor: Executor = context.database.executor) =>
    executor.withTables<IntegrationTables & ChatTables>();

  /** Sets (or lifts, with null) the expiry of a Bureau user's chat account, audited. */
  async function setExpiry(userId: string, expiresAt: Date | null, actor: AuditActor) {
    const account = await context.accounts.accountOfUser(userId);
    if (!account) throw chatIntegrationErrors.create('CHAT_ACCOUNT_NOT_FOUND');
    const value = expiresAt?.toISOString() ?? null;
    await context.database.transaction(async (transaction) => {
      await tables(transaction.executor)
        .updateTable('chat_accounts')
        .set({ expires_at: value })
        .where('user_id', '=', userId)
        .execute();
      transaction.afterCommit(() => context.accounts.forgetAccount(account.matrix_id));
      await context.audit.record(
        {
          action: 'chat.account.validity_changed',
          outcome: 'success',
          actor,
          target: { type: 'chat.account', id: userId, label: account.matrix_id },
          details: { before: account.expires_at, after: value },
        },
        { context: transaction },
      );
    });
    return { userId, matrixId: account.matrix_id, expiresAt: value };
  }

  async function sendRenewalMail(matrixId: string, userId: string): Promise<void> {
    const now = context.clock.now();
    const recent = await tables()
      .selectFrom('chat_integration_renewal_tokens')
      .select('token_hash')
      .where('matrix_id', '=', matrixId)
      .where('created_at', '>', new Date(now.getTime() - renewalMailIntervalMs).toISOString())
      .executeTakeFirst();
    if (recent) return;
    const user = await context.identity.getUser(userId);
    if (!user || user.status !== 'active') return;
    const token = randomBytes(32).toString('base64url');
    const link = `${context.publicUrl}${unstable}/renew?token=${token}`;
    await context.database.transaction(async (transaction) => {
      await tables(transaction.executor)
        .insertInto('chat_integration_renewal_tokens')
        .values({
          token_hash: hashToken(token),
          matrix_id: matrixId,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + renewalLinkLifetimeMs).toISOString(),
          used_at: null,
        })
        .execute();
      await context.mail.send(
        {
          to: [user.email],
          subject: 'Renouvelez votre compte de messagerie / Renew your chat account',
          text: [
            'Bonjour,',
            '',
            'Pour continuer à utiliser la messagerie, renouvelez votre compte en ouvrant ce lien :',
            link,
            '',
            'To keep using the chat, renew your account by opening this link:',
            link,
            '',
            `Ce lien est valable ${renewalLinkLifetimeMs / 86_400_000} jours. / This link works for ${renewalLinkLifetimeMs / 86_400_000} days.`,
          ].join('\n'),
        },
        { context: transaction },
      );
    });
  }

  /** Consumes a renewal link and extends its account; false for an unknown, used or expired link. */
  async function renew(token: string): Promise<boolean> {
    const now = context.clock.now();
    return context.database.transaction(async (transaction) => {
      const executor = tables(transaction.executor);
      const row = await executor
        .updateTable('chat_integration_renewal_tokens')
        .set({ used_at: now.toISOString() })
        .where('token_hash', '=', hashToken(token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', now.toISOString())
        .returning('matrix_id')
        .executeTakeFirst();
      if (!row) return false;
      const account = await executor
        .selectFrom('chat_accounts')
        .select(['user_id', 'expires_at'])
        .where('matrix_id', '=', row.matrix_id)
        .executeTakeFirst();
      if (!account) return false;
      // An account without an expiry does not expire: renewing leaves it so.
      if (account.expires_at === null) return true;
      const from = Math.max(now.getTime(), new Date(account.expires_at).getTime());
      const expiresAt = new Date(from + accountValidityPeriodMs).toISOString();
      await executor
        .updateTable('chat_accounts')
        .set({ expires_at: expiresAt })
        .where('matrix_id', '=', row.matrix_id)
        .execute();
      transaction.afterCommit(() => context.accounts.forgetAccount(row.matrix_id));
      await context.audit.record(
        {
          action: 'chat.account.renewed',
          outcome: 'success',
          actor: { userId: account.user_id, label: row.matrix_id },
          target: { type: 'chat.account', id: account.user_id, label: row.matrix_id },
          details: { before: account.expires_at, after: expiresAt },
        },
        { context: transaction },
      );
      return true;
    });
  }

  function registerRoutes(http: HttpServer): void {
    http.post(`${unstable}/send_mail`, hidden, async (request) => {
      // An expired account must reach this endpoint: the token is checked without the validity check.
      const token = accessTokenOf(request);
      if (!token) throw matrixError('M_MISSING_TOKEN');
      const principal = await context.accounts.authenticate(token);
      if (!principal) throw matrixError('M_UNKNOWN_TOKEN', undefined, { soft_logout: false });
      await sendRenewalMail(principal.userId, principal.account.user_id);
      return {};
    });

    http.get(`${unstable}/renew`, hidden, async (request, reply) => {
      const query = z.object({ token: z.string().min(1).max(200) }).safeParse(request.query);
      const isRenewed = query.success && (await renew(query.data.token));
      return reply
        .code(isRenewed ? 200 : 404)
        .type('text/html; charset=utf-8')
        .send(
          isRenewed
            ? page('Compte renouvelé', 'Votre compte de messagerie est renouvelé. Your chat account is renewed.')
            : page(
                'Lien invalide',
                'Ce lien de renouvellement est inconnu, déjà utilisé ou expiré. This renewal link is unknown, used or expired.',
              ),
        );
    });

    const validity = z.object({ userId: z.string(), matrixId: z.string(), expiresAt: z.string().nullable() });
    http.put(
      '/api/admin/chat/accounts/:userId/validity',
      {
        schema: {
          tags: ['administration'],
          summary: 'Sets or lifts (null) the expiry of a user’s chat account (instance administrators).',
          params: z.object({ userId: z.uuid() }),
          body: z.object({ expiresAt: z.iso.datetime({ offset: true }).nullable() }),
          response: {
            200: validity,
            400: apiErrorSchema,
            401: apiErrorSchema,
            403: apiErrorSchema,
            404: apiErrorSchema,
          },
        },
      },
      async (request) => {
        requireInstanceAdmin(request);
        const { expiresAt } = request.body;
        return setExpiry(request.params.userId, expiresAt === null ? null : new Date(expiresAt), actorOf(request));
      },
    );
  }

  return { setExpiry, renew, registerRoutes };
}
