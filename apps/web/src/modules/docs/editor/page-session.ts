import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { useEffect, useRef, useState } from 'react';
import * as Y from 'yjs';
import {
  connectionStateOf,
  presentPeople,
  type ConnectionState,
  type Presence,
  type ProviderSnapshot,
} from '../collab-state.ts';

/** A page's live copy: its Yjs document, kept in sync with the server by a Hocuspocus provider. */
export interface PageSession {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  /**
   * The page's discussions (its comment threads), a Yjs document of their own (`<id>/discussions`) followed
   * live on the same socket by signed-in readers; an empty local document for a visitor of a public link,
   * whom the server never gives them.
   */
  discussions: Y.Doc;
}

export interface PageSessionListeners {
  onConnectionChange: (state: ConnectionState) => void;
  onPresenceChange?: ((people: Presence[]) => void) | undefined;
}

/** `ws(s)://<this host>/collab`: Hocuspocus on the app's own origin (the session cookie authenticates). */
function collabUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/collab`;
}

/**
 * Opens a page's live copy on `/collab` (the document's name is the page's id) and, with `withDiscussions`,
 * its discussions on the same socket; reports how the page's connection goes and who else is there; providers
 * and documents are destroyed when the page closes. The providers' token is a placeholder: the server reads
 * the session cookie, and without one (a visitor following a public link) it opens the page read only, or
 * refuses it.
 */
export function usePageSession(
  documentId: string,
  listeners: PageSessionListeners,
  options: { withDiscussions: boolean },
): PageSession | undefined {
  const [session, setSession] = useState<PageSession | undefined>();
  const latest = useRef(listeners);
  latest.current = listeners;

  const { withDiscussions } = options;
  useEffect(() => {
    const doc = new Y.Doc();
    const discussions = new Y.Doc();
    const socket = new HocuspocusProviderWebsocket({ url: collabUrl() });
    const provider = new HocuspocusProvider({
      websocketProvider: socket,
      name: documentId,
      document: doc,
      token: 'session',
    });
    provider.attach();
    const discussionsProvider = withDiscussions
      ? new HocuspocusProvider({
          websocketProvider: socket,
          name: `${documentId}/discussions`,
          document: discussions,
          token: 'session',
          // Nobody is « in » the discussions: presence is the page's.
          awareness: null,
        })
      : undefined;
    discussionsProvider?.attach();
    const snapshot: ProviderSnapshot = { socket: 'connecting', isSynced: false, hasBeenSynced: false, isDenied: false };
    const report = () => {
      snapshot.isSynced = provider.isSynced;
      if (provider.isSynced) snapshot.hasBeenSynced = true;
      latest.current.onConnectionChange(connectionStateOf(snapshot));
    };
    provider.on('status', ({ status }: { status: ProviderSnapshot['socket'] }) => {
      snapshot.socket = status;
      report();
    });
    provider.on('synced', report);
    provider.on('authenticated', () => {
      snapshot.isDenied = false;
      report();
    });
    provider.on('authenticationFailed', () => {
      snapshot.isDenied = true;
      report();
    });
    const awareness = provider.awareness;
    const onAwareness = () => {
      if (awareness) latest.current.onPresenceChange?.(presentPeople(awareness.getStates(), awareness.clientID));
    };
    awareness?.on('change', onAwareness);
    setSession({ doc, provider, discussions });
    return () => {
      awareness?.off('change', onAwareness);
      discussionsProvider?.destroy();
      provider.destroy();
      socket.destroy();
      discussions.destroy();
      doc.destroy();
    };
  }, [documentId, withDiscussions]);

  return session;
}
