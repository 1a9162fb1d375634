import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { AuditActor, AuditLog } from '../../platform/audit/audit-log.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, TransactionContext } from '../../platform/db/database.ts';
import { AppError, defineErrors } from '../../platform/errors.ts';
import type { EventBus } from '../../platform/events.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import type { MailService } from '../../platform/mail/index.ts';
import { sha256, type AuthService } from './auth.service.ts';
import { credentialsRepository } from './credentials.repository.ts';
import { directoryRepository, type PersonKind, type UserRow } from './directory.repository.ts';
import { normaliseEmail, type DirectoryService, type NewUser } from './directory.service.ts';
import { identityErrors } from './identity.errors.ts';
import { assertPasswordPolicy, hashPassword } from './password.ts';
import { tokensRepository, type InvitationRow } from './tokens.repository.ts';

export const onboardingErrors = defineErrors({
  IDENTITY_INVITATION_INVALID: {
    kind: 'gone',
    fr: 'Cette invitation n’est plus valable : demandez-en une nouvelle.',
    en: 'This invitation is no longer valid: ask for a new one.',
  },
  IDENTITY_INVITATION_NOT_FOUND: {
    kind: 'not_found',
    fr: 'Invitation introuvable ou déjà acceptée.',
    en: 'Invitation not found or already accepted.',
  },
  IDENTITY_RESET_TOKEN_INVALID: {
    kind: 'gone',
    fr: 'Ce lien de réinitialisation n’est plus valable : demandez-en un nouveau.',
    en: 'This reset link is no longer valid: ask for a new one.',
  },
  IDENTITY_IMPORT_INVALID: {
    kind: 'invalid',
    fr: 'Le fichier contient {count} erreur(s) : rien n’a été importé.',
    en: 'The file has {count} error(s): nothing was imported.',
  },
  IDENTITY_IMPORT_TOO_LARGE: {
    kind: 'too_large',
    fr: 'Le fichier dépasse {limit} lignes : découpez-le.',
    en: 'The file exceeds {limit} rows: split it.',
  },
});

const invitationLifetimeMs = 7 * 24 * 3_600_000;
const resetLifetimeMs = 3_600_000;
/** A welcome link (accounts created by import) lives as long as an invitation. */
const welcomeLifetimeMs = invitationLifetimeMs;
export const maxImportRows = 5000;

export interface OnboardingServiceDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  events: EventBus;
  audit: AuditLog;
  mail: MailService;
  directory: DirectoryService;
  auth: AuthService;
  publicUrl: string;
}

export interface ImportIssue {
  line: number;
  field: string;
  message: string;
}

export interface ImportReport {
  rows: number;
  created: number;
  issues: ImportIssue[];
  dryRun: boolean;
}

const importRowSchema = z.object({
  email: z
    .string()
    .trim()
    .min(3)
    .max(320)
    .pipe(z.email({ error: 'adresse électronique invalide' })),
  display_name: z.string().trim().max(200).optional(),
  kind: z.enum(['agent', 'external'], { error: 'agent ou external' }).optional(),
  organisation: z.string().trim().max(200).optional(),
  title: z.string().trim().max(200).optional(),
  phone: z.string().trim().max(40).optional(),
});

/** Column names accepted in a CSV header (French spreadsheets included), mapped to the import's fields. */
const columnAliases: Readonly<Record<string, keyof z.infer<typeof importRowSchema>>> = {
  email: 'email',
  'e-mail': 'email',
  courriel: 'email',
  mail: 'email',
  display_name: 'display_name',
  name: 'display_name',
  nom: 'display_name',
  'nom complet': 'display_name',
  kind: 'kind',
  type: 'kind',
  organisation: 'organisation',
  organization: 'organisation',
  title: 'title',
  fonction: 'title',
  phone: 'phone',
  téléphone: 'phone',
  telephone: 'phone',
};

