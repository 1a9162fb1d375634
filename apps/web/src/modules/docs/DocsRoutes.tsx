import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../../app/states.tsx';
import './docs.css';
import { DocsHomePage } from './DocsHomePage.tsx';
import { DocumentPage } from './DocumentPage.tsx';
import { SpacePage } from './SpacePage.tsx';
import { TrashPage } from './TrashPage.tsx';

/**
 * Documents (`/documents`): the spaces, recent pages and favourites (`/documents`), a space and its tree
 * (`/documents/espaces/:spaceId`), a page edited together in real time (`/documents/:id`), the trash
 * (`/documents/corbeille`). The editor (BlockNote, Mantine, Yjs) is a chunk of its own, fetched when a
 * page opens.
 */
export function DocsRoutes() {
  return (
    <Routes>
      <Route index element={<DocsHomePage />} />
      <Route path="corbeille" element={<TrashPage />} />
      <Route path="espaces/:spaceId" element={<SpacePage />} />
      <Route path=":id" element={<DocumentPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
