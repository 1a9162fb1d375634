import { z } from 'zod';
import type { AuditLog } from '../../../platform/audit/audit-log.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import { actorOf, requireInstanceAdmin } from '../../identity/index.ts';
import { AppError } from '../../../platform/errors.ts';
import { assistantErrors } from '../assistant.errors.ts';
import type { GatewayRepository } from './gateway.repository.ts';
import type { GatewayService } from './gateway.service.ts';
import type { ProviderRegistry, RunningProvider } from './provider-registry.ts';
import { parseProvidersFile, ProvidersFileError, type ProviderDefinition } from './providers-file.ts';

const quotaSchema = z.object({
  scopeType: z.enum(['organisation', 'api-key']),
  scopeId: z.uuid(),
  model: z.string().min(1).max(128),
  requestsPerMinute: z.number().int().min(0).max(1_000_000).nullable(),
  tokensPerMinute: z.number().int().min(0).max(1_000_000_000).nullable(),
  tokensPerDay: z.number().int().min(0).max(1_000_000_000_000).nullable(),
});

const quotaKeySchema = z.object({
  scopeType: z.enum(['organisation', 'api-key']),
  scopeId: z.uuid(),
  model: z.string().min(1).max(128),
});

const usageQuerySchema = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  organisationId: z.uuid().optional(),
});

export interface AdminRoutesDependencies {
  readonly registry: ProviderRegistry;
  readonly repository: GatewayRepository;
  readonly gateway: GatewayService;
  readonly audit: AuditLog;
  readonly now: () => Date;
  /** Reloads the quota rules into the ledger after a change. */
  readonly reloadQuotas: () => Promise<void>;
  /** Starts (or stops) the health checks of a provider added (or removed) at run time. */
  readonly watchHealth: (providerId: string) => void;
  readonly unwatchHealth: (providerId: string) => void;
}

/** A provider for administrators: never its secret key. */
export function presentProvider(provider: RunningProvider) {
  const { apiKey, ...definition } = provider.definition;
  return {
    ...definition,
    hasApiKey: apiKey !== null,
    source: provider.source,
    health: provider.health,
    healthCheckedAt: provider.healthCheckedAt,
    lastError: provider.lastError,
    inFlight: provider.inFlight,
  };
}

/** A provider declared through the API, with the providers file's rules (no `${VAR}` references). */
function definitionOf(body: unknown): ProviderDefinition {
  try {
    const [definition] = parseProvidersFile(JSON.stringify({ providers: [body] }).replaceAll('${', '$${'), {
      format: 'json',
      env: {},
      source: 'request',
    });
    if (!definition) throw new Error('no provider');
    return definition;
  } catch (error) {
    if (error instanceof ProvidersFileError) {
      throw assistantErrors.create('AI_REQUEST_INVALID', {
        reason: error.issues.map((issue) => issue.replace(/^providers\[0\][^.:]*\.?/, '')).join('; '),
        issues: error.issues,
      });
    }
    throw error;
  }
}

/** A registry refusal (a model alias served with another type elsewhere) is the request's fault. */
function registryChange<T>(change: () => T): T {
  try {
    return change();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw assistantErrors.create('AI_REQUEST_INVALID', { reason: error instanceof Error ? error.message : 'refused' });
  }
}

/**
 * Instance administrators' API of the gateway: providers (those of the file are read-only here), model
 * aliases, quotas per organisation and API key, usage aggregates. Every change is audited.
 */
