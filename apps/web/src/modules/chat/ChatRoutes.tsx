import { SyncState } from 'matrix-js-sdk';
import { useEffect, useRef, useState } from 'react';
import { Link, Outlet, Route, Routes, useMatch, useNavigate, useSearchParams } from 'react-router';
import { usePageTitle } from '../../app/page.ts';
import { NotFoundPage, useSignedInUser } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import './chat.css';
import { ChatClientProvider, isSynced, useChat } from './chat-client.tsx';
import { chatMessages } from './chat.messages.ts';
import { loginWithToken, MatrixLoginError, storeChatCredentials } from './chat-session.ts';
import { CreateRoomPage } from './CreateRoomPage.tsx';
import { KeyBackupPage } from './KeyBackupPage.tsx';
import { RoomList } from './RoomList.tsx';
import { RoomPage } from './RoomPage.tsx';
import { RoomSettingsPage } from './RoomSettingsPage.tsx';

/**
 * Messagerie (`/messagerie`): Bureau's Matrix client. The pages share one layout: the conversation list
 * beside the open room (on a phone, one or the other).
 */
export function ChatRoutes() {
  return (
    <Routes>
      <Route path="connexion" element={<SsoCallbackPage />} />
      <Route element={<ChatLayout />}>
        <Route index element={<ChatHomePage />} />
        <Route path="nouveau" element={<CreateRoomPage />} />
        <Route path="chiffrement" element={<KeyBackupPage />} />
        <Route path="salons/:roomId" element={<RoomPage />} />
        <Route path="salons/:roomId/parametres" element={<RoomSettingsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** Where Bureau's single sign-on comes back with `loginToken`: exchanged for an access token, then back. */
function SsoCallbackPage() {
  const t = useMessages(chatMessages);
  const me = useSignedInUser();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const [error, setError] = useState<string | undefined>();
  const hasRun = useRef(false);
  usePageTitle(t.signingIn);
  useEffect(() => {
    if (hasRun.current) return;
    hasRun.current = true;
    const token = searchParams.get('loginToken');
    const back = searchParams.get('retour');
    const returnPath = back?.startsWith('/messagerie') ? back : '/messagerie';
    if (!token) {
      setError(t.signInFailed);
      return;
    }
    loginWithToken(token, t.deviceName)
      .then((login) => {
        storeChatCredentials({ ...login, bureauUserId: me.id });
        void navigate(returnPath, { replace: true });
      })
      .catch((failure: unknown) => {
        setError(failure instanceof MatrixLoginError ? `${t.signInFailed} (${failure.errcode})` : t.signInFailed);
      });
  }, [searchParams, me.id, navigate, t]);
  return (
    <div className="fr-container fr-my-6w">
      <h1>{t.title}</h1>
      {error ? (
        <div className="fr-alert fr-alert--error fr-alert--sm" role="alert">
          <p>
            {error}{' '}
            <Link to="/messagerie" className="fr-link">
              {t.retry}
            </Link>
          </p>
        </div>
      ) : (
        <p role="status" className="bureau-loading">
          {t.signingIn}
        </p>
      )}
    </div>
  );
}

function ChatStarting({ error, retry }: { error?: unknown; retry: () => void }) {
  const t = useMessages(chatMessages);
  usePageTitle(t.title);
  return (
    <div className="fr-container fr-my-6w">
      <h1>{t.title}</h1>
      {error ? (
        <div className="fr-alert fr-alert--error fr-alert--sm" role="alert">
          <p>
            {t.connectionFailed}{' '}
            <button type="button" className="fr-link" onClick={retry}>
              {t.retry}
            </button>
          </p>
        </div>
      ) : (
        <p role="status" className="bureau-loading">
          {t.signingIn}
        </p>
      )}
    </div>
  );
}

function ChatLayout() {
  return (
    <ChatClientProvider fallback={(status) => <ChatStarting {...status} />}>
      <ChatShell />
    </ChatClientProvider>
  );
}

/** Connection state of the sync loop, said when it changes (reconnecting, offline). */
function SyncStatus() {
  const t = useMessages(chatMessages);
  const { syncState } = useChat();
  const isTrouble = syncState === SyncState.Error || syncState === SyncState.Reconnecting;
  return (
    <p role="status" className={isTrouble ? 'bureau-chat-sync fr-text--sm' : 'fr-sr-only'}>
      {isTrouble ? t.reconnecting : ''}
    </p>
  );
}

function ChatShell() {
  const { syncState } = useChat();
  const isInRoom = useMatch('/messagerie/*')?.params['*'] !== '';
  if (!isSynced(syncState) && syncState !== SyncState.Error && syncState !== SyncState.Reconnecting) {
    return <ChatStarting retry={() => window.location.reload()} />;
  }
  return (
    <div className="fr-container fr-container--fluid bureau-chat-container">
      <div className={`bureau-chat${isInRoom ? ' bureau-chat--pane-open' : ''}`}>
        <div className="bureau-chat__sidebar">
          <RoomList />
        </div>
        <div className="bureau-chat__content">
          <SyncStatus />
          <Outlet />
        </div>
      </div>
    </div>
  );
}

function ChatHomePage() {
  const t = useMessages(chatMessages);
  usePageTitle(t.title);
  return (
    <div className="bureau-chat-pane bureau-chat-pane--padded bureau-chat-home">
      <h1>{t.title}</h1>
      <p className="fr-text--lead">{t.intro}</p>
      <p>{t.homeHint}</p>
      <Link to="/messagerie/nouveau" className="fr-btn fr-icon-add-line fr-btn--icon-left bureau-chat-home__start">
        {t.newConversation}
      </Link>
      <p className="fr-mt-4w">
        <Link to="/messagerie/chiffrement" className="fr-link fr-icon-lock-line fr-link--icon-left">
          {t.keyBackupLink}
        </Link>
      </p>
    </div>
  );
}
