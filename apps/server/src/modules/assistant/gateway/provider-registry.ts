import type { Logger } from '../../../platform/logging.ts';
import {
  compareSensitivity,
  type SensitivityLevel,
  type SensitivityService,
} from '../../../platform/sensitivity/index.ts';
import type { ModelType, ProviderDefinition } from './providers-file.ts';

export type { ModelType } from './providers-file.ts';

/** Where a provider is declared: the providers file (read-only through the API) or the database. */
export type ProviderSource = 'file' | 'database';

export type ProviderHealth = 'unknown' | 'healthy' | 'unhealthy';

/** A provider as the gateway runs it: its declaration, and what this process sees of it. */
export interface RunningProvider {
  readonly definition: ProviderDefinition;
  readonly source: ProviderSource;
  health: ProviderHealth;
  /** When the health last changed, and why it is unhealthy. */
  healthCheckedAt: string | null;
  lastError: string | null;
  /** Requests this process has in flight to it (its capacity is `definition.maxConcurrency`). */
  inFlight: number;
  /** Consecutive failures of calls and health checks (reset by a success). */
  failures: number;
}

/** One provider able to serve a model alias, and the provider's own name for it. */
export interface Candidate {
  readonly provider: RunningProvider;
  readonly upstreamModel: string;
}

export interface AliasInfo {
  readonly alias: string;
  readonly type: ModelType;
  readonly providers: readonly RunningProvider[];
}

/** The unhealthy are tried last (a health check may lag behind a recovery). */
const healthRank: Readonly<Record<ProviderHealth, number>> = { healthy: 0, unknown: 0, unhealthy: 1 };

/**
 * The model providers of the gateway (file and database), each registered as a `model-provider` processor
 * of the platform's sensitivity registry, with their health and load in this process. Aliases are the
 * model names clients ask for; an alias served by several providers must have one type everywhere.
 */
export class ProviderRegistry {
  readonly #providers = new Map<string, RunningProvider>();
  readonly #sensitivity: SensitivityService;
  readonly #logger: Logger;
  #rotation = 0;

  constructor(deps: { sensitivity: SensitivityService; logger: Logger }) {
    this.#sensitivity = deps.sensitivity;
    this.#logger = deps.logger;
  }

