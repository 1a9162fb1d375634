import { Readable } from 'node:stream';
import { apiErrorSchema } from '@bureau/contracts';
import { z } from 'zod';
import type { AuditEvent, AuditLog, AuditQuery } from '../../platform/audit/audit-log.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { DirectoryService } from './directory.service.ts';
import { identityErrors } from './identity.errors.ts';
import { requireScope } from './identity.http.ts';

const auditFilters = z.object({
  action: z.string().max(128).optional(),
  actionPrefix: z.string().max(128).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  actorUserId: z.string().max(256).optional(),
  targetType: z.string().max(256).optional(),
  targetId: z.string().max(256).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

const auditEventSchema = z
  .object({
    id: z.string(),
    occurredAt: z.string(),
    action: z.string(),
    outcome: z.enum(['success', 'failure', 'denied']),
    actor: z.object({
      userId: z.string().nullable(),
      apiKeyId: z.string().nullable(),
      label: z.string().nullable(),
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      system: z.boolean(),
    }),
    target: z.object({ type: z.string(), id: z.string(), label: z.string().nullable() }).nullable(),
    organisationId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });

function presentAuditEvent(event: AuditEvent): z.infer<typeof auditEventSchema> {
  return {
    id: event.id,
    occurredAt: event.occurredAt,
    action: event.action,
    outcome: event.outcome,
    actor: {
      userId: event.actor.userId ?? null,
      apiKeyId: event.actor.apiKeyId ?? null,
      label: event.actor.label ?? null,
      ip: event.actor.ip ?? null,
      userAgent: event.actor.userAgent ?? null,
      system: event.actor.system === true,
    },
    target: event.target ? { type: event.target.type, id: event.target.id, label: event.target.label ?? null } : null,
    organisationId: event.organisationId ?? null,
    details: { ...event.details },
  };
}

/**
 * The audit log for administrators: instance administrators see every event; organisation administrators
 * see the events of the organisations they administer and of their sub-organisations.
 */
export function registerAuditRoutes(http: HttpServer, deps: { audit: AuditLog; directory: DirectoryService }): void {
  async function scopeOf(userId: string, isInstanceAdmin: boolean): Promise<Pick<AuditQuery, 'organisationIds'>> {
    if (isInstanceAdmin) return {};
    const visible = await deps.directory.organisationsAdministeredBy(userId);
    if (visible.size === 0) throw identityErrors.create('IDENTITY_FORBIDDEN');
    return { organisationIds: [...visible] };
  }

  function withoutUndefined<T extends object>(value: T): Partial<T> {
    return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
  }

  http.get(
    '/api/admin/audit',
    {
      schema: {
        tags: ['administration'],
        summary: 'Security events, newest first, filtered and paginated.',
        querystring: auditFilters.extend({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(64).optional(),
        }),
        response: {
          200: z.object({ items: z.array(auditEventSchema), nextCursor: z.string().nullable() }),
          400: apiErrorSchema,
          401: apiErrorSchema,
          403: apiErrorSchema,
        },
      },
    },
    async (request) => {
      const { user } = requireScope(request, 'admin');
      const scope = await scopeOf(user.id, Boolean(user.is_instance_admin));
      const { limit, cursor, ...filters } = request.query;
      const page = await deps.audit.query({
        ...withoutUndefined(filters),
        ...scope,
        limit,
        ...(cursor === undefined ? {} : { cursor }),
      });
      return { items: page.items.map(presentAuditEvent), nextCursor: page.nextCursor };
    },
  );

  http.get(
    '/api/admin/audit/export',
    {
      schema: {
        tags: ['administration'],
        summary: 'Every matching security event, oldest first, as JSON Lines (for a CSIRT or a SIEM).',
        querystring: auditFilters,
        produces: ['application/x-ndjson'],
      },
    },
    async (request, reply) => {
      const { user } = requireScope(request, 'admin');
      const scope = await scopeOf(user.id, Boolean(user.is_instance_admin));
      const lines = deps.audit.exportJsonLines({ ...withoutUndefined(request.query), ...scope });
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="bureau-audit.jsonl"')
        .send(Readable.from(lines));
    },
  );
}
