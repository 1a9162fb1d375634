import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, isMissingEndpoint } from '../api/client.ts';
import { queryKeys, useExternalServices } from '../api/queries.ts';
import type { Me } from '../api/types.ts';
import { formatDateTime, useLocale, useMessages } from '../i18n.tsx';
import { shellMessages } from '../messages.ts';
import { signOutOfChat } from '../modules/chat/chat-session.ts';
import {
  useMarkAllRead,
  useMarkRead,
  useNotifications,
  useUnreadCount,
} from '../modules/notifications/notifications.api.ts';
import { Disclosure } from './Disclosure.tsx';
import { modulesFor } from './modules.ts';

/**
 * The app switcher ("gaufre"): Bureau's modules, then the external services an administrator added
 * (served by Bureau itself: La Suite's hosted gaufre script is neither reachable offline nor allowed by the CSP).
 */
export function AppSwitcher({ id, me }: { id?: string; me: Me }) {
  const t = useMessages(shellMessages);
  const { locale } = useLocale();
  const services = useExternalServices().data ?? [];
  return (
    <Disclosure
      id={id}
      iconClassName="ri-apps-2-line bureau-icon-only"
      buttonLabel={t.appSwitcher}
      buttonTitle={t.appSwitcherTitle}
      panelClassName="bureau-gaufre"
    >
      {(close) => (
        <nav aria-label={t.appSwitcherTitle}>
          <p className="bureau-disclosure__title" id={`${id ?? 'gaufre'}-bureau`}>
            {t.bureauServices}
          </p>
          <ul className="bureau-gaufre__list" aria-labelledby={`${id ?? 'gaufre'}-bureau`}>
            {modulesFor(me).map((module) => (
              <li key={module.id}>
                <Link to={module.path} className="bureau-gaufre__item" onClick={close}>
                  <span className={`${module.icon} bureau-gaufre__icon`} aria-hidden="true" />
                  <span className="bureau-gaufre__name">{module.name[locale]}</span>
                </Link>
              </li>
            ))}
          </ul>
          {services.length > 0 && (
            <>
              <p className="bureau-disclosure__title" id={`${id ?? 'gaufre'}-other`}>
                {t.otherServices}
              </p>
              <ul className="bureau-gaufre__list" aria-labelledby={`${id ?? 'gaufre'}-other`}>
                {services.map((service) => (
                  <li key={service.id}>
                    <a
                      href={service.url}
                      className="bureau-gaufre__item"
                      target="_blank"
                      rel="noopener noreferrer"
                      title={`${service.name} – ${t.opensInNewWindow}`}
                    >
                      <span className="fr-icon-external-link-line bureau-gaufre__icon" aria-hidden="true" />
                      <span className="bureau-gaufre__name">{service.name}</span>
                      {service.description && <span className="bureau-gaufre__description">{service.description}</span>}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </nav>
      )}
    </Disclosure>
  );
}

/** The bell: unread count, and the latest unread notifications in a panel. */
export function NotificationBell({ id }: { id?: string }) {
  const t = useMessages(shellMessages);
  const unread = useUnreadCount(true);
  const count = unread.data?.count ?? 0;
  return (
    <Disclosure
      id={id}
      iconClassName="fr-icon-notification-3-line"
      buttonLabel={
        <>
          {/* The name is the visible word, then the count said in full (the badge is for the eyes). */}
          <span className="bureau-bell__label">{t.notifications}</span>
          {count > 0 && (
            <>
              <span className="bureau-bell__count" aria-hidden="true">
                {count > 99 ? '99+' : count}
              </span>
              <span className="fr-sr-only">{t.unreadCount(count)}</span>
            </>
          )}
        </>
      }
      panelClassName="bureau-notifications-panel"
    >
      {(close) => <UnreadNotifications onNavigate={close} isAvailable={!isMissingEndpoint(unread.error)} />}
    </Disclosure>
  );
}

function UnreadNotifications({ onNavigate, isAvailable }: { onNavigate: () => void; isAvailable: boolean }) {
  const t = useMessages(shellMessages);
  const { locale } = useLocale();
  const list = useNotifications({ unread: true, limit: 5 }, isAvailable);
  const markAllRead = useMarkAllRead();
  const markRead = useMarkRead();
  if (!isAvailable || isMissingEndpoint(list.error)) return <p className="fr-text--sm">{t.unavailableYet}</p>;
  const items = list.data?.items ?? [];
  return (
    <>
      <p className="bureau-disclosure__title">{t.notifications}</p>
      {list.isPending && <p className="fr-text--sm">{t.loading}</p>}
      {list.isSuccess && items.length === 0 && <p className="fr-text--sm">{t.noUnreadNotifications}</p>}
      {items.length > 0 && (
        <ul className="bureau-notification-list">
          {items.map((item) => (
            <li key={item.id}>
              <Link
                to={item.url ?? '/notifications'}
                onClick={() => {
                  markRead.mutate(item.id);
                  onNavigate();
                }}
              >
                {item.title}
              </Link>
              <br />
              <span className="fr-text--xs fr-mb-0">{formatDateTime(locale, item.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      <ul className="fr-btns-group fr-btns-group--sm">
        {items.length > 0 && (
          <li>
            <button
              type="button"
              className="fr-btn fr-btn--tertiary"
              onClick={() => markAllRead.mutate()}
              disabled={markAllRead.isPending}
            >
              {t.markAllRead}
            </button>
          </li>
        )}
        <li>
          <Link className="fr-btn fr-btn--secondary" to="/notifications" onClick={onNavigate}>
            {t.seeAllNotifications}
          </Link>
        </li>
      </ul>
    </>
  );
}

/** Signs out; a single sign-on session continues at the provider's logout page. */
export function useLogout(): () => Promise<void> {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    let redirectTo: string | undefined;
    // The chat's Matrix device goes with the Bureau session (no SDK here: chat-session.ts is tiny).
    await signOutOfChat();
    try {
      const answer = await api<{ redirectTo?: string } | undefined>('/api/auth/logout', { method: 'POST' });
      redirectTo = answer?.redirectTo;
    } finally {
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'instance' });
      queryClient.setQueryData(queryKeys.me, null);
    }
    if (redirectTo) window.location.assign(redirectTo);
    else void navigate('/connexion');
  };
}

/** The account menu: profile, sessions, API keys, notification settings, sign-out. */
export function UserMenu({ id, me }: { id?: string; me: Me }) {
  const t = useMessages(shellMessages);
  const logout = useLogout();
  const links = [
    { to: '/compte/profil', text: t.profile, icon: 'fr-icon-user-line' },
    { to: '/compte/sessions', text: t.sessions, icon: 'fr-icon-computer-line' },
    { to: '/compte/cles-api', text: t.apiKeys, icon: 'ri-key-2-line' },
    { to: '/compte/notifications', text: t.notificationSettings, icon: 'fr-icon-notification-3-line' },
  ];
  return (
    <Disclosure
      id={id}
      iconClassName="fr-icon-account-circle-line"
      buttonLabel={me.displayName}
      buttonAriaLabel={`${t.userMenu} – ${me.displayName}`}
      panelClassName="bureau-user-menu"
    >
      {(close) => (
        <nav aria-label={t.userMenu}>
          <p className="bureau-disclosure__title">{me.displayName}</p>
          <p className="fr-text--xs bureau-user-menu__email">{me.email}</p>
          <ul className="bureau-menu-list">
            {links.map((link) => (
              <li key={link.to}>
                <Link to={link.to} onClick={close} className={`fr-link fr-link--icon-left ${link.icon}`}>
                  {link.text}
                </Link>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="fr-btn fr-btn--secondary fr-btn--sm fr-btn--icon-left fr-icon-logout-box-r-line"
            onClick={() => {
              close();
              void logout();
            }}
          >
            {t.logout}
          </button>
        </nav>
      )}
    </Disclosure>
  );
}