/**
 * Bringing people in: invitations by e-mail link, password reset by e-mailed token, and CSV import of
 * accounts (each imported person receives a link to choose their password). Tokens are random, stored
 * hashed, single-use and short-lived.
 */
export function createOnboardingService(deps: OnboardingServiceDependencies) {
  const now = () => deps.clock.now();
  const link = (path: string, token: string) => `${deps.publicUrl}${path}?jeton=${encodeURIComponent(token)}`;

  async function issueReset(
    user: UserRow,
    lifetimeMs: number,
    context: TransactionContext,
  ): Promise<{ token: string; expiresAt: string }> {
    const token = randomBytes(32).toString('base64url');
    const at = now();
    const expiresAt = new Date(at.getTime() + lifetimeMs).toISOString();
    await tokensRepository(context.executor).insertPasswordReset({
      id: deps.newId(),
      token_hash: sha256(token),
      user_id: user.id,
      created_at: at.toISOString(),
      expires_at: expiresAt,
      used_at: null,
    });
    return { token, expiresAt };
  }

  async function validInvitation(token: string): Promise<InvitationRow> {
    const invitation = await tokensRepository(deps.database.executor).invitationByTokenHash(sha256(token));
    if (
      !invitation ||
      invitation.accepted_at !== null ||
      invitation.revoked_at !== null ||
      new Date(invitation.expires_at) <= now()
    ) {
      throw onboardingErrors.create('IDENTITY_INVITATION_INVALID');
    }
    return invitation;
  }

  /** Creates an account without a password and e-mails it a link to choose one (valid 7 days). */
  async function createAccountWithWelcome(
    input: NewUser,
    actor: AuditActor,
    parent?: TransactionContext,
  ): Promise<UserRow> {
    return deps.database.transaction(async (context) => {
      const user = await deps.directory.createUser(input, actor, context);
      const { token } = await issueReset(user, welcomeLifetimeMs, context);
      await deps.mail.send(
        {
          to: [user.email],
          subject: 'Votre compte Bureau est prêt',
          text: [
            `Bonjour ${user.display_name},`,
            '',
            "Un compte Bureau, l'espace de travail numérique de votre administration, a été créé pour vous.",
            'Pour choisir votre mot de passe, ouvrez ce lien (valable 7 jours) :',
            link('/mot-de-passe/nouveau', token),
            '',
            '(English: a Bureau account was created for you; open the link above within 7 days to choose your password.)',
          ].join('\n'),
        },
        { context },
      );
      return user;
    }, parent);
  }

  return {
    createAccountWithWelcome,

    /**
     * Sends a reset link when the address belongs to an active account; says nothing either way, so
     * that the form does not tell which addresses have accounts.
     */
    async requestPasswordReset(email: string, actor: AuditActor): Promise<void> {
      const user = await deps.directory.findUserByEmail(email);
      if (!user || user.status !== 'active') {
        await deps.audit.record({
          action: 'identity.password_reset.requested',
          outcome: 'failure',
          actor: { ...actor, label: normaliseEmail(email) },
          details: { reason: user ? 'deactivated' : 'unknown-email' },
        });
        return;
      }
      await deps.database.transaction(async (context) => {
        const { token } = await issueReset(user, resetLifetimeMs, context);
        await deps.mail.send(
          {
            to: [user.email],
            subject: 'Bureau : réinitialisation de votre mot de passe',
            text: [
              `Bonjour ${user.display_name},`,
              '',
              'Pour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure) :',
              link('/mot-de-passe/nouveau', token),
              '',
              "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
              '',
              '(English: open the link above within an hour to choose a new password.)',
            ].join('\n'),
          },
          { context },
        );
        await deps.audit.record(
          {
            action: 'identity.password_reset.requested',
            outcome: 'success',
            actor: { ...actor, label: user.email },
            target: { type: 'identity.user', id: user.id, label: user.email },
            organisationId: user.organisation_id,
          },
          { context },
        );
      });
    },

    /** Sets the password chosen through a reset or welcome link, and ends every session of the account. */
    async resetPassword(token: string, password: string, actor: AuditActor): Promise<void> {
      const reset = await tokensRepository(deps.database.executor).passwordResetByTokenHash(sha256(token));
      if (!reset || reset.used_at !== null || new Date(reset.expires_at) <= now()) {
        throw onboardingErrors.create('IDENTITY_RESET_TOKEN_INVALID');
      }
      const user = await deps.directory.getUser(reset.user_id);
      if (user.status !== 'active') throw onboardingErrors.create('IDENTITY_RESET_TOKEN_INVALID');
      assertPasswordPolicy(password, user.email);
      const passwordHash = await hashPassword(password);
      await deps.database.transaction(async (context) => {
        const at = now().toISOString();
        if (!(await tokensRepository(context.executor).usePasswordReset(reset.id, at))) {
          throw onboardingErrors.create('IDENTITY_RESET_TOKEN_INVALID');
        }
        await directoryRepository(context.executor).updateUser(user.id, {
          password_hash: passwordHash,
          failed_logins: 0,
          locked_until: null,
          updated_at: at,
        });
        await credentialsRepository(context.executor).revokeAllSessions(user.id, at);
        await deps.audit.record(
          {
            action: 'identity.password.reset',
            outcome: 'success',
            actor: { ...actor, userId: user.id, label: user.email },
            target: { type: 'identity.user', id: user.id, label: user.email },
            organisationId: user.organisation_id,
          },
          { context },
        );
      });
    },

    /** Invitations neither accepted, revoked nor expired, newest first (`organisationIds`: only into those). */
    pendingInvitations: (query: { limit: number; before?: string; organisationIds?: readonly string[] }) =>
      tokensRepository(deps.database.executor).pendingInvitations({ ...query, now: now().toISOString() }),

    getInvitation: async (id: string): Promise<InvitationRow> => {
      const invitation = await tokensRepository(deps.database.executor).getInvitation(id);
      if (!invitation) throw onboardingErrors.create('IDENTITY_INVITATION_NOT_FOUND', { invitationId: id });
      return invitation;
    },

    /** Revokes a pending invitation: its link stops working at once. */
    async revokeInvitation(id: string, actor: AuditActor): Promise<void> {
      await deps.database.transaction(async (context) => {
        const repository = tokensRepository(context.executor);
        const invitation = await repository.getInvitation(id);
        if (!invitation || !(await repository.revokeInvitation(id, now().toISOString()))) {
          throw onboardingErrors.create('IDENTITY_INVITATION_NOT_FOUND', { invitationId: id });
        }
        await deps.audit.record(
          {
            action: 'identity.invitation.revoked',
            outcome: 'success',
            actor,
            target: { type: 'identity.invitation', id, label: invitation.email },
            organisationId: invitation.organisation_id,
          },
          { context },
        );
      });
    },

    /** Invites someone by e-mail; the link lets them create their account (for 7 days). */
    async invite(
      input: { email: string; kind: PersonKind; organisationId?: string | null; groupId?: string | null },
      inviter: UserRow,
      actor: AuditActor,
    ): Promise<{ invitation: InvitationRow; token: string }> {
      const email = normaliseEmail(input.email);
      if (await deps.directory.findUserByEmail(email)) {
        throw identityErrors.create('IDENTITY_EMAIL_TAKEN', { email });
      }
      const organisation = input.organisationId
        ? await deps.directory.getOrganisation(input.organisationId)
        : undefined;
      if (input.groupId) await deps.directory.getGroup(input.groupId);
      const token = randomBytes(32).toString('base64url');
      const at = now();
      const invitation: InvitationRow = {
        id: deps.newId(),
        token_hash: sha256(token),
        email,
        kind: input.kind,
        organisation_id: organisation?.id ?? null,
        group_id: input.groupId ?? null,
        invited_by: inviter.id,
        created_at: at.toISOString(),
        expires_at: new Date(at.getTime() + invitationLifetimeMs).toISOString(),
        accepted_at: null,
        accepted_user_id: null,
        revoked_at: null,
      };
      await deps.database.transaction(async (context) => {
        await tokensRepository(context.executor).insertInvitation(invitation);
        await deps.mail.send(
          {
            to: [email],
            subject: `${inviter.display_name} vous invite sur Bureau`,
            text: [
              'Bonjour,',
              '',
              `${inviter.display_name} vous invite à rejoindre Bureau${organisation ? ` (${organisation.name})` : ''}, l'espace de travail numérique de l'administration.`,
              'Pour créer votre compte, ouvrez ce lien (valable 7 jours) :',
              link('/invitation', token),
              '',
              `(English: ${inviter.display_name} invites you to Bureau; open the link above within 7 days to create your account.)`,
            ].join('\n'),
            replyTo: inviter.email,
          },
          { context },
        );
        await deps.audit.record(
          {
            action: 'identity.invitation.created',
            outcome: 'success',
            actor,
            target: { type: 'identity.invitation', id: invitation.id, label: email },
            organisationId: invitation.organisation_id,
            details: { kind: input.kind, groupId: invitation.group_id },
          },
          { context },
        );
      });
      return { invitation, token };
    },

    /** What the invitation page shows before the person accepts. */
    async describeInvitation(token: string) {
      const invitation = await validInvitation(token);
      const [organisation, inviter] = await Promise.all([
        invitation.organisation_id ? deps.directory.getOrganisation(invitation.organisation_id) : undefined,
        invitation.invited_by ? deps.directory.getUser(invitation.invited_by).catch(() => undefined) : undefined,
      ]);
      return {
        email: invitation.email,
        kind: invitation.kind,
        organisationName: organisation?.name ?? null,
        invitedBy: inviter?.display_name ?? null,
        expiresAt: invitation.expires_at,
      };
    },

    /** Creates the invited account, signs it in, and tells the inviter (event for notifications). */
    async acceptInvitation(
      token: string,
      input: { displayName: string; password: string },
      actor: AuditActor,
    ): Promise<{ user: UserRow; sessionToken: string; sessionCreatedAt: string }> {
      const invitation = await validInvitation(token);
      const user = await deps.database.transaction(async (context) => {
        const created = await deps.directory.createUser(
          {
            email: invitation.email,
            displayName: input.displayName,
            kind: invitation.kind,
            organisationId: invitation.organisation_id,
            password: input.password,
          },
          actor,
          context,
        );
        if (
          !(await tokensRepository(context.executor).acceptInvitation(invitation.id, created.id, now().toISOString()))
        ) {
          throw onboardingErrors.create('IDENTITY_INVITATION_INVALID');
        }
        if (invitation.group_id) {
          await directoryRepository(context.executor).setGroupMember(
            invitation.group_id,
            created.id,
            'member',
            now().toISOString(),
          );
        }
        await deps.audit.record(
          {
            action: 'identity.invitation.accepted',
            outcome: 'success',
            actor: { ...actor, userId: created.id, label: created.email },
            target: { type: 'identity.invitation', id: invitation.id, label: invitation.email },
            organisationId: created.organisation_id,
          },
          { context },
        );
        deps.events.publish(context, 'identity.invitation.accepted', {
          invitationId: invitation.id,
          userId: created.id,
          invitedBy: invitation.invited_by,
        });
        return created;
      });
      const { token: sessionToken, session } = await deps.auth.openSession(user, 'invitation', actor);
      return { user, sessionToken, sessionCreatedAt: session.created_at };
    },

    /**
     * Imports accounts from CSV (header row; `,` or `;`; columns email, display_name/nom, kind, organisation
     * (id or exact name), title/fonction, phone/téléphone). All or nothing: any invalid row and nothing is
     * created, with every problem listed by line. Each created account gets a welcome link to choose
     * its password.
     */
    async importUsers(csv: string, options: { dryRun: boolean }, actor: AuditActor): Promise<ImportReport> {
      let records: Array<Record<string, string>>;
      try {
        records = parse(csv, {
          columns: (header: string[]) =>
            header.map((name) => columnAliases[name.trim().toLowerCase()] ?? `unknown:${name.trim()}`),
          delimiter: [',', ';'],
          skip_empty_lines: true,
          trim: true,
          bom: true,
          relax_column_count: false,
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw onboardingErrors.create('IDENTITY_IMPORT_INVALID', {
          count: 1,
          issues: [{ line: 0, field: 'file', message: reason }],
        });
      }
      if (records.length > maxImportRows) {
        throw onboardingErrors.create('IDENTITY_IMPORT_TOO_LARGE', { limit: maxImportRows });
      }
      const issues: ImportIssue[] = [];
      const organisations = await deps.directory.listOrganisations();
      const seen = new Set<string>();
      const rows: Array<{ line: number; data: z.infer<typeof importRowSchema>; organisationId: string | null }> = [];
      records.forEach((record, index) => {
        const line = index + 2; // the header is line 1
        for (const key of Object.keys(record)) {
          if (key.startsWith('unknown:')) issues.push({ line: 1, field: key.slice(8), message: 'colonne inconnue' });
        }
        const cleaned = Object.fromEntries(
          Object.entries(record).filter(([key, value]) => !key.startsWith('unknown:') && value !== ''),
        );
        const parsed = importRowSchema.safeParse(cleaned);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            issues.push({ line, field: String(issue.path[0] ?? 'row'), message: issue.message });
          }
          return;
        }
        const email = normaliseEmail(parsed.data.email);
        if (seen.has(email)) issues.push({ line, field: 'email', message: 'adresse en double dans le fichier' });
        seen.add(email);
        let organisationId: string | null = null;
        if (parsed.data.organisation) {
          const match = organisations.find(
            (organisation) =>
              organisation.id === parsed.data.organisation || organisation.name === parsed.data.organisation,
          );
          if (!match) issues.push({ line, field: 'organisation', message: 'organisation inconnue' });
          organisationId = match?.id ?? null;
        }
        rows.push({ line, data: { ...parsed.data, email }, organisationId });
      });
      const uniqueIssues = issues.filter(
        (issue, index) =>
          issues.findIndex(
            (other) => other.line === issue.line && other.field === issue.field && other.message === issue.message,
          ) === index,
      );
      for (const row of rows) {
        if (await deps.directory.findUserByEmail(row.data.email)) {
          uniqueIssues.push({ line: row.line, field: 'email', message: 'un compte existe déjà avec cette adresse' });
        }
      }
      if (uniqueIssues.length > 0) {
        throw onboardingErrors.create('IDENTITY_IMPORT_INVALID', { count: uniqueIssues.length, issues: uniqueIssues });
      }
      if (options.dryRun) return { rows: records.length, created: 0, issues: [], dryRun: true };

      await deps.database.transaction(async (context) => {
        for (const row of rows) {
          await createAccountWithWelcome(
            {
              email: row.data.email,
              kind: row.data.kind ?? 'agent',
              organisationId: row.organisationId,
              ...(row.data.display_name === undefined ? {} : { displayName: row.data.display_name }),
              title: row.data.title ?? null,
              phone: row.data.phone ?? null,
            },
            actor,
            context,
          ).catch((error: unknown) => {
            // A row valid on its own may still fail (no organisation for the domain...): report its line.
            if (error instanceof AppError) {
              throw onboardingErrors.create('IDENTITY_IMPORT_INVALID', {
                count: 1,
                issues: [{ line: row.line, field: 'email', message: error.messages.fr }],
              });
            }
            throw error;
          });
        }
        await deps.audit.record(
          {
            action: 'identity.user.imported',
            outcome: 'success',
            actor,
            details: { rows: rows.length },
          },
          { context },
        );
      });
      return { rows: records.length, created: rows.length, issues: [], dryRun: false };
    },
  };
}

export type OnboardingService = ReturnType<typeof createOnboardingService>;
