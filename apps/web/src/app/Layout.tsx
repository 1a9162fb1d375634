import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { Header } from '@codegouvfr/react-dsfr/Header';
import { headerFooterDisplayItem } from '@codegouvfr/react-dsfr/Display';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { Suspense, useCallback, useEffect, useRef } from 'react';
import { NavigationType, Outlet, useLocation, useNavigate, useNavigationType } from 'react-router';
import { useInstance, useMe } from '../api/queries.ts';
import type { NotificationItem } from '../api/types.ts';
import { otherLocale, useLocale, useMessages } from '../i18n.tsx';
import { shellMessages } from '../messages.ts';
import { useNotificationStream, useUnreadCount } from '../modules/notifications/notifications.api.ts';
import { AppSwitcher, NotificationBell, UserMenu } from './HeaderTools.tsx';
import { moduleOfPath, modulesFor } from './modules.ts';
import { announce, markNavigation, useAnnouncement } from './page.ts';
import { PageLoading } from './states.tsx';

/** Ids the skip links point at. */
const contentId = 'content';
const footerId = 'footer';
const headerId = 'header';

/**
 * The shell around every page: skip links, the DSFR header (Marianne, Bureau, the administration's
 * name, the app switcher, the search box, the bell, the account menu, the language), the module
 * navigation, the main content, the footer (display settings) and the live regions.
 */
export function Layout() {
  const t = useMessages(shellMessages);
  const { locale, setLocale } = useLocale();
  const instance = useInstance();
  const me = useMe().data ?? null;
  const location = useLocation();
  const navigate = useNavigate();
  const mainRef = useRef<HTMLElement>(null);
  const navigationType = useNavigationType();
  const isFirstLocation = useRef(true);
  const next = otherLocale(locale);

  // Focus management: after a navigation, the focus goes to the main content (its start is read).
  // Redirects (REPLACE: to the sign-in page, to a section's first page) do not count as one.
  useEffect(() => {
    if (isFirstLocation.current || navigationType === NavigationType.Replace) {
      isFirstLocation.current = false;
      return;
    }
    markNavigation();
    mainRef.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [location.pathname, navigationType]);

  // The notification inbox, live: only once the server is known to serve it.
  const unread = useUnreadCount(me !== null);
  const isInboxAvailable = me !== null && unread.isSuccess;
  const onNotification = useCallback(
    (item: NotificationItem) => announce('notification', t.newNotification(item.title)),
    [t],
  );
  useNotificationStream(isInboxAvailable, onNotification);

  const languageItem = {
    iconId: 'fr-icon-translate-2' as const,
    text: (
      <>
        {/* The visible label starts the accessible name (WCAG 2.5.3), the hidden part says what it does. */}
        {shellMessages[next].languageName}
        <span className="fr-sr-only"> – {shellMessages[next].switchToThisLanguage}</span>
      </>
    ),
    buttonProps: { lang: next, type: 'button' as const, onClick: () => setLocale(next) },
  };

  const currentModule = moduleOfPath(location.pathname);
  const instanceName = instance.data?.name;

  return (
    <>
      <SkipLinks
        links={[
          { label: t.skipToContent, anchor: `#${contentId}` },
          ...(me ? [{ label: t.skipToMenu, anchor: `#${headerId}-main-navigation` }] : []),
          { label: t.skipToFooter, anchor: `#${footerId}` },
        ]}
      />
      <Header
        id={headerId}
        brandTop={
          <>
            {t.brandTop[0]}
            <br />
            {t.brandTop[1]}
          </>
        }
        serviceTitle={t.productName}
        serviceTagline={instanceName ?? t.productTagline}
        homeLinkProps={{ to: '/', title: t.homeLinkTitle(instanceName ?? t.productTagline) }}
        quickAccessItems={
          me
            ? [
                <AppSwitcher key="apps" me={me} />,
                <NotificationBell key="bell" />,
                <UserMenu key="user" me={me} />,
                languageItem,
              ]
            : [languageItem]
        }
        navigation={
          me
            ? modulesFor(me).map((module) => ({
                text: module.name[locale],
                linkProps: { to: module.path },
                isActive: module.id === currentModule?.id,
              }))
            : undefined
        }
        {...(me
          ? {
              renderSearchInput: ({ className, id, placeholder, type }) => (
                <input
                  className={className}
                  id={id}
                  name="q"
                  placeholder={t.searchPlaceholder}
                  title={placeholder}
                  type={type}
                  autoComplete="off"
                />
              ),
              onSearchButtonClick: (text: string) => void navigate(`/recherche?q=${encodeURIComponent(text.trim())}`),
            }
          : {})}
      />
      <main id={contentId} ref={mainRef} tabIndex={-1} className="bureau-main">
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </main>
      <Footer
        id={footerId}
        accessibility="non compliant"
        accessibilityLinkProps={{ to: '/accessibilite' }}
        contentDescription={t.footerDescription}
        bottomItems={[
          headerFooterDisplayItem,
          { text: t.apiDocs, linkProps: { href: '/api/reference/' } },
          { text: t.serviceHealth, linkProps: { href: '/healthz' } },
          ...(instance.data
            ? [<span className="fr-footer__bottom-link">{t.version(instance.data.version)}</span>]
            : []),
        ]}
      />
      {/* Live regions: announced politely, never shown. */}
      <PoliteRegion channel="page" />
      <PoliteRegion channel="notification" />
    </>
  );
}

function PoliteRegion({ channel }: { channel: 'page' | 'notification' }) {
  const message = useAnnouncement(channel);
  return (
    <div className="fr-sr-only" role="status" aria-live="polite" aria-atomic="true" data-live-region={channel}>
      {message}
    </div>
  );
}
