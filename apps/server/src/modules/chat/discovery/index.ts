import type { ChatFeature, ChatFeatureContext } from '../feature.ts';

/** Discovery and relations: user directory search, public room directory, room aliases, relations, threads and bundled aggregations. */
export function createDiscoveryFeature(context: ChatFeatureContext): ChatFeature {
  void context;
  return { migrations: [] };
}
