import { apiErrorSchema, instanceInfoSchema, supportedLocales } from '@bureau/contracts';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import type { MigrationRunner } from '../db/migrations.ts';
import { platformErrors } from '../errors.ts';
import type { InstanceService } from '../instance/instance.service.ts';
import type { HttpServer } from './http-server.ts';

export interface SystemRoutesDeps {
  database: Database;
  migrations: MigrationRunner;
  instance: InstanceService;
  metrics: Registry;
  version: string;
  publicUrl: string;
  isShuttingDown: () => boolean;
}

const healthSchema = z.object({ status: z.literal('ok') });
const readinessSchema = z.object({
  status: z.literal('ready'),
  checks: z.object({ database: z.literal('ok'), migrations: z.literal('ok') }),
});

/** Probes, metrics, the OpenAPI document and what the instance says about itself. */
export function registerSystemRoutes(http: HttpServer, deps: SystemRoutesDeps): void {
  http.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process is up.',
        response: { 200: healthSchema },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  http.get(
    '/readyz',
    {
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database answers and every migration is applied.',
        response: { 200: readinessSchema, 503: apiErrorSchema },
      },
    },
    async () => {
      if (deps.isShuttingDown()) throw platformErrors.create('NOT_READY', { reason: 'shutting down' });
      try {
        await deps.database.ping();
      } catch (error) {
        throw platformErrors.create('NOT_READY', { reason: 'database unreachable' }, { cause: error });
      }
      const { pending } = await deps.migrations.status();
      if (pending.length > 0) {
        throw platformErrors.create('NOT_READY', { reason: `${pending.length} migration(s) pending`, pending });
      }
      return { status: 'ready' as const, checks: { database: 'ok' as const, migrations: 'ok' as const } };
    },
  );

  http.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await deps.metrics.metrics();
    return reply.type(deps.metrics.contentType).send(body);
  });

  http.get('/api/openapi.json', { schema: { hide: true } }, () => http.swagger());

  http.get(
    '/api/instance',
    {
      schema: {
        tags: ['system'],
        summary: "The administration's name and the instance's languages, shown before sign-in.",
        response: { 200: instanceInfoSchema },
      },
    },
    async () => {
      const info = await deps.instance.info();
      return {
        name: info.name,
        publicUrl: deps.publicUrl,
        version: deps.version,
        defaultLocale: 'fr' as const,
        locales: [...supportedLocales],
      };
    },
  );
}
