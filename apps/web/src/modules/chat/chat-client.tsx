import {
  ClientEvent,
  createClient,
  HttpApiEvent,
  MatrixEventEvent,
  PendingEventOrdering,
  RoomEvent,
  RoomMemberEvent,
  RoomNameType,
  RoomStateEvent,
  SyncState,
  type MatrixClient,
  type Room,
  type RoomNameState,
} from 'matrix-js-sdk';
import { logger as sdkLogger, type Logger } from 'matrix-js-sdk/lib/logger.js';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { useLocation } from 'react-router';
import { useSignedInUser } from '../../app/states.tsx';
import { activeLocale } from '../../i18n.tsx';
import { chatMessages } from './chat.messages.ts';
import {
  checkAccessToken,
  cryptoStorePrefix,
  discardForeignSession,
  forgetChatCredentials,
  forgetCryptoStores,
  loginWithToken,
  logoutDevice,
  obtainLoginToken,
  onChatSessionEnded,
  readChatCredentials,
  signOutEpoch,
  storeChatCredentials,
  type ChatCredentials,
} from './chat-session.ts';

// The SDK logs every request at debug level; the console keeps its warnings and errors. Its global logger is
// a loglevel logger (typed without setLevel); the client gets a quiet one of its own.
(sdkLogger as unknown as { setLevel: (level: 'warn') => void }).setLevel('warn');
const quietLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (...message: unknown[]) => console.warn('[matrix]', ...message),
  error: (...message: unknown[]) => console.error('[matrix]', ...message),
  getChild: () => quietLogger,
};

/**
 * Endpoints the SDK polls for features Bureau does not offer (MatrixRTC transports, MSC4143): answered here
 * as the homeserver would (404 M_UNRECOGNIZED) without a request, which the browser would log as an error.
 */
const unofferedPaths = new Set(['/_matrix/client/unstable/org.matrix.msc4143/rtc/transports']);

const sdkFetch: typeof fetch = (input, init) => {
  const address = input instanceof Request ? input.url : String(input);
  if (unofferedPaths.has(new URL(address, window.location.origin).pathname)) {
    const body = JSON.stringify({ errcode: 'M_UNRECOGNIZED', error: 'Not offered by Bureau' });
    return Promise.resolve(new Response(body, { status: 404, headers: { 'content-type': 'application/json' } }));
  }
  return fetch(input, init);
};

/** The running client of this page: one per browser tab, kept while the page lives (until sign-out). */
interface RunningClient {
  client: MatrixClient;
  credentials: ChatCredentials;
  /** Bumped (coalesced) on every change the pages show: rooms, timelines, receipts, typing, names. */
  version: number;
  listeners: Set<() => void>;
  syncState: SyncState | null;
  /** Why the client stopped: the person signed out (nothing more to do), or its token was revoked (sign in again). */
  stopReason?: 'signed-out' | 'revoked';
  /**
   * End-to-end encryption in this tab: `on` once Matrix's Rust crypto runs; `other-tab` when another tab of
   * this browser holds the device's keys (one at a time, or their sessions would diverge); `failed` when it
   * could not start (no IndexedDB, no WebAssembly).
   */
  crypto: 'starting' | 'on' | 'other-tab' | 'failed';
  /** Lets the device's keys go to another tab (sign-out). */
  releaseCrypto?: () => void;
}

/**
 * Holds the lock on this device's keys for the tab's lifetime (Web Locks): resolves with a release function,
 * or undefined when another tab holds it. Without the API (old browsers), the tab goes ahead alone.
 */
