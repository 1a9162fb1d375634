import type { ChatFeature, ChatFeatureContext } from '../feature.ts';

/** Bureau integration and Tchap policies: rooms as resources of the permission model, sensitivity labels, unified search, inbox notifications; Tchap's access rules, external users, forums, last administrator, retention, account validity. */
export function createIntegrationFeature(context: ChatFeatureContext): ChatFeature {
  void context;
  return { migrations: [] };
}
