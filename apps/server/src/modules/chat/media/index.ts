import type { ChatFeature, ChatFeatureContext } from '../feature.ts';
import { createMediaRepository } from './media.repository.ts';
import { registerMediaRoutes } from './media.routes.ts';
import { createMediaService } from './media.service.ts';
import { chatMediaMigration } from './migrations/202612010920_chat_media.ts';
import { createThumbnailer } from './thumbnails.ts';

/** The media repository: upload, download, thumbnails and configuration, stored through the platform's blob storage. */
export function createMediaFeature(context: ChatFeatureContext): ChatFeature {
  const repository = createMediaRepository(context.database);
  const logger = context.logger.child({ feature: 'media' });
  const media = createMediaService({
    repository,
    blobs: context.blobs,
    clock: context.clock,
    newId: context.newId,
    logger,
    serverName: context.serverName,
    maxUploadBytes: context.maxUploadBytes,
  });
  const thumbnails = createThumbnailer({ repository, blobs: context.blobs, clock: context.clock, logger });
  return {
    migrations: [chatMediaMigration],
    registerRoutes: (http) =>
      registerMediaRoutes(http, { authenticate: context.authenticate, media, thumbnails, blobs: context.blobs }),
    stop() {
      media.close();
      return Promise.resolve();
    },
  };
}
