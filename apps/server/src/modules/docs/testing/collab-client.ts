import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { docsFragmentName } from '@bureau/contracts';
import WebSocket from 'ws';
import * as Y from 'yjs';

export interface CollabClient {
  readonly provider: HocuspocusProvider;
  readonly document: Y.Doc;
  /** The page's text as this client sees it (every XmlText of the fragment, in order). */
  text(): string;
  /** Appends a paragraph holding `text` (the shape BlockNote gives a block, enough for the server). */
  type(text: string): void;
  /** Resolves once every local change was acknowledged by the server. */
  acknowledged(timeoutMs?: number): Promise<void>;
  /** Resolves with the outcome of authentication: the scope granted, or the reason of the refusal. */
  readonly authentication: Promise<{ scope: 'read-write' | 'readonly' } | { failed: string }>;
  destroy(): void;
}

/**
 * A real Hocuspocus provider (as the web app and other programs use it) on Bureau's `/collab`, with the
 * browser's session cookie and `Origin`, or a collaboration token.
 */
export function connectCollab(options: {
  address: string;
  documentId: string;
  headers?: Record<string, string>;
  token?: string;
}): CollabClient {
  const headers = options.headers ?? {};
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers });
    }
  }
  const url = `${options.address.replace(/^http/, 'ws')}/collab`;
  const websocketProvider = new HocuspocusProviderWebsocket({
    url,
    WebSocketPolyfill: BrowserLikeWebSocket,
    // Tests fail fast rather than retrying forever.
    maxAttempts: 3,
  });
  const document = new Y.Doc();
  let settle: (value: { scope: 'read-write' | 'readonly' } | { failed: string }) => void = () => undefined;
  const authentication = new Promise<{ scope: 'read-write' | 'readonly' } | { failed: string }>((resolve) => {
    settle = resolve;
  });
  const provider = new HocuspocusProvider({
    websocketProvider,
    name: options.documentId,
    document,
    token: options.token ?? 'session',
    onAuthenticated: ({ scope }) => settle({ scope }),
    onAuthenticationFailed: ({ reason }) => settle({ failed: reason }),
  });
  provider.attach();
  const fragment = document.getXmlFragment(docsFragmentName);
  return {
    provider,
    document,
    authentication,
    text() {
      const parts: string[] = [];
      const visit = (node: Y.XmlElement | Y.XmlText | Y.XmlFragment | Y.XmlHook) => {
        if (node instanceof Y.XmlHook) return;
        if (node instanceof Y.XmlText) parts.push(String(node.toString()));
        else for (const child of node.toArray()) visit(child);
      };
      visit(fragment);
      return parts.join('\n');
    },
    type(text: string) {
      document.transact(() => {
        let group = fragment.get(0) as Y.XmlElement | undefined;
        if (!group) {
          group = new Y.XmlElement('blockGroup');
          fragment.insert(0, [group]);
        }
        const container = new Y.XmlElement('blockContainer');
        container.setAttribute('id', `b${Math.random().toString(36).slice(2, 10)}`);
        const paragraph = new Y.XmlElement('paragraph');
        paragraph.insert(0, [new Y.XmlText(text)]);
        container.insert(0, [paragraph]);
        group.insert(group.length, [container]);
      });
    },
    acknowledged(timeoutMs = 5_000) {
      return new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (provider.isSynced && !provider.hasUnsyncedChanges) return resolve();
          if (Date.now() - started > timeoutMs) {
            return reject(
              new Error(`changes not acknowledged in ${timeoutMs} ms (${provider.unsyncedChanges} pending)`),
            );
          }
          setTimeout(check, 10);
        };
        check();
      });
    },
    destroy() {
      provider.destroy();
      websocketProvider.destroy();
      document.destroy();
    },
  };
}

/** Waits until `condition` holds (polling), or fails with `message`. */
export async function eventually(condition: () => boolean, message: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
