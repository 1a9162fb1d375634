import type { GroupRole } from './directory.repository.ts';

declare module '../../platform/events.ts' {
  interface EventMap {
    /** The account can no longer sign in; its sessions and API keys were revoked. */
    'identity.user.deactivated': { userId: string };
    /**
     * An administrator merged the source account into the target (same person): identities, groups,
     * organisation roles and grants moved; the source is deactivated. Modules move what they own.
     */
    'identity.user.merged': { sourceUserId: string; targetUserId: string };
    'identity.user.created': { userId: string };
    /** The profile changed (display name, title, phone, avatar). */
    'identity.user.updated': { userId: string };
    'identity.group.created': { groupId: string };
    'identity.organisation.created': { organisationId: string };
    'identity.organisation.updated': { organisationId: string };
    /** `actorId`: who added them (null for Bureau itself). */
    'identity.group_member.added': { groupId: string; userId: string; role: GroupRole; actorId: string | null };
    /** An invited person created their account (for the inviter's notification). */
    'identity.invitation.accepted': { invitationId: string; userId: string; invitedBy: string | null };
    /** A session was opened (for "new sign-in to your account" notifications). */
    'identity.session.created': {
      userId: string;
      sessionId: string;
      method: string;
      ip: string | null;
      userAgent: string | null;
    };
  }
}
