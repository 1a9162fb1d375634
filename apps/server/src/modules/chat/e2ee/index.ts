import type { ChatFeature, ChatFeatureContext } from '../feature.ts';

/** End-to-end encryption, server side: device keys, one-time and fallback keys, to-device messages, device lists, cross-signing, key backup, device management and user-interactive authentication. */
export function createE2eeFeature(context: ChatFeatureContext): ChatFeature {
  void context;
  return { migrations: [] };
}
