import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { SearchResult } from '../../api/types.ts';

/** `GET /api/search/recent`: search hits without snippets, most recently changed first. */
interface RecentResponse {
  items: SearchResult[];
}
import { isAdministrator, modulesFor } from '../../app/modules.ts';
import { searchTypeName } from '../../app/search-types.ts';
import { usePageTitle } from '../../app/page.ts';
import { ErrorNotice, useSignedInUser } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages, type Dictionary } from '../../i18n.tsx';
import { useNotifications } from '../notifications/notifications.api.ts';

interface HomeMessages {
  title: string;
  greeting: (name: string) => string;
  intro: string;
  recentTitle: string;
  noRecent: string;
  notificationsTitle: string;
  noNotifications: string;
  allNotifications: string;
  quickActionsTitle: string;
  search: string;
  profile: string;
  apiKeys: string;
  inviteSomeone: string;
  auditLog: string;
  loading: string;
  updatedAt: (date: string) => string;
}

const homeMessages: Dictionary<HomeMessages> = {
  fr: {
    title: 'Accueil',
    greeting: (name) => `Bonjour ${name}`,
    intro: 'Retrouvez vos éléments récents, vos notifications et vos accès rapides.',
    recentTitle: 'Éléments récents',
    noRecent: 'Aucun élément récent pour le moment.',
    notificationsTitle: 'Notifications non lues',
    noNotifications: 'Aucune notification non lue.',
    allNotifications: 'Toutes les notifications',
    quickActionsTitle: 'Accès rapides',
    search: 'Rechercher',
    profile: 'Mon profil',
    apiKeys: 'Créer une clé d’API',
    inviteSomeone: 'Inviter une personne',
    auditLog: 'Journal d’audit',
    loading: 'Chargement…',
    updatedAt: (date) => `Modifié le ${date}`,
  },
  en: {
    title: 'Home',
    greeting: (name) => `Hello ${name}`,
    intro: 'Your recent items, your notifications and your shortcuts.',
    recentTitle: 'Recent items',
    noRecent: 'No recent items yet.',
    notificationsTitle: 'Unread notifications',
    noNotifications: 'No unread notifications.',
    allNotifications: 'All notifications',
    quickActionsTitle: 'Shortcuts',
    search: 'Search',
    profile: 'My profile',
    apiKeys: 'Create an API key',
    inviteSomeone: 'Invite someone',
    auditLog: 'Audit log',
    loading: 'Loading…',
    updatedAt: (date) => `Modified on ${date}`,
  },
};

/** The home page: recent items across modules, unread notifications, quick actions. */
export function HomePage() {
  const t = useMessages(homeMessages);
  const me = useSignedInUser();
  usePageTitle(t.title);
  return (
    <div className="fr-container fr-my-4w fr-mb-8w">
      <h1>{t.greeting(me.displayName)}</h1>
      <p className="fr-text--lead">{t.intro}</p>
      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-md-7" aria-labelledby="recent-title">
          <h2 id="recent-title" className="fr-h4">
            {t.recentTitle}
          </h2>
          <RecentItems />
        </section>
        <section className="fr-col-12 fr-col-md-5" aria-labelledby="home-notifications-title">
          <h2 id="home-notifications-title" className="fr-h4">
            {t.notificationsTitle}
          </h2>
          <UnreadNotifications />
        </section>
      </div>
      <section aria-labelledby="quick-actions-title" className="fr-mt-4w">
        <h2 id="quick-actions-title" className="fr-h4">
          {t.quickActionsTitle}
        </h2>
        <QuickActions />
      </section>
    </div>
  );
}

function RecentItems() {
  const t = useMessages(homeMessages);
  const { locale } = useLocale();
  // The items the person may read, most recently changed first, across modules (`GET /api/search/recent`).
  const recent = useQuery({
    queryKey: ['search', 'recent'],
    queryFn: () => api<RecentResponse>('/api/search/recent', { query: { limit: 6 } }),
    retry: false,
  });
  if (recent.isPending) return <p className="bureau-loading">{t.loading}</p>;
  if (recent.isError) return <ErrorNotice error={recent.error} />;
  const items = recent.data?.items ?? [];
  if (items.length === 0) return <p>{t.noRecent}</p>;
  return (
    <ul className="bureau-list">
      {items.map((item) => (
        <li key={`${item.type}:${item.id}`}>
          <Link to={item.url}>{item.title}</Link>
          <p className="bureau-meta">
            {searchTypeName(item.type, locale)} – {t.updatedAt(formatDateTime(locale, item.updatedAt))}
          </p>
        </li>
      ))}
    </ul>
  );
}

function UnreadNotifications() {
  const t = useMessages(homeMessages);
  const { locale } = useLocale();
  const list = useNotifications({ unread: true, limit: 5 });
  if (list.isPending) return <p className="bureau-loading">{t.loading}</p>;
  if (list.isError) return <ErrorNotice error={list.error} />;
  const items = list.data?.items ?? [];
  return (
    <>
      {items.length === 0 ? (
        <p>{t.noNotifications}</p>
      ) : (
        <ul className="bureau-list">
          {items.map((item) => (
            <li key={item.id}>
              <Link to={item.url ?? '/notifications'}>{item.title}</Link>
              <p className="bureau-meta">{formatDateTime(locale, item.createdAt)}</p>
            </li>
          ))}
        </ul>
      )}
      {list.isSuccess && (
        <p className="fr-mt-2w">
          <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" to="/notifications">
            {t.allNotifications}
          </Link>
        </p>
      )}
    </>
  );
}

function QuickActions() {
  const t = useMessages(homeMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const actions = [
    { to: '/recherche', text: t.search, icon: 'fr-icon-search-line' },
    { to: '/compte/profil', text: t.profile, icon: 'fr-icon-user-line' },
    { to: '/compte/cles-api', text: t.apiKeys, icon: 'ri-key-2-line' },
    ...(isAdministrator(me)
      ? [
          { to: '/administration/invitations', text: t.inviteSomeone, icon: 'fr-icon-mail-line' },
          { to: '/administration/journal', text: t.auditLog, icon: 'fr-icon-file-text-line' },
        ]
      : []),
    ...modulesFor(me)
      .filter((module) => !['home', 'search', 'admin'].includes(module.id))
      .map((module) => ({ to: module.path, text: module.name[locale], icon: module.icon })),
  ];
  return (
    <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
      {actions.map((action) => (
        <li key={action.to}>
          <Link className={`fr-btn fr-btn--secondary ${action.icon}`} to={action.to}>
            {action.text}
          </Link>
        </li>
      ))}
    </ul>
  );
}
