import { z } from 'zod';

export const loginRequestSchema = z
  .object({
    email: z.string().trim().min(3).max(320).pipe(z.email()),
    password: z.string().min(1).max(1024),
  })
  .meta({ id: 'LoginRequest' });

export const organisationSummarySchema = z.object({ id: z.string(), name: z.string() });

/** The signed-in user, as `GET /api/me` describes them. */
export const meSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    title: z.string().nullable(),
    phone: z.string().nullable(),
    kind: z.enum(['agent', 'external']),
    organisation: organisationSummarySchema.nullable(),
    isInstanceAdmin: z.boolean(),
    administeredOrganisationIds: z.array(z.string()),
    authenticatedBy: z.enum(['session', 'api-key']),
    /** To send as `X-CSRF-Token` when the browser does not send `Origin` (session only). */
    csrfToken: z.string().nullable(),
    /** The API key's scopes (API key only). */
    scopes: z.array(z.string()).nullable(),
  })
  .meta({ id: 'Me' });

export const sessionSchema = z
  .object({
    id: z.string(),
    method: z.string(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    isCurrent: z.boolean(),
  })
  .meta({ id: 'Session' });

export const apiKeyScopeSchema = z.enum(['ai', 'chat', 'docs:read', 'docs:write', 'files', 'procedures', 'admin']);

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('The visible start of the key, to recognise it: bk_<prefix>_...'),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const createApiKeyRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(apiKeyScopeSchema).min(1).max(7),
    expiresAt: z.iso.datetime().nullable().optional(),
  })
  .meta({ id: 'CreateApiKeyRequest' });

export const createdApiKeySchema = z
  .object({
    apiKey: apiKeySchema,
    secret: z.string().describe('Shown once: Bureau keeps only its hash.'),
  })
  .meta({ id: 'CreatedApiKey' });

/** An account as administrators see it. */
export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    title: z.string().nullable(),
    kind: z.enum(['agent', 'external']),
    organisationId: z.string().nullable(),
    isInstanceAdmin: z.boolean(),
    status: z.enum(['active', 'deactivated']),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });
