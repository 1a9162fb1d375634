import { z } from 'zod';
import type { Database } from '../../platform/db/database.ts';
import type { EventBus } from '../../platform/events.ts';
import type { Logger } from '../../platform/logging.ts';
import type { NotificationService } from '../../platform/notifications/index.ts';
import { directoryRepository } from './directory.repository.ts';
import { directoryUrls } from './identity.search.ts';

export const notificationTypes = {
  addedToGroup: 'identity.group.member_added',
  invitationAccepted: 'identity.invitation.accepted',
  newSignIn: 'identity.session.new_sign_in',
} as const;

export interface IdentityNotificationsDependencies {
  database: Database;
  events: EventBus;
  notifications: NotificationService;
  logger: Logger;
}

const groupParams = z.object({ groupId: z.string(), groupName: z.string(), role: z.enum(['member', 'manager']) });
const invitationParams = z.object({ userId: z.string(), displayName: z.string(), email: z.string() });
const signInParams = z.object({
  method: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  at: z.string(),
});

/** A short, readable name of the browser and system from a User-Agent (never the whole string). */
export function describeUserAgent(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : null;
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  if (browser && system) return `${browser}, ${system}`;
  return browser ?? system ?? userAgent.slice(0, 60);
}

/**
 * The identity module as the first producer of the notification inbox: "you were added to a group",
 * "your invitation was accepted", "new sign-in to your account". Each follows the module's event, after
 * its transaction committed.
 */
export function registerIdentityNotifications(deps: IdentityNotificationsDependencies): void {
  const { notifications, events } = deps;
  const read = () => directoryRepository(deps.database.executor);

  notifications.defineType({
    type: notificationTypes.addedToGroup,
    category: 'identity',
    label: { fr: 'Ajout à un groupe', en: 'Added to a group' },
    defaultChannels: { inApp: true, email: false },
    params: groupParams,
    render(params, locale, { actor }) {
      const manager = params.role === 'manager';
      if (locale === 'en') {
        return {
          title: `You were added to the group “${params.groupName}”${manager ? ' as a manager' : ''}`,
          body: actor ? `By ${actor.displayName}.` : null,
          url: directoryUrls.group(params.groupId),
        };
      }
      return {
        title: `Vous avez été ajouté(e) au groupe « ${params.groupName} »${manager ? ' en tant que gestionnaire' : ''}`,
        body: actor ? `Par ${actor.displayName}.` : null,
        url: directoryUrls.group(params.groupId),
      };
    },
  });

  notifications.defineType({
    type: notificationTypes.invitationAccepted,
    category: 'identity',
    label: { fr: 'Invitation acceptée', en: 'Invitation accepted' },
    defaultChannels: { inApp: true, email: true },
    params: invitationParams,
    render(params, locale) {
      return locale === 'en'
        ? {
            title: `${params.displayName} accepted your invitation`,
            body: `${params.email} now has an account.`,
            url: directoryUrls.user(params.userId),
          }
        : {
            title: `${params.displayName} a accepté votre invitation`,
            body: `${params.email} a désormais un compte.`,
            url: directoryUrls.user(params.userId),
          };
    },
  });

  notifications.defineType({
    type: notificationTypes.newSignIn,
    category: 'security',
    label: { fr: 'Nouvelle connexion à votre compte', en: 'New sign-in to your account' },
    defaultChannels: { inApp: true, email: false },
    params: signInParams,
    render(params, locale) {
      const device = describeUserAgent(params.userAgent);
      const where = [device, params.ip].filter(Boolean).join(' · ');
      const sso = params.method === 'oidc';
      return locale === 'en'
        ? {
            title: 'New sign-in to your account',
            body: `${sso ? 'Through single sign-on' : 'With your password'}${where ? ` — ${where}` : ''}. Not you? End that session and change your password.`,
            url: '/compte/sessions',
          }
        : {
            title: 'Nouvelle connexion à votre compte',
            body: `${sso ? 'Par authentification unique' : 'Avec votre mot de passe'}${where ? ` — ${where}` : ''}. Ce n’était pas vous ? Fermez cette session et changez votre mot de passe.`,
            url: '/compte/sessions',
          };
    },
  });

  /** Delivery follows the commit; a failure is logged by the event bus and loses only the notification. */
  events.subscribe('identity.group_member.added', async ({ payload }) => {
    const group = await read().getGroup(payload.groupId);
    if (!group) return;
    await notifications.notify({
      type: notificationTypes.addedToGroup,
      recipientId: payload.userId,
      params: { groupId: group.id, groupName: group.name, role: payload.role },
      resource: { type: 'identity.group', id: group.id },
      actorId: payload.actorId,
    });
  });

  events.subscribe('identity.invitation.accepted', async ({ payload }) => {
    if (!payload.invitedBy) return;
    const user = await read().getUser(payload.userId);
    if (!user) return;
    await notifications.notify({
      type: notificationTypes.invitationAccepted,
      recipientId: payload.invitedBy,
      params: { userId: user.id, displayName: user.display_name, email: user.email },
      resource: { type: 'identity.user', id: user.id },
      actorId: user.id,
    });
  });

  events.subscribe('identity.session.created', async ({ payload, occurredAt }) => {
    await notifications.notify({
      type: notificationTypes.newSignIn,
      recipientId: payload.userId,
      params: { method: payload.method, ip: payload.ip, userAgent: payload.userAgent, at: occurredAt },
      resource: { type: 'identity.session', id: payload.sessionId },
    });
  });
}
