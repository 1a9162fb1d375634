import type { ApiKeyRow, SessionRow } from './credentials.repository.ts';
import type { OrganisationRow, UserRow } from './directory.repository.ts';
import type { Authentication } from './auth.service.ts';

export function presentMe(
  authentication: Authentication,
  organisation: OrganisationRow | undefined,
  administeredOrganisationIds: string[],
) {
  const { user, credential } = authentication;
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    title: user.title,
    phone: user.phone,
    kind: user.kind,
    organisation: organisation ? { id: organisation.id, name: organisation.name } : null,
    isInstanceAdmin: Boolean(user.is_instance_admin),
    administeredOrganisationIds,
    authenticatedBy: credential.kind,
    csrfToken: credential.kind === 'session' ? credential.csrfToken : null,
    scopes: credential.kind === 'api-key' ? [...credential.scopes] : null,
  };
}

export function presentSession(session: SessionRow, currentSessionId: string | undefined) {
  return {
    id: session.id,
    method: session.method,
    createdAt: session.created_at,
    lastSeenAt: session.last_seen_at,
    expiresAt: session.expires_at,
    ip: session.ip,
    userAgent: session.user_agent,
    isCurrent: session.id === currentSessionId,
  };
}

export function presentApiKey(apiKey: ApiKeyRow) {
  return {
    id: apiKey.id,
    name: apiKey.name,
    prefix: apiKey.prefix,
    scopes: JSON.parse(apiKey.scopes) as string[],
    createdAt: apiKey.created_at,
    expiresAt: apiKey.expires_at,
    lastUsedAt: apiKey.last_used_at,
  };
}

export function presentServiceKey({ apiKey, serviceUser }: { apiKey: ApiKeyRow; serviceUser: UserRow }) {
  return {
    ...presentApiKey(apiKey),
    organisationId: apiKey.owner_organisation_id ?? serviceUser.organisation_id ?? '',
    serviceUserId: serviceUser.id,
    createdBy: apiKey.created_by,
  };
}

export function presentUser(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    title: user.title,
    kind: user.kind,
    organisationId: user.organisation_id,
    isInstanceAdmin: Boolean(user.is_instance_admin),
    status: user.status,
    lastLoginAt: user.last_login_at,
    createdAt: user.created_at,
  };
}
