import type { ChatFeature, ChatFeatureContext } from '../feature.ts';
import { createAccountValidity } from './account-validity.ts';
import { registerLastAdminHandover } from './last-admin-handover.ts';
import { chatIntegrationMigration } from './migrations/202612010940_chat_integration.ts';
import { chatSearchQueueMigration } from './migrations/202612050900_chat_search_queue.ts';
import { createPeople } from './people.ts';
import { accessRulesRule } from './policies/access-rules.ts';
import { forumRoomsRule } from './policies/forum-rooms.ts';
import { retentionRule } from './policies/retention.ts';
import { installRoomRules, type RoomRule } from './policies/room-rule.ts';
import { createRetentionJob } from './retention-job.ts';
import { createRoomCreationHook } from './room-creation.ts';
import { createRoomNotifications } from './room-notifications.ts';
import { createRoomResources } from './room-resources.ts';
import { createRoomSearch } from './room-search.ts';
import { createRoomSensitivity } from './room-sensitivity.ts';

export { chatNotificationTypes } from './room-notifications.ts';
export { chatSearchTypes } from './room-search.ts';
export { roomResourceType } from './room-resources.ts';

/** Tchap's room rules, all on by default; each is one file of policies/ with its unit tests. */
export const defaultRoomRules: readonly RoomRule[] = [accessRulesRule, forumRoomsRule, retentionRule];

/** Which policies run; everything is on by default. */
export interface IntegrationOptions {
  /** The rules every state event and redaction must pass (`defaultRoomRules` unless given). */
  readonly rules?: readonly RoomRule[];
  /** External users may not create rooms (policies/external-users.ts); true by default. */
  readonly forbidExternalRoomCreation?: boolean;
  /** The last administrator hands over when leaving (policies/last-admin.ts); true by default. */
  readonly handOverLastAdministrator?: boolean;
}

/**
 * Bureau integration and Tchap policies: rooms as resources of the permission model (readers = joined
 * members), the sensitivity label, unified search, inbox notifications; Tchap's access rules, external
 * users, forums, last administrator, retention and account validity. See README.md.
 */
export function createIntegrationFeature(context: ChatFeatureContext, options: IntegrationOptions = {}): ChatFeature {
  const people = createPeople(context);
  const resources = createRoomResources(context, people);
  const sensitivity = createRoomSensitivity(context, resources);
  const search = createRoomSearch(context, resources);
  const notifications = createRoomNotifications(context, people, resources);
  const retention = createRetentionJob(context, search);
  const accountValidity = createAccountValidity(context);

  installRoomRules(context.rooms, options.rules ?? defaultRoomRules, (executor, userId) =>
    people.isExternal(executor, userId),
  );
  context.creationHooks.push(
    createRoomCreationHook(context, people, { forbidExternalCreators: options.forbidExternalRoomCreation ?? true }),
  );
  // In the appending transaction, in this order: the resource and its grants first, which the index and
  // the inbox rely on.
  context.rooms.onAppend(resources.onAppend);
  context.rooms.onAppend(search.onAppend);
  context.rooms.onAppend(notifications.onAppend);

  return {
    migrations: [chatIntegrationMigration, chatSearchQueueMigration],
    registerRoutes(http) {
      sensitivity.registerRoutes(http);
      accountValidity.registerRoutes(http);
      people.registerRefreshBeforeMembership(http);
      if (options.handOverLastAdministrator ?? true) registerLastAdminHandover(http, context, people);
    },
    async initialise() {
      // Users and rooms the events missed (created before this feature, or a lost event).
      while ((await people.fillMissing(200)) === 200) {
        // Each pass fills the rows it found missing.
      }
      while ((await resources.registerMissing(100)) === 100) {
        // Each pass registers the rooms it found without a resource.
      }
    },
    async start() {
      // The retention sweep of a running server (one queued at a time; it queues its successor).
      await retention.scheduleNext(0);
      search.start();
    },
    async stop() {
      people.stop();
      await search.stop();
    },
  };
}
