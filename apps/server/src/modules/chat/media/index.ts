import type { ChatFeature, ChatFeatureContext } from '../feature.ts';

/** The media repository: upload, download, thumbnails and configuration, stored through the platform's blob storage. */
export function createMediaFeature(context: ChatFeatureContext): ChatFeature {
  void context;
  return { migrations: [] };
}
