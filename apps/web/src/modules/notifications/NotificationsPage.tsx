import { Button } from '@codegouvfr/react-dsfr/Button';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { NotificationItem, Page } from '../../api/types.ts';
import { ErrorNotice, PageFrame } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages, type Dictionary } from '../../i18n.tsx';
import { useMarkAllRead, useMarkRead } from './notifications.api.ts';

interface NotificationsMessages {
  title: string;
  filter: string;
  all: string;
  unread: string;
  empty: string;
  emptyUnread: string;
  markReadShort: string;
  markAllRead: string;
  unreadMark: string;
  more: string;
  settings: string;
  loading: string;
}

const notificationsMessages: Dictionary<NotificationsMessages> = {
  fr: {
    title: 'Notifications',
    filter: 'Afficher',
    all: 'Toutes',
    unread: 'Non lues',
    empty: 'Vous n’avez aucune notification.',
    emptyUnread: 'Vous avez tout lu.',
    markReadShort: 'Marquer comme lue',
    markAllRead: 'Tout marquer comme lu',
    unreadMark: 'Non lue',
    more: 'Afficher plus',
    settings: 'Préférences de notification',
    loading: 'Chargement…',
  },
  en: {
    title: 'Notifications',
    filter: 'Show',
    all: 'All',
    unread: 'Unread',
    empty: 'You have no notifications.',
    emptyUnread: 'You have read everything.',
    markReadShort: 'Mark as read',
    markAllRead: 'Mark all as read',
    unreadMark: 'Unread',
    more: 'Show more',
    settings: 'Notification settings',
    loading: 'Loading…',
  },
};

/** The notification inbox: every notification, or the unread ones; new ones arrive live. */
export function NotificationsPage() {
  const t = useMessages(notificationsMessages);
  const { locale } = useLocale();
  const [searchParams, setSearchParams] = useSearchParams();
  const unreadOnly = searchParams.get('filtre') === 'non-lues';
  const list = useInfiniteQuery({
    queryKey: ['notifications', 'list', unreadOnly ? 'unread' : 'all', 'page'],
    queryFn: ({ pageParam }) =>
      api<Page<NotificationItem>>('/api/notifications', {
        query: { unread: unreadOnly ? 'true' : undefined, limit: 20, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    retry: false,
  });
  const markRead = useMarkRead();
  const markAllRead = useMarkAllRead();
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <PageFrame title={t.title}>
      <div className="bureau-actions fr-mb-3w">
        <fieldset className="fr-segmented fr-segmented--sm">
          <legend className="fr-segmented__legend fr-segmented__legend--inline">{t.filter}</legend>
          <div className="fr-segmented__elements">
            {[
              { value: 'all', label: t.all, checked: !unreadOnly },
              { value: 'unread', label: t.unread, checked: unreadOnly },
            ].map((option) => (
              <div className="fr-segmented__element" key={option.value}>
                <input
                  type="radio"
                  id={`notifications-filter-${option.value}`}
                  name="notifications-filter"
                  checked={option.checked}
                  onChange={() => setSearchParams(option.value === 'unread' ? { filtre: 'non-lues' } : {})}
                />
                <label className="fr-label" htmlFor={`notifications-filter-${option.value}`}>
                  {option.label}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <Button priority="secondary" size="small" onClick={() => markAllRead.mutate()} disabled={!list.isSuccess}>
          {t.markAllRead}
        </Button>
        <Link className="fr-link" to="/compte/notifications">
          {t.settings}
        </Link>
      </div>
      {list.isPending && <p className="bureau-loading">{t.loading}</p>}
      {list.isError && <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />}
      {list.isSuccess && items.length === 0 && <p>{unreadOnly ? t.emptyUnread : t.empty}</p>}
      {items.length > 0 && (
        <ul className="bureau-list" aria-label={t.title}>
          {items.map((item) => (
            <li key={item.id}>
              <p className="fr-mb-1w">
                {item.readAt === null && (
                  <span className="fr-badge fr-badge--sm fr-badge--new fr-mr-1w">{t.unreadMark}</span>
                )}
                {item.url ? (
                  <Link to={item.url} onClick={() => item.readAt === null && markRead.mutate(item.id)}>
                    <strong>{item.title}</strong>
                  </Link>
                ) : (
                  <strong>{item.title}</strong>
                )}
              </p>
              {item.body && <p className="fr-mb-1w">{item.body}</p>}
              <p className="bureau-meta bureau-actions">
                <span>
                  {item.actor ? `${item.actor.displayName} – ` : ''}
                  {formatDateTime(locale, item.createdAt)}
                </span>
                {item.readAt === null && (
                  <button type="button" className="fr-link fr-text--sm" onClick={() => markRead.mutate(item.id)}>
                    {t.markReadShort}
                    <span className="fr-sr-only"> – {item.title}</span>
                  </button>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <Button priority="secondary" className="fr-mt-3w" onClick={() => void list.fetchNextPage()}>
          {t.more}
        </Button>
      )}
    </PageFrame>
  );
}
