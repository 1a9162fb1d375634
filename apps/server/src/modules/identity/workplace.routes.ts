import { apiErrorSchema, externalServicesSchema } from '@bureau/contracts';
import { z } from 'zod';
import type { AuditLog } from '../../platform/audit/audit-log.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { InstanceService } from '../../platform/instance/instance.service.ts';
import { actorOf, requireAuthentication, requireInstanceAdmin } from './identity.http.ts';

export interface WorkplaceRoutesDeps {
  instance: InstanceService;
  audit: AuditLog;
}

const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema };

/**
 * The instance's settings that instance administrators change from the console: the administration's
 * name and the external services of the app switcher ("gaufre"), which every signed-in user reads.
 */
export function registerWorkplaceRoutes(http: HttpServer, deps: WorkplaceRoutesDeps): void {
  http.get(
    '/api/workplace/services',
    {
      schema: {
        tags: ['workplace'],
        summary: 'The external services of the app switcher, in their order (signed-in users).',
        response: { 200: externalServicesSchema, ...errors },
      },
    },
    async (request) => {
      requireAuthentication(request);
      return { items: await deps.instance.externalServices() };
    },
  );

  http.put(
    '/api/admin/workplace/services',
    {
      schema: {
        tags: ['administration'],
        summary: 'Replaces the external services of the app switcher (instance administrators).',
        body: externalServicesSchema,
        response: { 200: externalServicesSchema, ...errors },
      },
    },
    async (request) => {
      requireInstanceAdmin(request);
      const before = await deps.instance.externalServices();
      await deps.instance.setExternalServices(request.body.items);
      await deps.audit.record({
        action: 'instance.services.updated',
        outcome: 'success',
        actor: actorOf(request),
        target: { type: 'instance.services', id: 'external-services' },
        details: {
          before: before.map((service) => service.url),
          after: request.body.items.map((service) => service.url),
        },
      });
      return { items: request.body.items };
    },
  );

  http.patch(
    '/api/admin/instance',
    {
      schema: {
        tags: ['administration'],
        summary: 'Renames the administration shown in the header (instance administrators).',
        body: z.object({ name: z.string().trim().min(1).max(120) }),
        response: { 200: z.object({ name: z.string() }), ...errors },
      },
    },
    async (request) => {
      requireInstanceAdmin(request);
      const before = (await deps.instance.info()).name;
      await deps.instance.rename(request.body.name);
      await deps.audit.record({
        action: 'instance.renamed',
        outcome: 'success',
        actor: actorOf(request),
        target: { type: 'instance', id: 'instance', label: request.body.name },
        details: { from: before, to: request.body.name },
      });
      return { name: request.body.name };
    },
  );
}
