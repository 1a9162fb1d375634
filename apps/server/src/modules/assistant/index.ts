import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../platform/audit/audit-log.ts';
import type { AuthzService } from '../../platform/authz/index.ts';
import type { Subject } from '../../platform/authz/subject.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import type { Logger } from '../../platform/logging.ts';
import type { BureauModule } from '../../platform/module.ts';
import type { SensitivityLevel, SensitivityService } from '../../platform/sensitivity/index.ts';
import { createAnswerService, type AnswerService } from './answers/answer.service.ts';
import { registerAssistantRoutes } from './answers/assistant.routes.ts';
import { createWritingService } from './answers/writing.service.ts';
import { createConversationsRepository } from './answers/conversations.repository.ts';
import { createImpactRepository } from './answers/impact.repository.ts';
import { registerImpactRoutes } from './answers/impact.routes.ts';
import { createImpactService } from './answers/impact.service.ts';
import { registerGatewayAdminRoutes } from './gateway/admin.routes.ts';
import { createGatewayRepository } from './gateway/gateway.repository.ts';
import { createGatewayService, type GatewayService } from './gateway/gateway.service.ts';
import { openAiErrorPresenter, registerOpenAiRoutes } from './gateway/openai.routes.ts';
import { ProviderRegistry } from './gateway/provider-registry.ts';
import type { ProviderDefinition } from './gateway/providers-file.ts';
import { QuotaLedger } from './gateway/quotas.ts';
import { getLoadablePath } from 'sqlite-vec';
import { demoGuideCollection, demoGuideDocuments } from './knowledge/demo-guide.ts';
import { registerKnowledgeAdminRoutes } from './knowledge/knowledge-admin.routes.ts';
import { createKnowledgeRepository } from './knowledge/knowledge.repository.ts';
import { createVectorSearch, type VectorEngine } from './knowledge/retrieval/vector-search.ts';
import {
  collectionResourceType,
  createKnowledgeService,
  packagesDirectoryOf,
  type KnowledgeService,
} from './knowledge/knowledge.service.ts';
import { assistantGatewayMigration } from './migrations/202612021000_assistant_gateway.ts';
import { assistantKnowledgeMigration } from './migrations/202612031000_assistant_knowledge.ts';
import { assistantConversationsMigration } from './migrations/202612031100_assistant_conversations.ts';
import { assistantEmbeddingsMigration } from './migrations/202612031200_assistant_embeddings.ts';

export { assistantErrors } from './assistant.errors.ts';
export type { GatewayCaller, GatewayRequestOptions, GatewayService } from './gateway/gateway.service.ts';
import type { GatewayCaller } from './gateway/gateway.service.ts';
export { albertUsage, runAlbertCommand } from './knowledge/knowledge.cli.ts';
export type { KnowledgeService, RetrievalHit, RetrievalQuery } from './knowledge/knowledge.service.ts';

export interface AssistantModuleDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly logger: Logger;
  readonly audit: AuditLog;
  readonly authz: AuthzService;
  readonly sensitivity: SensitivityService;
  readonly identity: {
    subjectOf(request: FastifyRequest): Promise<Subject>;
    organisationDefaultLabel(organisationId: string): Promise<SensitivityLevel | undefined>;
    /** The organisations a user administers, with all their sub-organisations (Albert's impact dashboard). */
    organisationsAdministeredBy(userId: string): Promise<ReadonlySet<string>>;
    /** Every organisation's id, name and parent (names and sub-trees of the impact dashboard). */
    listOrganisations(): Promise<readonly { id: string; name: string; parentId: string | null }[]>;
  };
  readonly config: {
    readonly assistant: {
      readonly providers: readonly ProviderDefinition[];
      readonly model: string;
      readonly embeddingsModel: string;
      readonly rerankModel: string;
    };
    readonly identity?: { readonly seedDemo: boolean };
    /** Bureau's data folder: fetched knowledge packages are kept under it. */
    readonly dataDir: string;
  };
}

export interface AssistantModule extends BureauModule {
  readonly gateway: GatewayService;
  readonly registry: ProviderRegistry;
  readonly quotas: QuotaLedger;
  readonly knowledge: KnowledgeService;
  readonly answers: AnswerService;
}

