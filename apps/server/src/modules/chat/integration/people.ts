import type { Executor } from '../../../platform/db/database.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import type { IntegrationTables } from './integration.tables.ts';

export interface Person {
  readonly userId: string;
  readonly kind: string;
  readonly organisationId: string | null;
}

/**
 * Who the chat's users are in Bureau's directory (agent or external, organisation), for the room policies.
 * Those run inside the appending transaction, where the identity module cannot be asked (its queries run
 * outside the transaction), so the feature keeps its own copy: written when the identity module announces
 * a user, when a user creates a room, and at start for accounts the events missed.
 */
export function createPeople(context: ChatFeatureContext) {
  const tables = (executor: Executor = context.database.executor) =>
    executor.withTables<IntegrationTables & ChatTables>();
  const c = '/_matrix/client/v3';
  const membershipRoutes = new Set([
    `${c}/rooms/:roomId/invite`,
    `${c}/rooms/:roomId/join`,
    `${c}/join/:roomIdOrAlias`,
    `${c}/rooms/:roomId/state/:eventType/:stateKey`,
  ]);

  async function refresh(userId: string): Promise<Person | undefined> {
    const user = await context.identity.getUser(userId);
    if (!user) return undefined;
    const person: Person = { userId: user.id, kind: user.kind, organisationId: user.organisation_id ?? null };
    const values = {
      kind: person.kind,
      organisation_id: person.organisationId,
      updated_at: context.clock.now().toISOString(),
    };
    await tables()
      .insertInto('chat_integration_people')
      .values({ user_id: person.userId, ...values })
      .onConflict((conflict) => conflict.column('user_id').doUpdateSet(values))
      .execute();
    return person;
  }

  async function refreshQuietly(userId: string): Promise<void> {
    try {
      await refresh(userId);
    } catch (error) {
      context.logger.warn({ err: error, userId }, 'chat: directory facts of a user not refreshed');
    }
  }

  const unsubscribes = [
    context.events.subscribe('identity.user.created', ({ payload }) => refreshQuietly(payload.userId)),
    context.events.subscribe('identity.user.updated', ({ payload }) => refreshQuietly(payload.userId)),
    context.events.subscribe('identity.user.merged', ({ payload }) => refreshQuietly(payload.targetUserId)),
  ];

  return {
    refresh,

    /** The Bureau user of a Matrix account, read with `executor` (inside a transaction, its own). */
    async personOf(executor: Executor, matrixId: string): Promise<Person | undefined> {
      const row = await tables(executor)
        .selectFrom('chat_accounts as a')
        .leftJoin('chat_integration_people as p', 'p.user_id', 'a.user_id')
        .select(['a.user_id', 'p.kind', 'p.organisation_id'])
        .where('a.matrix_id', '=', matrixId)
        .executeTakeFirst();
      if (!row) return undefined;
      return { userId: row.user_id, kind: row.kind ?? 'unknown', organisationId: row.organisation_id ?? null };
    },

    /**
     * Whether the Matrix user is external. Unknown accounts and accounts whose kind is not known yet count
     * as external: the rules that keep external users out fail closed.
     */
    async isExternal(executor: Executor, matrixId: string): Promise<boolean> {
      const row = await tables(executor)
        .selectFrom('chat_accounts as a')
        .innerJoin('chat_integration_people as p', 'p.user_id', 'a.user_id')
        .select('p.kind')
        .where('a.matrix_id', '=', matrixId)
        .executeTakeFirst();
      return row?.kind !== 'agent';
    },

    /**
     * Writes the facts of accounts that have none (created before this feature, or an event was lost);
     * returns how many were written (fewer than `limit` ends a back-fill loop, failures included).
     */
    async fillMissing(limit: number): Promise<number> {
      const missing = await tables()
        .selectFrom('chat_accounts as a')
        .leftJoin('chat_integration_people as p', 'p.user_id', 'a.user_id')
        .select('a.user_id')
        .where('p.user_id', 'is', null)
        .limit(limit)
        .execute();
      let filled = 0;
      for (const { user_id: userId } of missing) {
        try {
          if (await refresh(userId)) filled += 1;
        } catch (error) {
          context.logger.warn({ err: error, userId }, 'chat: directory facts of a user not filled');
        }
      }
      return filled;
    },

    /**
     * Before a membership request (invite, join, a member's state), the facts of a user the policies will
     * ask about and that the events have not brought yet (a lost event, a race with the user's creation):
     * read outside the appending transaction, so that a fail-closed rule does not refuse an agent.
     */
    registerRefreshBeforeMembership(http: HttpServer): void {
      http.addHook('preHandler', async (request) => {
        const route = request.routeOptions.url;
        if ((request.method !== 'POST' && request.method !== 'PUT') || !route || !membershipRoutes.has(route)) return;
        const params = request.params as Record<string, unknown>;
        const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
          string,
          unknown
        >;
        let target: unknown;
        if (route.endsWith('/invite')) target = body['user_id'];
        else if (route.endsWith(':stateKey'))
          target = params['eventType'] === 'm.room.member' ? params['stateKey'] : undefined;
        else target = (await context.authenticate(request).catch(() => undefined))?.userId;
        if (typeof target !== 'string') return;
        try {
          const known = await tables()
            .selectFrom('chat_accounts as a')
            .leftJoin('chat_integration_people as p', 'p.user_id', 'a.user_id')
            .select(['a.user_id', 'p.kind'])
            .where('a.matrix_id', '=', target)
            .executeTakeFirst();
          if (known && known.kind === null) await refresh(known.user_id);
        } catch (error) {
          context.logger.warn({ err: error }, 'chat: directory facts not refreshed before a membership change');
        }
      });
    },

    stop(): void {
      for (const unsubscribe of unsubscribes) unsubscribe();
    },
  };
}

export type People = ReturnType<typeof createPeople>;
