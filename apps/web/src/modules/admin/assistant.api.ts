import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { sensitivityLevels, type SensitivityLevel } from '../../api/types.ts';

/*
 * The instance administrators' API of Albert's model gateway (apps/server/src/modules/assistant,
 * gateway/admin.routes.ts): providers, model aliases, quotas and usage.
 */

/** Where a provider runs (platform/sensitivity `processorHostings`), most trusted first. */
export const processorHostings = ['on-premises', 'state-cloud', 'secnumcloud', 'public-cloud'] as const;
export type ProcessorHosting = (typeof processorHostings)[number];

/** What a model does, hence which OpenAI-compatible endpoint serves it (`modelTypes` of providers-file.ts). */
export const modelTypes = ['chat', 'embeddings', 'rerank'] as const;
export type ModelType = (typeof modelTypes)[number];

export type ProviderHealth = 'unknown' | 'healthy' | 'unhealthy';

/** The highest clearance a provider so hosted may declare ("Cloud au centre", as the server checks it). */
export function maxClearanceForHosting(hosting: ProcessorHosting): SensitivityLevel {
  switch (hosting) {
    case 'on-premises':
      return 'restricted';
    case 'state-cloud':
    case 'secnumcloud':
      return 'sensitive';
    case 'public-cloud':
      return 'internal';
  }
}

/** The clearances a provider so hosted may declare, lowest first. */
export function clearancesFor(hosting: ProcessorHosting): SensitivityLevel[] {
  return sensitivityLevels.slice(0, sensitivityLevels.indexOf(maxClearanceForHosting(hosting)) + 1);
}

/** A provider as `GET /api/admin/assistant/providers` lists it: never its secret key. */
export interface AiProvider {
  id: string;
  name: string;
  baseUrl: string;
  hasApiKey: boolean;
  hosting: ProcessorHosting;
  clearance: SensitivityLevel;
  operator: string | null;
  models: {
    name: string;
    upstream: string;
    type: ModelType;
    costPerMillionTokens: { input: number; output: number } | null;
  }[];
  maxConcurrency: number;
  timeouts: { firstByteMs: number; totalMs: number };
  requiresPseudonymisation: boolean;
  healthCheck: { path: string; intervalMs: number };
  /** `file`: declared in the providers file, read-only here; `database`: added through this API. */
  source: 'file' | 'database';
  health: ProviderHealth;
  healthCheckedAt: string | null;
  lastError: string | null;
  inFlight: number;
}

/** The body of `POST /api/admin/assistant/providers`: one entry of the providers file. */
export interface NewAiProvider {
  id: string;
  name?: string;
  baseUrl: string;
  apiKey?: string;
  hosting: ProcessorHosting;
  clearance: SensitivityLevel;
  operator?: string;
  models: { name: string; upstream?: string; type: ModelType }[];
  maxConcurrency?: number;
  requiresPseudonymisation?: boolean;
}

/** A model alias (the name clients ask for) and the providers serving it. */
export interface AiModelAlias {
  name: string;
  type: ModelType;
  providers: {
    id: string;
    upstream: string;
    clearance: SensitivityLevel;
    hosting: ProcessorHosting;
    health: ProviderHealth;
  }[];
}

/** Limits of an organisation or an API key for one model alias, or all of them (`*`); null is unlimited. */
export interface AiQuota {
  scopeType: 'organisation' | 'api-key';
  scopeId: string;
  model: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
}

/** The model of a quota that applies to every model. */
export const allModels = '*';

export type UsageStatus = 'success' | 'error' | 'refused' | 'rate-limited' | 'busy' | 'cancelled';

/** Requests of one day (UTC), organisation, model, status and sensitivity level. */
export interface AiUsageAggregate {
  day: string;
  organisationId: string | null;
  model: string;
  status: UsageStatus;
  sensitivity: SensitivityLevel;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  averageLatencyMs: number;
}

const base = '/api/admin/assistant';

export const assistantKeys = {
  all: ['admin', 'assistant'] as const,
  providers: ['admin', 'assistant', 'providers'] as const,
  models: ['admin', 'assistant', 'models'] as const,
  quotas: ['admin', 'assistant', 'quotas'] as const,
  usage: (since: string) => ['admin', 'assistant', 'usage', since] as const,
};

/** The providers, refreshed every 30 s: their health and load change on their own. */
export function useAiProviders() {
  return useQuery({
    queryKey: assistantKeys.providers,
    queryFn: () => api<{ items: AiProvider[] }>(`${base}/providers`),
    refetchInterval: 30_000,
  });
}

export function useAiModels() {
  return useQuery({
    queryKey: assistantKeys.models,
    queryFn: () => api<{ items: AiModelAlias[] }>(`${base}/models`),
  });
}

export function useAiQuotas() {
  return useQuery({
    queryKey: assistantKeys.quotas,
    queryFn: () => api<{ items: AiQuota[] }>(`${base}/quotas`),
  });
}

export function useAiUsage(since: string) {
  return useQuery({
    queryKey: assistantKeys.usage(since),
    queryFn: () => api<{ items: AiUsageAggregate[] }>(`${base}/usage`, { query: { since } }),
  });
}

export function createAiProvider(provider: NewAiProvider): Promise<AiProvider> {
  return api<AiProvider>(`${base}/providers`, { method: 'POST', json: provider });
}

export function deleteAiProvider(id: string): Promise<undefined> {
  return api<undefined>(`${base}/providers/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function saveAiQuota(quota: AiQuota): Promise<AiQuota> {
  return api<AiQuota>(`${base}/quotas`, { method: 'PUT', json: quota });
}

export function deleteAiQuota(quota: Pick<AiQuota, 'scopeType' | 'scopeId' | 'model'>): Promise<undefined> {
  return api<undefined>(`${base}/quotas`, {
    method: 'DELETE',
    query: { scopeType: quota.scopeType, scopeId: quota.scopeId, model: quota.model },
  });
}
