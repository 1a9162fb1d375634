import type { AuditActor, AuditLog } from '../../platform/audit/audit-log.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import { newApiKeySecret, type ApiKeyScope } from './auth.service.ts';
import { credentialsRepository, type ApiKeyRow } from './credentials.repository.ts';
import { directoryRepository, type UserRow } from './directory.repository.ts';
import { identityErrors } from './identity.errors.ts';

/** Scopes of service keys: every API key scope but `admin` (a program never administers Bureau). */
export type ServiceKeyScope = Exclude<ApiKeyScope, 'admin'>;

export interface ServiceKeyServiceDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  audit: AuditLog;
}

/** A service key with the account it acts as. */
export interface ServiceKey {
  apiKey: ApiKeyRow;
  serviceUser: UserRow;
}

/** The domain of service accounts' addresses: reserved (RFC 2606), so no mail ever leaves for it. */
const serviceAddressDomain = 'service.bureau.invalid';

/**
 * Organisations' service keys, for other administrations' programs. Each key acts as its own service
 * account (a user of kind `service` in the organisation, as GitLab's group access tokens do): resources
 * are shared with it like with a person, the permission model gives it its organisation's grants but
 * never those of all agents, and it outlives whoever created it. Revoking the key deactivates the account.
 */
export function createServiceKeyService(deps: ServiceKeyServiceDependencies) {
  const now = () => deps.clock.now().toISOString();

  async function requireOrganisation(organisationId: string) {
    const organisation = await directoryRepository(deps.database.executor).getOrganisation(organisationId);
    if (!organisation) throw identityErrors.create('IDENTITY_ORGANISATION_NOT_FOUND', { organisationId });
    return organisation;
  }

  return {
    /** Creates the key and its service account; the secret is in the result only. */
    async create(
      organisationId: string,
      input: { name: string; scopes: readonly ServiceKeyScope[]; expiresAt?: string | null },
      createdBy: UserRow,
      actor: AuditActor,
    ): Promise<ServiceKey & { secret: string }> {
      const organisation = await requireOrganisation(organisationId);
      const { prefix, secretHash, secret } = newApiKeySecret();
      const at = now();
      const serviceUser: UserRow = {
        id: deps.newId(),
        email: `${prefix.toLowerCase()}.${organisation.id}@${serviceAddressDomain}`,
        display_name: input.name,
        title: null,
        phone: null,
        avatar_blob_key: null,
        kind: 'service',
        organisation_id: organisation.id,
        is_instance_admin: 0,
        status: 'active',
        password_hash: null,
        failed_logins: 0,
        locked_until: null,
        last_login_at: null,
        created_at: at,
        updated_at: at,
        deactivated_at: null,
        merged_into: null,
      };
      const apiKey: ApiKeyRow = {
        id: deps.newId(),
        prefix,
        secret_hash: secretHash,
        name: input.name,
        owner_user_id: serviceUser.id,
        owner_organisation_id: organisation.id,
        scopes: JSON.stringify([...new Set(input.scopes)]),
        created_by: createdBy.id,
        created_at: at,
        expires_at: input.expiresAt == null ? null : new Date(input.expiresAt).toISOString(),
        last_used_at: null,
        revoked_at: null,
      };
      if (apiKey.expires_at !== null && new Date(apiKey.expires_at) <= deps.clock.now()) {
        throw identityErrors.create('IDENTITY_EXPIRY_IN_PAST');
      }
      await deps.database.transaction(async (context) => {
        await directoryRepository(context.executor).insertUser(serviceUser);
        await credentialsRepository(context.executor).insertApiKey(apiKey);
        await deps.audit.record(
          {
            action: 'identity.service_key.created',
            outcome: 'success',
            actor,
            target: { type: 'identity.api_key', id: apiKey.id, label: apiKey.name },
            organisationId: organisation.id,
            details: { scopes: input.scopes, expiresAt: apiKey.expires_at, serviceUserId: serviceUser.id },
          },
          { context },
        );
      });
      return { apiKey, serviceUser, secret };
    },

    /** The organisation's service keys that are not revoked, newest first (expired ones included). */
    async list(organisationId: string): Promise<ServiceKey[]> {
      await requireOrganisation(organisationId);
      const keys = await credentialsRepository(deps.database.executor).apiKeysOfOrganisation(organisationId);
      const directory = directoryRepository(deps.database.executor);
      const result: ServiceKey[] = [];
      for (const apiKey of keys) {
        const serviceUser = apiKey.owner_user_id === null ? undefined : await directory.getUser(apiKey.owner_user_id);
        if (serviceUser) result.push({ apiKey, serviceUser });
      }
      return result;
    },

    /** Revokes the key at once and deactivates its service account. */
    async revoke(organisationId: string, apiKeyId: string, actor: AuditActor): Promise<void> {
      await deps.database.transaction(async (context) => {
        const credentials = credentialsRepository(context.executor);
        const apiKey = await credentials.apiKeyOfOrganisation(organisationId, apiKeyId);
        if (!apiKey || apiKey.revoked_at !== null) {
          throw identityErrors.create('IDENTITY_API_KEY_NOT_FOUND', { apiKeyId });
        }
        const at = now();
        await credentials.revokeOrganisationApiKey(apiKeyId, at);
        if (apiKey.owner_user_id !== null) {
          await directoryRepository(context.executor).updateUser(apiKey.owner_user_id, {
            status: 'deactivated',
            deactivated_at: at,
            updated_at: at,
          });
        }
        await deps.audit.record(
          {
            action: 'identity.service_key.revoked',
            outcome: 'success',
            actor,
            target: { type: 'identity.api_key', id: apiKeyId, label: apiKey.name },
            organisationId,
          },
          { context },
        );
      });
    },
  };
}

export type ServiceKeyService = ReturnType<typeof createServiceKeyService>;
