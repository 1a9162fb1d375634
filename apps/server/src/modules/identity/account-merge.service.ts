import type { AuditActor, AuditLog } from '../../platform/audit/audit-log.ts';
import type { AuthzService } from '../../platform/authz/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { EventBus } from '../../platform/events.ts';
import { credentialsRepository } from './credentials.repository.ts';
import { directoryRepository, type UserRow } from './directory.repository.ts';
import { identityErrors } from './identity.errors.ts';
import { oidcRepository } from './oidc.repository.ts';

export interface AccountMergeDependencies {
  database: Database;
  clock: Clock;
  events: EventBus;
  audit: AuditLog;
  authz: AuthzService;
}

/** What a merge moved, for the administrator's screen and the audit log. */
export interface MergeReport {
  target: UserRow;
  identities: number;
  groups: number;
  administeredOrganisations: number;
  grants: number;
  passwordMoved: boolean;
}

/**
 * An administrator merges two accounts of one person (typically one created by a first single sign-on,
 * whose e-mail matched an existing account that Bureau would not link silently). In one transaction, the
 * target account receives the source's sign-in identities, group memberships (the higher role when in
 * both), organisation administrator roles and permission grants (the higher role and later expiry when on
 * the same resource), and its password when the target has none; the source is deactivated, its sessions
 * and keys revoked, and it remembers its target. Modules follow `identity.user.merged` for what they own
 * (room memberships, authored items...).
 */
export function createAccountMergeService(deps: AccountMergeDependencies) {
  return {
    async merge(sourceUserId: string, targetUserId: string, actor: AuditActor): Promise<MergeReport> {
      if (sourceUserId === targetUserId) throw identityErrors.create('IDENTITY_MERGE_SAME_ACCOUNT');
      return deps.database.transaction(async (context) => {
        const directory = directoryRepository(context.executor);
        const [source, target] = await Promise.all([directory.getUser(sourceUserId), directory.getUser(targetUserId)]);
        if (!source) throw identityErrors.create('IDENTITY_USER_NOT_FOUND', { userId: sourceUserId });
        if (!target) throw identityErrors.create('IDENTITY_USER_NOT_FOUND', { userId: targetUserId });
        if (source.kind === 'service' || target.kind === 'service') {
          throw identityErrors.create('IDENTITY_MERGE_NOT_ALLOWED', { reason: 'service accounts are never merged' });
        }
        if (source.merged_into !== null) {
          throw identityErrors.create('IDENTITY_MERGE_NOT_ALLOWED', { reason: 'the source was already merged' });
        }
        if (target.status !== 'active') {
          throw identityErrors.create('IDENTITY_MERGE_NOT_ALLOWED', { reason: 'the target account is deactivated' });
        }
        const at = deps.clock.now().toISOString();

        const identities = await oidcRepository(context.executor).moveIdentities(source.id, target.id);

        const targetRoles = new Map(
          (await directory.groupMembershipsOf(target.id)).map((membership) => [membership.group_id, membership.role]),
        );
        const sourceMemberships = await directory.groupMembershipsOf(source.id);
        for (const membership of sourceMemberships) {
          const current = targetRoles.get(membership.group_id);
          if (current === 'manager') continue;
          if (current === 'member' && membership.role === 'member') continue;
          await directory.setGroupMember(
            membership.group_id,
            target.id,
            membership.role,
            current ? at : membership.added_at,
          );
        }
        await directory.removeAllGroupMemberships(source.id);

        const administered = await directory.administeredOrganisations(source.id);
        for (const organisationId of administered) await directory.addOrganisationAdmin(organisationId, target.id);
        await directory.removeAllOrganisationAdminRoles(source.id);

        const grants = await deps.authz.transferUserGrants(source.id, target.id, { actor, context });

        const passwordMoved = target.password_hash === null && source.password_hash !== null;
        await directory.updateUser(target.id, {
          ...(passwordMoved ? { password_hash: source.password_hash } : {}),
          ...(Boolean(source.is_instance_admin) && !target.is_instance_admin ? { is_instance_admin: 1 } : {}),
          updated_at: at,
        });
        await directory.updateUser(source.id, {
          status: 'deactivated',
          deactivated_at: source.deactivated_at ?? at,
          merged_into: target.id,
          password_hash: null,
          updated_at: at,
        });
        const credentials = credentialsRepository(context.executor);
        await credentials.revokeAllSessions(source.id, at);
        await credentials.revokeAllApiKeysOfUser(source.id, at);

        const report: MergeReport = {
          target: (await directory.getUser(target.id)) ?? target,
          identities: Number(identities[0]?.numUpdatedRows ?? 0),
          groups: sourceMemberships.length,
          administeredOrganisations: administered.length,
          grants,
          passwordMoved,
        };
        await deps.audit.record(
          {
            action: 'identity.user.merged',
            outcome: 'success',
            actor,
            target: { type: 'identity.user', id: target.id, label: target.email },
            organisationId: target.organisation_id,
            details: {
              sourceUserId: source.id,
              sourceEmail: source.email,
              identities: report.identities,
              groups: report.groups,
              administeredOrganisations: report.administeredOrganisations,
              grants,
              // (A key naming a password would be redacted by the audit log.)
              localSignInMoved: passwordMoved,
            },
          },
          { context },
        );
        deps.events.publish(context, 'identity.user.merged', { sourceUserId: source.id, targetUserId: target.id });
        return report;
      });
    },
  };
}

export type AccountMergeService = ReturnType<typeof createAccountMergeService>;