/** How often the quota rules are read again (another process may have changed them). */
const quotaReloadIntervalMs = 30_000;

/**
 * Albert: the model gateway (providers of the providers file and of the database, sensitivity routing,
 * the OpenAI-compatible API `/v1`, quotas and usage), and its knowledge (collections, importers, retrieval).
 * See README.md.
 */
export function createAssistantModule(deps: AssistantModuleDependencies): AssistantModule {
  const logger = deps.logger.child({ module: 'assistant' });
  const repository = createGatewayRepository(deps.database);
  const registry = new ProviderRegistry({ sensitivity: deps.sensitivity, logger });
  const quotas = new QuotaLedger(() => deps.clock.now().getTime());
  const gateway = createGatewayService({
    registry,
    quotas,
    repository,
    authz: deps.authz,
    audit: deps.audit,
    logger,
    newId: deps.newId,
    now: () => deps.clock.now(),
    organisationDefaultLabel: (organisationId) => deps.identity.organisationDefaultLabel(organisationId),
  });
  deps.authz.defineResourceType({
    type: collectionResourceType,
    roles: ['reader', 'editor', 'owner'],
    actions: { read: 'reader', edit: 'editor', share: 'owner' },
  });
  const knowledgeRepository = createKnowledgeRepository(deps.database);
  const vectors = createVectorSearch(deps.database, knowledgeRepository, vectorEngineOf(deps.database, logger));
  const embeddingsModel = deps.config.assistant.embeddingsModel;
  const systemCaller: GatewayCaller = {
    subject: () => Promise.resolve({ userId: null, kind: 'service', groupIds: [], organisationPath: [] }),
    userId: null,
    organisationId: null,
    apiKeyId: null,
    actor: { system: true, label: 'Albert (knowledge)' },
  };
  const knowledge = createKnowledgeService({
    database: deps.database,
    repository: knowledgeRepository,
    vectors,
    systemCaller,
    reranker: {
      model: deps.config.assistant.rerankModel,
      isServed: () =>
        registry
          .aliases()
          .some((alias) => alias.alias === deps.config.assistant.rerankModel && alias.type === 'rerank'),
      async rerank(query, documents, options) {
        const response = await gateway.rerank(
          { model: deps.config.assistant.rerankModel, query, documents: [...documents] },
          options.caller,
          { dataLabels: [options.level] },
        );
        const scores = documents.map(() => Number.NEGATIVE_INFINITY);
        for (const result of (response.results ?? []) as Array<{ index?: number; relevance_score?: number }>) {
          if (typeof result.index === 'number' && typeof result.relevance_score === 'number') {
            scores[result.index] = result.relevance_score;
          }
        }
        return scores;
      },
    },
    embeddings: {
      model: embeddingsModel,
      isServed: () =>
        registry.aliases().some((alias) => alias.alias === embeddingsModel && alias.type === 'embeddings'),
      async embed(texts, options) {
        const response = await gateway.embeddings(
          { model: embeddingsModel, input: [...texts] },
          options.caller ?? systemCaller,
          options.level ? { declaredLevel: options.level } : {},
        );
        const data = (response.data ?? []) as Array<{ index?: number; embedding?: unknown }>;
        return [...data]
          .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
          .map((item) => Float32Array.from(Array.isArray(item.embedding) ? (item.embedding as number[]) : []));
      },
    },
    authz: deps.authz,
    newId: deps.newId,
    now: () => deps.clock.now(),
    logger,
    packagesDirectory: packagesDirectoryOf(deps.config.dataDir),
  });
  const conversations = createConversationsRepository(deps.database);
  const answers = createAnswerService({
    database: deps.database,
    knowledge,
    gateway,
    registry,
    conversations,
    newId: deps.newId,
    now: () => deps.clock.now(),
    logger,
    model: deps.config.assistant.model,
  });
  const writing = createWritingService({ gateway, model: deps.config.assistant.model });
  const reloadQuotas = async () => quotas.setRules(await repository.listQuotas());
  const healthTimers = new Map<string, NodeJS.Timeout>();
  let isStarted = false;
  let quotaTimer: NodeJS.Timeout | undefined;

  async function checkHealth(providerId: string): Promise<void> {
    const provider = registry.get(providerId);
    if (!provider) return;
    const { baseUrl, apiKey, healthCheck, timeouts } = provider.definition;
    const at = () => deps.clock.now().toISOString();
    try {
      const response = await fetch(`${baseUrl}${healthCheck.path}`, {
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        signal: AbortSignal.timeout(Math.min(timeouts.firstByteMs, 10_000)),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) registry.markHealthy(provider, at());
      else registry.markFailed(provider, at(), `health check: HTTP ${response.status}`);
    } catch (error) {
      registry.markFailed(provider, at(), `health check: ${error instanceof Error ? error.message : 'failed'}`);
    }
  }

  function watchHealth(providerId: string): void {
    const provider = registry.get(providerId);
    if (!isStarted || !provider || healthTimers.has(providerId)) return;
    void checkHealth(providerId);
    healthTimers.set(
      providerId,
      setInterval(() => void checkHealth(providerId), provider.definition.healthCheck.intervalMs).unref(),
    );
  }

  function unwatchHealth(providerId: string): void {
    clearInterval(healthTimers.get(providerId));
    healthTimers.delete(providerId);
  }

  return {
    name: 'assistant',
    migrations: [
      assistantGatewayMigration,
      assistantKnowledgeMigration,
      assistantConversationsMigration,
      assistantEmbeddingsMigration,
    ],
    gateway,
    knowledge,
    answers,
    registry,
    quotas,

    async registerRoutes(http, errorSurfaces) {
      errorSurfaces.register('/v1', openAiErrorPresenter);
      registerOpenAiRoutes(http, {
        gateway,
        registry,
        repository,
        subjectOf: (request) => deps.identity.subjectOf(request),
      });
      await registerAssistantRoutes(http, {
        answers,
        writing,
        knowledge,
        conversations,
        subjectOf: (request) => deps.identity.subjectOf(request),
        now: () => deps.clock.now(),
        logger,
      });
      registerKnowledgeAdminRoutes(http, { knowledge, logger });
      registerImpactRoutes(http, {
        impact: createImpactService({
          repository: createImpactRepository(deps.database),
          directory: deps.identity,
          now: () => deps.clock.now(),
        }),
      });
      registerGatewayAdminRoutes(http, {
        registry,
        repository,
        gateway,
        audit: deps.audit,
        now: () => deps.clock.now(),
        reloadQuotas,
        watchHealth,
        unwatchHealth,
      });
    },

    /** The providers of the file, then those of the database (a database one named like a file one is skipped). */
    async initialise() {
      for (const provider of registry.list()) registry.remove(provider.definition.id);
      for (const definition of deps.config.assistant.providers) registry.add(definition, 'file');
      for (const row of await repository.listProviders()) {
        if (registry.get(row.id)) {
          logger.warn(
            { providerId: row.id },
            'a provider of the database has the id of one of the file: the file wins',
          );
          continue;
        }
        try {
          registry.add(JSON.parse(row.definition) as ProviderDefinition, 'database');
        } catch (error) {
          logger.error({ err: error, providerId: row.id }, 'provider of the database not loaded');
        }
      }
      await reloadQuotas();
      if (deps.config.identity?.seedDemo) {
        await knowledge.seedPublicCollection(demoGuideCollection, demoGuideDocuments, {
          system: true,
          label: 'demo',
        });
      }
    },

    start() {
      isStarted = true;
      for (const provider of registry.list()) watchHealth(provider.definition.id);
      quotaTimer = setInterval(() => void reloadQuotas().catch(() => undefined), quotaReloadIntervalMs).unref();
      return Promise.resolve();
    },

    async stop() {
      for (const providerId of [...healthTimers.keys()]) unwatchHealth(providerId);
      isStarted = false;
      if (quotaTimer) clearInterval(quotaTimer);
      await gateway.flushUsage();
      gateway.closeConnections();
    },
  };
}

/** sqlite-vec on SQLite when its library loads here (prebuilt for Linux, macOS and Windows), else in process. */
function vectorEngineOf(database: Database, logger: Logger): VectorEngine {
  if (!database.loadSqliteExtension) return 'in-process';
  try {
    database.loadSqliteExtension(getLoadablePath());
    return 'sqlite-vec';
  } catch (error) {
    logger.warn({ err: error }, 'sqlite-vec did not load: vectors are searched in process');
    return 'in-process';
  }
}
