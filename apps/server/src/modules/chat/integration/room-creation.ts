import { isSensitivityLevel } from '../../../platform/sensitivity/index.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { matrixError } from '../matrix-errors.ts';
import type { RoomCreationHook } from '../rooms.routes.ts';
import type { People } from './people.ts';
import { withDefaultAccessRule } from './policies/access-rules.ts';
import { roomCreationRefusal } from './policies/external-users.ts';
import { withForumDefaults } from './policies/forum-rooms.ts';
import { withSensitivityState } from './room-sensitivity.ts';

/**
 * createRoom, before any event is built: who may create rooms (not external users), and what a new room
 * starts with — Tchap's access rule, a forum's retention, the label its resource will get. The creator's
 * and invitees' directory facts are refreshed here, outside the transaction, for the policies inside it.
 */
export function createRoomCreationHook(
  context: ChatFeatureContext,
  people: People,
  options: { readonly forbidExternalCreators: boolean },
): RoomCreationHook {
  return async (creator, request) => {
    const person = await people.refresh(creator.account.user_id);
    const refusal = options.forbidExternalCreators ? roomCreationRefusal(person?.kind) : null;
    if (refusal) throw matrixError('M_FORBIDDEN', { reason: refusal });
    for (const invitee of new Set(request.invite ?? [])) {
      const account = await context.accounts.accountOfMatrixId(invitee);
      if (account) await people.refresh(account.user_id);
    }
    withDefaultAccessRule(request);
    withForumDefaults(request);
    // The label the room's resource takes at registration: its creator's organisation's default.
    const organisationLabel = person?.organisationId
      ? await context.identity.organisationLabel?.(person.organisationId)
      : undefined;
    withSensitivityState(request, isSensitivityLevel(organisationLabel) ? organisationLabel : 'internal');
  };
}