  /** Adds a provider (and its processor): throws on a taken id, a clearance above its hosting, a type clash. */
  add(definition: ProviderDefinition, source: ProviderSource): RunningProvider {
    if (this.#providers.has(definition.id)) throw new Error(`provider ${definition.id} is declared twice`);
    this.#assertConsistentTypes(definition);
    this.#sensitivity.registerProcessor({
      id: definition.id,
      kind: 'model-provider',
      name: definition.name,
      clearance: definition.clearance,
      hosting: definition.hosting,
      operator: definition.operator,
    });
    const running: RunningProvider = {
      definition,
      source,
      health: 'unknown',
      healthCheckedAt: null,
      lastError: null,
      inFlight: 0,
      failures: 0,
    };
    this.#providers.set(definition.id, running);
    return running;
  }

  /** Replaces a provider's declaration, keeping its load and health. */
  replace(definition: ProviderDefinition): RunningProvider {
    const current = this.#providers.get(definition.id);
    if (!current) throw new Error(`provider ${definition.id} is not declared`);
    this.#assertConsistentTypes(definition, definition.id);
    this.#sensitivity.updateProcessor(definition.id, {
      name: definition.name,
      clearance: definition.clearance,
      hosting: definition.hosting,
      operator: definition.operator,
    });
    const replaced: RunningProvider = { ...current, definition };
    this.#providers.set(definition.id, replaced);
    return replaced;
  }

  remove(id: string): boolean {
    if (!this.#providers.delete(id)) return false;
    this.#sensitivity.unregisterProcessor(id);
    return true;
  }

  get(id: string): RunningProvider | undefined {
    return this.#providers.get(id);
  }

  list(): RunningProvider[] {
    return [...this.#providers.values()];
  }

  get isEmpty(): boolean {
    return this.#providers.size === 0;
  }

  /** The model aliases served, with their type and providers, in declaration order. */
  aliases(): AliasInfo[] {
    const byAlias = new Map<string, { type: ModelType; providers: RunningProvider[] }>();
    for (const provider of this.#providers.values()) {
      for (const model of provider.definition.models) {
        const entry = byAlias.get(model.name) ?? { type: model.type, providers: [] };
        entry.providers.push(provider);
        byAlias.set(model.name, entry);
      }
    }
    return [...byAlias].map(([alias, entry]) => ({ alias, type: entry.type, providers: entry.providers }));
  }

  /** The type of an alias, undefined when no provider serves it. */
  typeOf(alias: string): ModelType | undefined {
    for (const provider of this.#providers.values()) {
      const model = provider.definition.models.find((candidate) => candidate.name === alias);
      if (model) return model.type;
    }
    return undefined;
  }

  /**
   * The providers serving `alias`: `cleared` those whose clearance covers `level` (as the sensitivity
   * registry knows them), in the order to try them — least busy first (in flight / capacity), healthy or
   * unknown before unhealthy, ties taken in turn — and `serving` all of them (to tell "none cleared" from
   * "no such model").
   */
  candidates(alias: string, level: SensitivityLevel): { cleared: Candidate[]; serving: number } {
    const serving: Candidate[] = [];
    for (const provider of this.#providers.values()) {
      const model = provider.definition.models.find((candidate) => candidate.name === alias);
      if (model) serving.push({ provider, upstreamModel: model.upstream });
    }
    const cleared = serving.filter(({ provider }) => {
      const processor = this.#sensitivity.getProcessor(provider.definition.id);
      return processor !== undefined && compareSensitivity(processor.clearance, level) >= 0;
    });
    const turn = this.#rotation++;
    const ordered = cleared
      .map((candidate, index) => ({ candidate, tie: (index + turn) % Math.max(cleared.length, 1) }))
      .sort((a, b) => {
        const health = healthRank[a.candidate.provider.health] - healthRank[b.candidate.provider.health];
        if (health !== 0) return health;
        const load = loadOf(a.candidate.provider) - loadOf(b.candidate.provider);
        return load !== 0 ? load : a.tie - b.tie;
      })
      .map(({ candidate }) => candidate);
    return { cleared: ordered, serving: serving.length };
  }

  /** Takes one of the provider's slots; false when it is at capacity. */
  acquire(provider: RunningProvider): boolean {
    if (provider.inFlight >= provider.definition.maxConcurrency) return false;
    provider.inFlight += 1;
    return true;
  }

  release(provider: RunningProvider): void {
    provider.inFlight = Math.max(0, provider.inFlight - 1);
  }

  /** A call or a health check succeeded. */
  markHealthy(provider: RunningProvider, at: string): void {
    provider.failures = 0;
    provider.lastError = null;
    if (provider.health !== 'healthy') {
      provider.health = 'healthy';
      provider.healthCheckedAt = at;
      this.#logger.info({ providerId: provider.definition.id }, 'model provider healthy');
    }
  }

  /** A call failed before its first byte, or a health check failed. */
  markFailed(provider: RunningProvider, at: string, reason: string): void {
    provider.failures += 1;
    provider.lastError = reason;
    if (provider.health !== 'unhealthy') {
      provider.health = 'unhealthy';
      provider.healthCheckedAt = at;
      this.#logger.warn({ providerId: provider.definition.id, reason }, 'model provider unhealthy');
    }
  }

  #assertConsistentTypes(definition: ProviderDefinition, replacing?: string): void {
    for (const model of definition.models) {
      for (const provider of this.#providers.values()) {
        if (provider.definition.id === replacing) continue;
        const other = provider.definition.models.find((candidate) => candidate.name === model.name);
        if (other && other.type !== model.type) {
          throw new Error(
            `model ${model.name} is a ${model.type} model at ${definition.id} but a ${other.type} model at ${provider.definition.id}`,
          );
        }
      }
    }
  }
}

function loadOf(provider: RunningProvider): number {
  return provider.inFlight / provider.definition.maxConcurrency;
}