function holdCryptoLock(deviceId: string): Promise<(() => void) | undefined> {
  if (!('locks' in navigator)) return Promise.resolve(() => undefined);
  return new Promise((resolve) => {
    void navigator.locks.request(`bureau.chat.crypto.${deviceId}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(undefined);
        return undefined;
      }
      return new Promise<void>((release) => resolve(release));
    });
  });
}

let running: RunningClient | undefined;

/** Room names the SDK computes when a room has none, in the person's language. */
function roomNameGenerator(_roomId: string, state: RoomNameState): string | null {
  const t = chatMessages[activeLocale()];
  switch (state.type) {
    case RoomNameType.Actual:
      return state.name;
    case RoomNameType.EmptyRoom:
      return state.oldName ? t.emptyRoomWas(state.oldName) : t.emptyRoom;
    case RoomNameType.Generated:
      return t.generatedRoomName(state.names, state.count, state.subtype === 'Inviting');
  }
}

function startClient(credentials: ChatCredentials): RunningClient {
  const client = createClient({
    baseUrl: window.location.origin,
    accessToken: credentials.accessToken,
    userId: credentials.userId,
    deviceId: credentials.deviceId,
    timelineSupport: false,
    disableVoip: true,
    roomNameGenerator,
    logger: quietLogger,
    fetchFn: sdkFetch,
  });
  const state: RunningClient = {
    client,
    credentials,
    version: 0,
    listeners: new Set(),
    syncState: null,
    crypto: 'starting',
  };
  let scheduled: ReturnType<typeof setTimeout> | undefined;
  const bump = () => {
    if (scheduled !== undefined) return;
    scheduled = setTimeout(() => {
      scheduled = undefined;
      state.version += 1;
      for (const listener of state.listeners) listener();
    }, 16);
  };
  client.on(ClientEvent.Sync, (syncState) => {
    state.syncState = syncState;
    bump();
  });
  const onRoom = (room: Room) => {
    room.on(RoomEvent.UnreadNotifications, bump);
    bump();
  };
  client.on(ClientEvent.Room, onRoom);
  client.on(ClientEvent.DeleteRoom, bump);
  client.on(ClientEvent.AccountData, bump);
  for (const event of [
    RoomEvent.Timeline,
    RoomEvent.TimelineReset,
    RoomEvent.Redaction,
    RoomEvent.RedactionCancelled,
    RoomEvent.Receipt,
    RoomEvent.LocalEchoUpdated,
    RoomEvent.MyMembership,
    RoomEvent.Name,
  ] as const) {
    client.on(event, bump);
  }
  client.on(RoomStateEvent.Events, bump);
  client.on(RoomStateEvent.Members, bump);
  client.on(RoomMemberEvent.Typing, bump);
  client.on(RoomMemberEvent.Name, bump);
  client.on(MatrixEventEvent.Replaced, bump);
  client.on(MatrixEventEvent.Decrypted, bump);
  // The token stopped working (device deleted from another client, account deactivated): sign in again.
  client.on(HttpApiEvent.SessionLoggedOut, () => {
    stopRunningClient('revoked');
    forgetChatCredentials();
  });
  void startEncryptionThenSync(state, bump);
  return state;
}

/**
 * Starts Matrix's Rust crypto on the device's own IndexedDB store (when this tab may hold its keys), then the
 * sync loop: the first sync must reach a client able to decrypt, and to take its one-time keys.
 */
async function startEncryptionThenSync(state: RunningClient, bump: () => void): Promise<void> {
  const { client, credentials } = state;
  const release = await holdCryptoLock(credentials.deviceId);
  if (state.stopReason) {
    release?.();
    return;
  }
  if (release) {
    state.releaseCrypto = release;
    try {
      // Stores of devices this browser no longer uses (signed out elsewhere, revoked) go first.
      await forgetCryptoStores(credentials.deviceId);
      await client.initRustCrypto({ cryptoDatabasePrefix: cryptoStorePrefix(credentials.deviceId) });
      state.crypto = 'on';
    } catch (error) {
      console.warn('[matrix] end-to-end encryption could not start', error);
      state.crypto = 'failed';
    }
  } else {
    state.crypto = 'other-tab';
  }
  if (state.stopReason) return;
  bump();
  await client.startClient({
    initialSyncLimit: 30,
    lazyLoadMembers: true,
    // Threads are gathered by this client from the timeline (timeline-model.ts): the SDK's own thread
    // timelines need the relations and threads endpoints on every room.
    threadSupport: false,
    // Own messages take their place in the server's order once acknowledged; until then they are shown
    // after the timeline with their sending state (as Element does).
    pendingEventOrdering: PendingEventOrdering.Detached,
  });
}

function stopRunningClient(reason: 'signed-out' | 'revoked'): void {
  if (!running) return;
  const stopped = running;
  running = undefined;
  stopped.stopReason = reason;
  stopped.client.stopClient();
  stopped.client.removeAllListeners();
  stopped.releaseCrypto?.();
  for (const listener of stopped.listeners) listener();
}

onChatSessionEnded(() => stopRunningClient('signed-out'));

type Status =
  | { phase: 'signing-in' }
  | { phase: 'signed-out' }
  | { phase: 'error'; error: unknown }
  | { phase: 'running'; state: RunningClient };

/** Thrown when the person signed out while the chat was signing in. */
class SignedOutError extends Error {}

/** The sign-in in flight, shared: two mounts at once (React's strict mode) must not open two devices. */
let pendingSignIn: { bureauUserId: string; promise: Promise<ChatCredentials> } | undefined;

function credentialsFor(bureauUserId: string, returnPath: string): Promise<ChatCredentials> {
  if (pendingSignIn?.bureauUserId !== bureauUserId) {
    const promise = signIn(bureauUserId, returnPath).finally(() => {
      if (pendingSignIn?.promise === promise) pendingSignIn = undefined;
    });
    pendingSignIn = { bureauUserId, promise };
  }
  return pendingSignIn.promise;
}

async function signIn(bureauUserId: string, returnPath: string): Promise<ChatCredentials> {
  const epoch = signOutEpoch();
  await discardForeignSession(bureauUserId);
  const stored = readChatCredentials();
  if (stored) {
    if ((await checkAccessToken(stored)) === 'valid') return stored;
    forgetChatCredentials();
  }
  const token = await obtainLoginToken(returnPath);
  if (signOutEpoch() !== epoch) throw new SignedOutError();
  const login = await loginWithToken(token, chatMessages[activeLocale()].deviceName);
  if (signOutEpoch() !== epoch) {
    // Signed out meanwhile: this new device goes too.
    await logoutDevice(login.accessToken);
    throw new SignedOutError();
  }
  const credentials = { ...login, bureauUserId };
  storeChatCredentials(credentials);
  return credentials;
}

interface ChatContextValue {
  client: MatrixClient;
  userId: string;
  syncState: SyncState | null;
  /** Whether this tab reads and writes end-to-end encrypted rooms (see `RunningClient.crypto`). */
  crypto: RunningClient['crypto'];
  /** Changes whenever the client's data changes: a dependency for derived values. */
  version: number;
}

const ChatContext = createContext<ChatContextValue | undefined>(undefined);

/**
 * Signs in to the homeserver through Bureau's single sign-on when needed, starts the SDK's sync loop and
 * gives the pages the client. `fallback` renders while signing in or on failure.
 */
export function ChatClientProvider({
  children,
  fallback,
}: {
  children: ReactNode;
  fallback: (status: { error?: unknown; retry: () => void }) => ReactNode;
}) {
  const me = useSignedInUser();
  const location = useLocation();
  const [attempt, setAttempt] = useState(0);
  const [status, setStatus] = useState<Status>(() =>
    running && running.credentials.bureauUserId === me.id
      ? { phase: 'running', state: running }
      : { phase: 'signing-in' },
  );
  const returnPath = `${location.pathname}${location.search}`;

  // Signing in (again): the return path is the page asked for when it starts.
  useEffect(() => {
    if (status.phase !== 'signing-in') return undefined;
    let isCancelled = false;
    credentialsFor(me.id, returnPath)
      .then((credentials) => {
        if (isCancelled) return;
        if (!running || running.credentials.accessToken !== credentials.accessToken) {
          stopRunningClient('revoked');
          running = startClient(credentials);
        }
        setStatus({ phase: 'running', state: running });
      })
      .catch((error: unknown) => {
        if (!isCancelled)
          setStatus(error instanceof SignedOutError ? { phase: 'signed-out' } : { phase: 'error', error });
      });
    return () => {
      isCancelled = true;
    };
  }, [me.id, attempt, status.phase]);

  const state = status.phase === 'running' ? status.state : undefined;
  const subscribe = useCallback(
    (listener: () => void) => {
      state?.listeners.add(listener);
      return () => {
        state?.listeners.delete(listener);
      };
    },
    [state],
  );
  const version = useSyncExternalStore(subscribe, () => (state ? (state.stopReason ? -1 : state.version) : -2));

  // The client stopped: after a sign-out, nothing (the shell leaves for the sign-in page); after a revoked
  // token (device deleted elsewhere), sign in again.
  useEffect(() => {
    if (version !== -1 || !state) return;
    setStatus(state.stopReason === 'signed-out' ? { phase: 'signed-out' } : { phase: 'signing-in' });
  }, [version, state]);

  if (!state || state.stopReason) {
    return fallback({
      error: status.phase === 'error' ? status.error : undefined,
      retry: () => {
        setStatus({ phase: 'signing-in' });
        setAttempt((value) => value + 1);
      },
    });
  }
  const value: ChatContextValue = {
    client: state.client,
    userId: state.credentials.userId,
    syncState: state.syncState,
    crypto: state.crypto,
    version,
  };
  return <ChatContext.Provider value={value}>{children}</ChatContext.Provider>;
}

/** The signed-in client and the data version (inside {@link ChatClientProvider}). */
export function useChat(): ChatContextValue {
  const value = useContext(ChatContext);
  if (!value) throw new Error('useChat() used outside <ChatClientProvider>.');
  return value;
}

/** Whether the first sync has been processed (rooms are known). */
export function isSynced(syncState: SyncState | null): boolean {
  return syncState === SyncState.Prepared || syncState === SyncState.Syncing || syncState === SyncState.Catchup;
}
