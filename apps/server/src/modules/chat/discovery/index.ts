import type { ChatFeature, ChatFeatureContext } from '../feature.ts';
import { createAggregationDecorator } from './aggregations.ts';
import { registerHierarchyRoutes } from './hierarchy.routes.ts';
import { chatDiscoveryMigration } from './migrations/202612010930_chat_discovery.ts';
import { checkRelationRules } from './relation-rules.ts';
import { registerRelationsRoutes } from './relations.routes.ts';
import { registerReportRoutes } from './reports.routes.ts';
import { registerRoomDirectoryRoutes } from './room-directory.routes.ts';
import { registerSearchRoutes } from './search.routes.ts';
import { createUserDirectory } from './user-directory.ts';

/**
 * Discovery and relations: bundled aggregations on every event served (threads, edits, references), the
 * relationships and threads APIs, room aliases, the published room directory, the user directory (Tchap's
 * "annuaire"), space hierarchies, content reports and server-side search.
 */
export function createDiscoveryFeature(context: ChatFeatureContext): ChatFeature {
  context.formatter.addDecorator(createAggregationDecorator({ clock: context.clock, formatter: context.formatter }));
  context.rooms.onAppend(checkRelationRules);

  const directory = createUserDirectory(context);
  const refresh = (userId: string) =>
    directory.refresh(userId).catch((error: unknown) => {
      context.logger.warn({ err: error, userId }, 'user directory entry not refreshed');
    });
  const unsubscribes = [
    context.events.subscribe('identity.user.created', ({ payload }) => refresh(payload.userId)),
    context.events.subscribe('identity.user.updated', ({ payload }) => refresh(payload.userId)),
    context.events.subscribe('identity.user.deactivated', ({ payload }) => refresh(payload.userId)),
    context.events.subscribe('identity.user.merged', async ({ payload }) => {
      await refresh(payload.sourceUserId);
      await refresh(payload.targetUserId);
    }),
    // A Matrix display name change shows as a join following a join (client-server-api § profiles).
    context.events.subscribe('chat.event.appended', async ({ payload }) => {
      const isProfileChange =
        payload.type === 'm.room.member' &&
        payload.stateKey === payload.sender &&
        payload.membership === 'join' &&
        payload.previousMembership === 'join';
      if (!isProfileChange) return;
      const account = await context.accounts.accountOfMatrixId(payload.sender);
      if (account) await refresh(account.user_id);
    }),
  ];
  let filling: Promise<void> | undefined;
  let isStopping = false;

  return {
    migrations: [chatDiscoveryMigration],
    registerRoutes(http) {
      registerRelationsRoutes(http, context);
      registerRoomDirectoryRoutes(http, context);
      directory.registerRoutes(http);
      registerHierarchyRoutes(http, context);
      registerReportRoutes(http, context);
      registerSearchRoutes(http, context);
    },
    start() {
      // Accounts created before the directory existed get their entries in the background.
      filling = (async () => {
        while (!isStopping && (await directory.fillMissing(200)) === 200) {
          // Another batch: each pass fills the entries it found missing.
        }
      })().catch((error: unknown) => {
        context.logger.warn({ err: error }, 'user directory back-fill stopped');
      });
      return Promise.resolve();
    },
    async stop() {
      isStopping = true;
      for (const unsubscribe of unsubscribes) unsubscribe();
      await filling;
    },
  };
}
