/**
 * What the benchmark (run.ts) and its editor processes (editors.ts) tell each other over the IPC channel
 * (`serialization: 'advanced'`, so typed arrays cross as they are).
 */

/** What an editor presents: the provider's token, and the headers of its WebSocket's upgrade request. */
export interface EditorCredential {
  /** A collaboration token (`bdt_…`), or `session` when the cookie carries the session, as in a browser. */
  readonly token: string;
  /** `Cookie` and `Origin`, as a browser sends them, for a session. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A page to open: its name on the server and one credential per editor (none for the floor). */
export interface DocumentAssignment {
  readonly name: string;
  readonly credentials: readonly EditorCredential[] | undefined;
}

/** Run → editors: open these documents, each with `editors` providers, and make them ready to type. */
export interface ConnectCommand {
  readonly type: 'connect';
  /** `ws://127.0.0.1:P/collab` (Bureau) or `ws://127.0.0.1:P` (floor). */
  readonly url: string;
  readonly documents: readonly DocumentAssignment[];
  readonly editors: number;
  /** Also move each editor's cursor in its awareness state on every keystroke, as a browser editor does. */
  readonly isMovingCursors: boolean;
}

/**
 * Run → editors: type from `startAt` (epoch ms) until `windowEnd`, each document from a random moment of the
 * first `spreadMs`, each editor with its own random phase; updates sent in [`windowStart`, `windowEnd`) are
 * measured; then wait at most `drainMs` for their deliveries.
 */
export interface TypeCommand {
  readonly type: 'type';
  readonly startAt: number;
  readonly spreadMs: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly intervalMs: number;
  readonly drainMs: number;
}

export interface CloseCommand {
  readonly type: 'close';
}

export type EditorsCommand = ConnectCommand | TypeCommand | CloseCommand;

/** Editors → run: every document's editors are connected and synced (or the documents that failed). */
export interface ConnectedMessage {
  readonly type: 'connected';
  readonly editors: number;
  readonly failedDocuments: readonly string[];
  readonly seconds: number;
}

/** Editors → run: what was measured, once the drain is over. */
export interface EditorsReport {
  readonly type: 'report';
  /** Propagation latency (ms) of every delivery of an update sent in the window (one update reaching one other editor). */
  readonly latencies: Float64Array;
  /** Sender's acknowledgement latency (ms) of every update sent in the window (stored, then acknowledged). */
  readonly ackLatencies: Float64Array;
  readonly editors: number;
  readonly sentInWindow: number;
  readonly expectedDeliveries: number;
  /** Expected deliveries of updates sent in the window that never came before the end of the drain. */
  readonly missing: number;
  /** Every delivery received during the window, whatever the update's send time. */
  readonly deliveriesInWindow: number;
  readonly cpuMilliseconds: number;
  readonly windowSeconds: number;
  readonly rssMb: number;
  /** The event loop's delay in this process during the window (is the load generator keeping up?). */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  readonly disconnections: number;
}

export interface FailureMessage {
  readonly type: 'failure';
  readonly message: string;
}

export type EditorsMessage = ConnectedMessage | EditorsReport | FailureMessage;
