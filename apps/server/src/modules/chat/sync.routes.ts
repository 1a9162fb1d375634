import { z } from 'zod';
import type { Database } from '../../platform/db/database.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { ChatTables } from './chat.tables.ts';
import { matrixError } from './matrix-errors.ts';
import type { MatrixAuthenticator } from './matrix-http.ts';
import { parseMatrix, queryInteger } from './matrix-validation.ts';
import { Cancellation } from './stream.ts';
import { parseSyncToken, type SyncFilter, type SyncService } from './sync.ts';

const hidden = { schema: { hide: true } } as const;

/** Longest wait of a /sync long-poll (clients ask for 30 s; a proxy's timeout is usually 60 s). */
const maxTimeoutMs = 60_000;
/** Stored filters kept in memory (one or two per device). */
const maxStoredFilters = 20_000;

const syncQuerySchema = z.object({
  since: z.string().max(64).optional(),
  filter: z.string().max(8192).optional(),
  full_state: z.enum(['true', 'false']).optional(),
  set_presence: z.enum(['online', 'offline', 'unavailable']).optional(),
  timeout: queryInteger(0, 10_000_000).optional(),
  use_state_after: z.enum(['true', 'false']).optional(),
});

/** `GET /_matrix/client/v3/sync`, with the filter given inline (JSON) or by the ID of a stored filter. */
export function registerSyncRoutes(
  http: HttpServer,
  deps: { database: Database; authenticate: MatrixAuthenticator; sync: SyncService },
): void {
  // Stored filters never change (a new one gets a new ID): each device's is read once.
  const storedFilters = new Map<string, SyncFilter>();
  http.get('/_matrix/client/v3/sync', hidden, async (request, reply) => {
    const me = await deps.authenticate(request);
    const query = parseMatrix(syncQuerySchema, request.query, 'query');
    let filter: SyncFilter = {};
    if (query.filter !== undefined) {
      if (query.filter.trim().startsWith('{')) {
        try {
          filter = JSON.parse(query.filter) as SyncFilter;
        } catch {
          throw matrixError('M_INVALID_PARAM', { reason: 'filter is not valid JSON' });
        }
      } else {
        const key = `${me.userId}\u0000${query.filter}`;
        const known = storedFilters.get(key);
        if (known) {
          filter = known;
        } else {
          const stored = await deps.database.executor
            .withTables<ChatTables>()
            .selectFrom('chat_filters')
            .select('json')
            .where('matrix_id', '=', me.userId)
            .where('filter_id', '=', query.filter)
            .executeTakeFirst();
          if (!stored) throw matrixError('M_NOT_FOUND', { what: `filter ${query.filter}` });
          filter = JSON.parse(stored.json) as SyncFilter;
          storedFilters.set(key, filter);
          if (storedFilters.size > maxStoredFilters) {
            const oldest = storedFilters.keys().next().value;
            if (oldest !== undefined) storedFilters.delete(oldest);
          }
        }
      }
    }
    // The request is abandoned when the client goes away: the long-poll stops waiting.
    const cancellation = new Cancellation();
    const onClose = () => cancellation.cancel();
    reply.raw.once('close', onClose);
    try {
      const response = await deps.sync.sync({
        principal: me,
        since: query.since !== undefined ? parseSyncToken(query.since) : undefined,
        filter,
        fullState: query.full_state === 'true',
        timeoutMs: query.since === undefined ? 0 : Math.min(query.timeout ?? 0, maxTimeoutMs),
        cancellation,
      });
      void reply.header('cache-control', 'no-store');
      return response;
    } finally {
      reply.raw.off('close', onClose);
    }
  });
}
