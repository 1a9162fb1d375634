import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import { HomePage } from '../modules/home/HomePage.tsx';
import { Layout } from './Layout.tsx';
import { NotFoundPage, RequireSession } from './states.tsx';

/*
 * Code split per module: the shell and the home page are in the first download; every other module
 * (its pages, texts and helpers) is a chunk fetched on first visit. Paths are French, like the links
 * the server sends by e-mail (/mot-de-passe/nouveau, /invitation) and its SSO errors (/connexion).
 */
const IdentityRoutes = lazy(() =>
  import('../modules/identity/IdentityRoutes.tsx').then((m) => ({ default: m.IdentityRoutes })),
);
const AccountRoutes = lazy(() =>
  import('../modules/account/AccountRoutes.tsx').then((m) => ({ default: m.AccountRoutes })),
);
const AdminRoutes = lazy(() => import('../modules/admin/AdminRoutes.tsx').then((m) => ({ default: m.AdminRoutes })));
const DirectoryRoutes = lazy(() =>
  import('../modules/directory/DirectoryRoutes.tsx').then((m) => ({ default: m.DirectoryRoutes })),
);
const SearchPage = lazy(() => import('../modules/search/SearchPage.tsx').then((m) => ({ default: m.SearchPage })));
const NotificationsPage = lazy(() =>
  import('../modules/notifications/NotificationsPage.tsx').then((m) => ({ default: m.NotificationsPage })),
);
const ChatRoutes = lazy(() => import('../modules/chat/ChatRoutes.tsx').then((m) => ({ default: m.ChatRoutes })));
const AssistantRoutes = lazy(() =>
  import('../modules/assistant/AssistantRoutes.tsx').then((m) => ({ default: m.AssistantRoutes })),
);
const DocsRoutes = lazy(() => import('../modules/docs/DocsRoutes.tsx').then((m) => ({ default: m.DocsRoutes })));
const AccessibilityPage = lazy(() =>
  import('../modules/home/AccessibilityPage.tsx').then((m) => ({ default: m.AccessibilityPage })),
);

export function createRouter() {
  return createBrowserRouter([
    {
      element: <Layout />,
      children: [
        // Public pages: sign-in, password reset, invitation.
        { path: '/connexion', element: <IdentityRoutes page="login" /> },
        { path: '/mot-de-passe/oubli', element: <IdentityRoutes page="forgotten-password" /> },
        { path: '/mot-de-passe/nouveau', element: <IdentityRoutes page="new-password" /> },
        { path: '/invitation', element: <IdentityRoutes page="invitation" /> },
        { path: '/accessibilite', element: <AccessibilityPage /> },
        // Documents ask for a session themselves: a page with a public link is read without one.
        { path: '/documents/*', element: <DocsRoutes /> },
        {
          element: <RequireSession />,
          children: [
            { index: true, element: <HomePage /> },
            { path: '/recherche', element: <SearchPage /> },
            { path: '/notifications', element: <NotificationsPage /> },
            { path: '/messagerie/*', element: <ChatRoutes /> },
            { path: '/albert/*', element: <AssistantRoutes /> },
            { path: '/annuaire/*', element: <DirectoryRoutes /> },
            { path: '/compte/*', element: <AccountRoutes /> },
            { path: '/administration/*', element: <AdminRoutes /> },
            { path: '*', element: <NotFoundPage /> },
          ],
        },
      ],
    },
  ]);
}
