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
    kind: z.enum(['agent', 'external', 'service']),
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
    kind: z.enum(['agent', 'external', 'service']),
    organisationId: z.string().nullable(),
    isInstanceAdmin: z.boolean(),
    status: z.enum(['active', 'deactivated']),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });

/** Sensitivity levels, lowest first (UI: Public, Interne, Sensible, Diffusion restreinte). */
export const sensitivityLevelSchema = z.enum(['public', 'internal', 'sensitive', 'restricted']);

/** An organisation unit as administrators see it. */
export const organisationSchema = z
  .object({
    id: z.string(),
    parentId: z.string().nullable(),
    name: z.string(),
    siret: z.string().nullable(),
    domains: z.array(z.string()),
    /** The label of what is created in the organisation when nothing else gives one. */
    defaultLabel: sensitivityLevelSchema,
  })
  .meta({ id: 'Organisation' });

/** Scopes a service key may carry: an organisation's programs never administer Bureau. */
export const serviceKeyScopeSchema = apiKeyScopeSchema.exclude(['admin']);

export const createServiceKeyRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(serviceKeyScopeSchema).min(1).max(6),
    expiresAt: z.iso.datetime().nullable().optional(),
  })
  .meta({ id: 'CreateServiceKeyRequest' });

/** An organisation's service key: a program of another administration acting for the organisation. */
export const serviceKeySchema = apiKeySchema
  .extend({
    organisationId: z.string(),
    /** The account the key acts as (kind `service`): share resources with it like with a person. */
    serviceUserId: z.string(),
    createdBy: z.string().nullable(),
  })
  .meta({ id: 'ServiceKey' });

export const createdServiceKeySchema = z
  .object({
    serviceKey: serviceKeySchema,
    secret: z.string().describe('Shown once: Bureau keeps only its hash.'),
  })
  .meta({ id: 'CreatedServiceKey' });

export const mergeAccountsRequestSchema = z
  .object({
    /** The duplicate account, merged into the account of the URL and then deactivated. */
    sourceUserId: z.uuid(),
  })
  .meta({ id: 'MergeAccountsRequest' });