export function registerGatewayAdminRoutes(http: HttpServer, deps: AdminRoutesDependencies): void {
  const hidden = { schema: { tags: ['assistant'] } } as const;

  /** A provider the API may change: one added through it, not one of the providers file. */
  function changeableProvider(id: string): RunningProvider {
    const provider = deps.registry.get(id);
    if (!provider) throw assistantErrors.create('AI_PROVIDER_NOT_FOUND', { providerId: id });
    if (provider.source === 'file') throw assistantErrors.create('AI_PROVIDER_READ_ONLY', { providerId: id });
    return provider;
  }

  http.get('/api/admin/assistant/providers', hidden, (request) => {
    requireInstanceAdmin(request);
    return Promise.resolve({ items: deps.registry.list().map(presentProvider) });
  });

  http.post('/api/admin/assistant/providers', hidden, async (request, reply) => {
    const admin = requireInstanceAdmin(request);
    const definition = definitionOf(request.body);
    if (deps.registry.get(definition.id))
      throw assistantErrors.create('AI_PROVIDER_DUPLICATE', { providerId: definition.id });
    const running = registryChange(() => deps.registry.add(definition, 'database'));
    const at = deps.now().toISOString();
    try {
      await deps.repository.insertProvider({
        id: definition.id,
        definition: JSON.stringify(definition),
        created_by: admin.user.id,
        created_at: at,
        updated_at: at,
      });
    } catch (error) {
      deps.registry.remove(definition.id);
      throw error;
    }
    await deps.audit.record({
      action: 'assistant.provider.created',
      outcome: 'success',
      actor: actorOf(request),
      target: { type: 'assistant.provider', id: definition.id, label: definition.name },
      details: {
        hosting: definition.hosting,
        clearance: definition.clearance,
        models: definition.models.map((m) => m.name),
      },
    });
    deps.watchHealth(definition.id);
    return reply.code(201).send(presentProvider(running));
  });

  http.put<{ Params: { id: string } }>('/api/admin/assistant/providers/:id', hidden, async (request) => {
    requireInstanceAdmin(request);
    const current = changeableProvider(request.params.id);
    const body = request.body as Record<string, unknown> | null;
    // No key sent: the stored one stays (the key is never shown, so a form cannot send it back).
    const definition = definitionOf({
      ...(current.definition.apiKey !== null && body !== null && !('apiKey' in body)
        ? { apiKey: current.definition.apiKey }
        : {}),
      ...body,
      id: current.definition.id,
    });
    const previous = current.definition;
    const running = registryChange(() => deps.registry.replace(definition));
    try {
      await deps.repository.updateProvider(definition.id, JSON.stringify(definition), deps.now().toISOString());
    } catch (error) {
      deps.registry.replace(previous);
      throw error;
    }
    await deps.audit.record({
      action: 'assistant.provider.updated',
      outcome: 'success',
      actor: actorOf(request),
      target: { type: 'assistant.provider', id: definition.id, label: definition.name },
      details: {
        hosting: definition.hosting,
        clearance: definition.clearance,
        models: definition.models.map((m) => m.name),
      },
    });
    return presentProvider(running);
  });

  http.delete<{ Params: { id: string } }>('/api/admin/assistant/providers/:id', hidden, async (request, reply) => {
    requireInstanceAdmin(request);
    const current = changeableProvider(request.params.id);
    await deps.repository.deleteProvider(current.definition.id);
    deps.registry.remove(current.definition.id);
    deps.unwatchHealth(current.definition.id);
    await deps.audit.record({
      action: 'assistant.provider.deleted',
      outcome: 'success',
      actor: actorOf(request),
      target: { type: 'assistant.provider', id: current.definition.id, label: current.definition.name },
    });
    return reply.code(204).send();
  });

  http.get('/api/admin/assistant/models', hidden, (request) => {
    requireInstanceAdmin(request);
    return Promise.resolve({
      items: deps.registry.aliases().map((alias) => ({
        name: alias.alias,
        type: alias.type,
        providers: alias.providers.map((provider) => ({
          id: provider.definition.id,
          upstream: provider.definition.models.find((model) => model.name === alias.alias)?.upstream ?? alias.alias,
          clearance: provider.definition.clearance,
          hosting: provider.definition.hosting,
          health: provider.health,
        })),
      })),
    });
  });

  http.get('/api/admin/assistant/quotas', hidden, async (request) => {
    requireInstanceAdmin(request);
    return { items: await deps.repository.listQuotas() };
  });

  http.put('/api/admin/assistant/quotas', hidden, async (request) => {
    const admin = requireInstanceAdmin(request);
    const parsed = quotaSchema.safeParse(request.body);
    if (!parsed.success) {
      throw assistantErrors.create('AI_REQUEST_INVALID', {
        reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      });
    }
    const quota = parsed.data;
    await deps.repository.upsertQuota({
      scope_type: quota.scopeType,
      scope_id: quota.scopeId,
      model: quota.model,
      requests_per_minute: quota.requestsPerMinute,
      tokens_per_minute: quota.tokensPerMinute,
      tokens_per_day: quota.tokensPerDay,
      updated_by: admin.user.id,
      updated_at: deps.now().toISOString(),
    });
    await deps.reloadQuotas();
    await deps.audit.record({
      action: 'assistant.quota.set',
      outcome: 'success',
      actor: actorOf(request),
      target: { type: quota.scopeType, id: quota.scopeId },
      ...(quota.scopeType === 'organisation' ? { organisationId: quota.scopeId } : {}),
      details: quota,
    });
    return quota;
  });

  http.delete('/api/admin/assistant/quotas', hidden, async (request, reply) => {
    requireInstanceAdmin(request);
    const parsed = quotaKeySchema.safeParse(request.query);
    if (!parsed.success) {
      throw assistantErrors.create('AI_REQUEST_INVALID', {
        reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      });
    }
    const { scopeType, scopeId, model } = parsed.data;
    await deps.repository.deleteQuota(scopeType, scopeId, model);
    await deps.reloadQuotas();
    await deps.audit.record({
      action: 'assistant.quota.removed',
      outcome: 'success',
      actor: actorOf(request),
      target: { type: scopeType, id: scopeId },
      details: { model },
    });
    return reply.code(204).send();
  });

  /** Requests, tokens, latency and refusals per day, organisation, model, status and level. */
  http.get('/api/admin/assistant/usage', hidden, async (request) => {
    requireInstanceAdmin(request);
    const parsed = usageQuerySchema.safeParse(request.query);
    if (!parsed.success) {
      throw assistantErrors.create('AI_REQUEST_INVALID', {
        reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      });
    }
    await deps.gateway.flushUsage();
    const { since, until, organisationId } = parsed.data;
    return {
      items: await deps.repository.aggregates({
        ...(since ? { since: new Date(since).toISOString() } : {}),
        ...(until ? { until: new Date(until).toISOString() } : {}),
        ...(organisationId ? { organisationId } : {}),
      }),
    };
  });
}
