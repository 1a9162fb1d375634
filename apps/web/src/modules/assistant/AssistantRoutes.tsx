import { Outlet, Route, Routes, useMatch } from 'react-router';
import { usePageTitle } from '../../app/page.ts';
import { NotFoundPage } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { AlbertNav } from './AlbertNav.tsx';
import { AlbertSessionProvider } from './albert-session.tsx';
import './assistant.css';
import { useConversation } from './assistant.api.ts';
import { assistantMessages } from './assistant.messages.ts';
import { CollectionPage } from './CollectionPage.tsx';
import { CollectionsPage } from './CollectionsPage.tsx';
import { ConversationList } from './ConversationList.tsx';
import { ConversationPage } from './ConversationPage.tsx';

/**
 * Albert (`/albert`): conversations with the assistant (`/albert`, `/albert/conversations/:id`) and the
 * knowledge collections it answers from (`/albert/collections`, `/albert/collections/:id`).
 */
export function AssistantRoutes() {
  return (
    <Routes>
      <Route path="collections" element={<CollectionsPage />} />
      <Route path="collections/:id" element={<CollectionPage />} />
      <Route element={<ConversationsLayout />}>
        <Route index element={<ConversationPage />} />
        <Route path="conversations/:id" element={<ConversationPage />} />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

/**
 * The conversation pages: the history beside the open conversation (one above the other on a phone). The
 * h1 is the conversation's title, or "Albert" for a new one; the answer being written lives in the
 * session around them.
 */
function ConversationsLayout() {
  const t = useMessages(assistantMessages);
  const conversationId = useMatch('/albert/conversations/:id')?.params.id;
  const conversation = useConversation(conversationId);
  const title = conversationId ? (conversation.data?.title ?? t.title) : t.title;
  usePageTitle(conversationId && conversation.data ? `${conversation.data.title} – ${t.title}` : t.title);
  return (
    <AlbertSessionProvider>
      <div className="fr-container fr-mt-3w fr-mb-6w bureau-albert">
        <AlbertNav />
        <h1 className="bureau-albert__title">{title}</h1>
        {!conversationId && <p className="fr-text--lead bureau-albert__intro">{t.intro}</p>}
        <div className="bureau-albert__layout">
          <ConversationList currentId={conversationId} />
          <div className="bureau-albert__main">
            <Outlet />
          </div>
        </div>
      </div>
    </AlbertSessionProvider>
  );
}
