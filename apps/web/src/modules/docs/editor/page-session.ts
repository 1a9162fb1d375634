import { HocuspocusProvider } from '@hocuspocus/provider';
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
 * Opens a page's live copy on `/collab` (the document's name is the page's id) and reports how the
 * connection goes and who else is there; provider and document are destroyed when the page closes.
 * The provider's token is a placeholder: the server reads the session cookie, and without one (a visitor
 * following a public link) it opens the page read only, or refuses it.
 */
export function usePageSession(documentId: string, listeners: PageSessionListeners): PageSession | undefined {
  const [session, setSession] = useState<PageSession | undefined>();
  const latest = useRef(listeners);
  latest.current = listeners;

  useEffect(() => {
    const doc = new Y.Doc();
    const provider = new HocuspocusProvider({ url: collabUrl(), name: documentId, document: doc, token: 'session' });
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
    setSession({ doc, provider });
    return () => {
      awareness?.off('change', onAwareness);
      provider.destroy();
      doc.destroy();
    };
  }, [documentId]);

  return session;
}
