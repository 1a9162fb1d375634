import { Route, Routes } from 'react-router';
import { useMe } from '../../api/queries.ts';
import { ErrorNotice, NotFoundPage, PageLoading, RequireSession } from '../../app/states.tsx';
import './docs.css';
import { DocsHomePage } from './DocsHomePage.tsx';
import { DocumentPage } from './DocumentPage.tsx';
import { PublicDocumentPage } from './PublicDocumentPage.tsx';
import { SpacePage } from './SpacePage.tsx';
import { TrashPage } from './TrashPage.tsx';

/**
 * Documents (`/documents`): the spaces, recent pages and favourites (`/documents`), a space and its tree
 * (`/documents/espaces/:spaceId`), a page edited together in real time (`/documents/:id`), the trash
 * (`/documents/corbeille`). The editor (BlockNote, Mantine, Yjs) is a chunk of its own, fetched when a
 * page opens. Everything asks for a session but a page, whose address (the one its sharing dialog gives)
 * also serves visitors who are not signed in when the page has a public link.
 */
export function DocsRoutes() {
  return (
    <Routes>
      <Route path=":id" element={<DocumentRoute />} />
      <Route element={<RequireSession />}>
        <Route index element={<DocsHomePage />} />
        <Route path="corbeille" element={<TrashPage />} />
        <Route path="espaces/:spaceId" element={<SpacePage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** A page: all of it for a signed-in person, its public view for a visitor (who may sign in from there). */
function DocumentRoute() {
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) {
    return (
      <div className="fr-container fr-my-6w">
        <ErrorNotice error={me.error} onRetry={() => void me.refetch()} />
      </div>
    );
  }
  return me.data ? <DocumentPage /> : <PublicDocumentPage />;
}
