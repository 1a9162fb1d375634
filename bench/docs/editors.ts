/**
 * Editors of the documents benchmark, in a process of their own (forked by run.ts, driven over IPC, see
 * protocol.ts). Each editor is what a browser tab is: its own `Y.Doc`, its own WebSocket
 * (`HocuspocusProviderWebsocket`) and its own `HocuspocusProvider`. All the editors of a document live in
 * the same process, so that this process knows every update sent to the document and which of them each
 * editor received.
 *
 * The document has BlockNote's shape (blockGroup > blockContainer > paragraph > text) with one paragraph per
 * editor; an editor types one character at a time into its own paragraph and, in the same transaction,
 * writes `{ seq, sentAt }` under its Yjs client id in the shared map `bench`. When another editor sees that
 * entry change, the update has reached it: latency = now − sentAt (both read in this process). A later entry
 * implies the earlier ones (an editor's updates are causally ordered), so an entry that overwrote another
 * before it was observed still counts the overwritten ones, at their own send times.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { docsFragmentName } from '@bureau/contracts';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type {
  ConnectCommand,
  DocumentAssignment,
  EditorCredential,
  EditorsCommand,
  EditorsMessage,
  EditorsReport,
  TypeCommand,
} from './protocol.ts';

const stampsName = 'bench';
const setupTimeoutMs = 60_000;
/** Documents being opened at once by this process (each opens its editors one after another, then together). */
const documentsInParallel = 8;
const alphabet = 'Le Conseil d’État délibère et rend ses avis en toute indépendance. ';

interface Stamp {
  readonly seq: number;
  readonly sentAt: number;
}

interface Sent {
  readonly sentAt: number;
  readonly isMeasured: boolean;
  remaining: number;
}

interface Editor {
  readonly index: number;
  readonly document: Y.Doc;
  readonly socket: HocuspocusProviderWebsocket;
  readonly provider: HocuspocusProvider;
  readonly stamps: Y.Map<Stamp>;
  text: Y.XmlText | undefined;
  seq: number;
  /** Updates this editor sent that some editor of the document has not received yet, by seq. */
  readonly sent: Map<number, Sent>;
  /** Per sender (Yjs client id), the last seq this editor received. */
  readonly lastSeen: Map<number, number>;
  /** Send times of the updates waiting for the server's acknowledgement, oldest first. */
  readonly waitingAcks: Array<{ sentAt: number; isMeasured: boolean }>;
  unsynced: number;
  timer: NodeJS.Timeout | undefined;
}

interface OpenDocument {
  readonly name: string;
  readonly editors: Editor[];
  /** Editor by Yjs client id. */
  readonly byClientId: Map<number, Editor>;
}

const now = () => performance.timeOrigin + performance.now();
const documents: OpenDocument[] = [];
let measuredWindow: { start: number; end: number } | undefined;
const measures = {
  latencies: [] as number[],
  ackLatencies: [] as number[],
  sentInWindow: 0,
  expectedDeliveries: 0,
  deliveriesInWindow: 0,
  disconnections: 0,
};

function send(message: EditorsMessage): void {
  process.send?.(message);
}

function isInWindow(at: number): boolean {
  return measuredWindow !== undefined && at >= measuredWindow.start && at < measuredWindow.end;
}

/** `receiver` saw `sender`'s entry change to `stamp`: every update of `sender` up to `stamp.seq` reached it. */
function received(receiver: Editor, sender: Editor, stamp: Stamp): void {
  const at = now();
  const clientId = sender.document.clientID;
  const last = receiver.lastSeen.get(clientId) ?? 0;
  if (stamp.seq <= last) return;
  receiver.lastSeen.set(clientId, stamp.seq);
  for (let seq = last + 1; seq <= stamp.seq; seq += 1) {
    const sent = sender.sent.get(seq);
    if (!sent) continue;
    if (isInWindow(at)) measures.deliveriesInWindow += 1;
    if (sent.isMeasured) measures.latencies.push(at - (seq === stamp.seq ? stamp.sentAt : sent.sentAt));
    sent.remaining -= 1;
    if (sent.remaining <= 0) sender.sent.delete(seq);
  }
}

function waitFor(condition: () => boolean, what: string, timeoutMs = setupTimeoutMs): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const started = Date.now();
    const check = () => {
      if (condition()) return resolveWait();
      if (Date.now() - started > timeoutMs) return reject(new Error(`${what}: not done in ${timeoutMs / 1000} s`));
      setTimeout(check, 10);
    };
    check();
  });
}

function openEditor(
  url: string,
  name: string,
  index: number,
  credential: EditorCredential | undefined,
  isMovingCursors: boolean,
) {
  const headers = credential?.headers ?? {};
  class BrowserLikeWebSocket extends WebSocket {
    constructor(address: string) {
      super(address, { headers });
    }
  }
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: BrowserLikeWebSocket });
  const document = new Y.Doc();
  let isAuthenticationRefused = false;
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name,
    document,
    token: credential?.token ?? 'floor',
    onAuthenticationFailed: () => (isAuthenticationRefused = true),
    onDisconnect: () => {
      measures.disconnections += 1;
    },
  });
  provider.attach();
  const editor: Editor = {
    index,
    document,
    socket,
    provider,
    stamps: document.getMap<Stamp>(stampsName),
    text: undefined,
    seq: 0,
    sent: new Map(),
    lastSeen: new Map(),
    waitingAcks: [],
    unsynced: 0,
    timer: undefined,
  };
  provider.on('unsyncedChanges', ({ number }: { number: number }) => {
    // One acknowledgement per update, in order (Hocuspocus answers each update once it is handled).
    for (let count = number; count < editor.unsynced; count += 1) {
      const waiting = editor.waitingAcks.shift();
      if (waiting?.isMeasured) measures.ackLatencies.push(now() - waiting.sentAt);
    }
    editor.unsynced = number;
  });
  if (isMovingCursors) provider.setAwarenessField('user', { name: `Rédacteur ${index}`, color: '#000091' });
  const isSynced = () => {
    if (isAuthenticationRefused) throw new Error(`${name}: authentication refused for editor ${index}`);
    return provider.isSynced;
  };
  return { editor, isSynced };
}

/** The paragraph of each editor, created by the first editor when the document does not have them yet. */
function ensureParagraphs(document: Y.Doc, editors: number): void {
  const fragment = document.getXmlFragment(docsFragmentName);
  document.transact(() => {
    let group = fragment.get(0);
    if (!(group instanceof Y.XmlElement) || group.nodeName !== 'blockGroup') {
      group = new Y.XmlElement('blockGroup');
      fragment.insert(0, [group]);
    }
    const blockGroup = group;
    for (let index = blockGroup.length; index < editors; index += 1) {
      const container = new Y.XmlElement('blockContainer');
      container.setAttribute('id', `bench-${index}`);
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText('')]);
      container.insert(0, [paragraph]);
      blockGroup.insert(blockGroup.length, [container]);
    }
  });
}

function paragraphText(document: Y.Doc, index: number): Y.XmlText {
  const group = document.getXmlFragment(docsFragmentName).get(0);
  const container = group instanceof Y.XmlElement ? group.get(index) : undefined;
  const paragraph = container instanceof Y.XmlElement ? container.get(0) : undefined;
  const text = paragraph instanceof Y.XmlElement ? paragraph.get(0) : undefined;
  if (!(text instanceof Y.XmlText)) throw new Error(`no paragraph for editor ${index}`);
  return text;
}

async function openDocument(command: ConnectCommand, assignment: DocumentAssignment): Promise<OpenDocument> {
  const opened: OpenDocument = { name: assignment.name, editors: [], byClientId: new Map() };
  const open = (index: number) => {
    const { editor, isSynced } = openEditor(
      command.url,
      assignment.name,
      index,
      assignment.credentials?.[index],
      command.isMovingCursors,
    );
    opened.editors.push(editor);
    opened.byClientId.set(editor.document.clientID, editor);
    return { editor, isSynced };
  };
  try {
    // The first editor lays the paragraphs out and has them stored before the others open the document.
    const first = open(0);
    await waitFor(first.isSynced, `${assignment.name}: first editor synced`);
    ensureParagraphs(first.editor.document, command.editors);
    await waitFor(() => !first.editor.provider.hasUnsyncedChanges, `${assignment.name}: paragraphs acknowledged`);
    const others = Array.from({ length: command.editors - 1 }, (_, index) => open(index + 1));
    for (const other of others) await waitFor(other.isSynced, `${assignment.name}: editor synced`);
    for (const editor of opened.editors) {
      editor.text = paragraphText(editor.document, editor.index);
      editor.stamps.observe((event, transaction) => {
        if (transaction.local) return;
        for (const key of event.keysChanged as Set<string>) {
          const sender = opened.byClientId.get(Number(key));
          const stamp = editor.stamps.get(key);
          if (sender && sender !== editor && stamp) received(editor, sender, stamp);
        }
      });
    }
    return opened;
  } catch (error) {
    closeDocument(opened);
    throw error;
  }
}

function closeDocument(opened: OpenDocument): void {
  for (const editor of opened.editors) {
    clearInterval(editor.timer);
    editor.provider.destroy();
    editor.socket.destroy();
    editor.document.destroy();
  }
}

async function connect(command: ConnectCommand): Promise<void> {
  const started = performance.now();
  const failedDocuments: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < command.documents.length) {
      const assignment = command.documents[next];
      next += 1;
      if (!assignment) continue;
      try {
        documents.push(await openDocument(command, assignment));
      } catch (error) {
        failedDocuments.push(assignment.name);
        process.stderr.write(`editors: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: documentsInParallel }, worker));
  send({
    type: 'connected',
    editors: documents.reduce((sum, opened) => sum + opened.editors.length, 0),
    failedDocuments,
    seconds: (performance.now() - started) / 1000,
  });
}

function keystroke(opened: OpenDocument, editor: Editor, command: TypeCommand, isMovingCursors: boolean): void {
  const sentAt = now();
  if (sentAt >= command.windowEnd) {
    clearInterval(editor.timer);
    return;
  }
  const text = editor.text;
  if (!text) return;
  const isMeasured = isInWindow(sentAt);
  editor.seq += 1;
  const seq = editor.seq;
  const others = opened.editors.length - 1;
  editor.sent.set(seq, { sentAt, isMeasured, remaining: others });
  editor.waitingAcks.push({ sentAt, isMeasured });
  if (isMeasured) {
    measures.sentInWindow += 1;
    measures.expectedDeliveries += others;
  }
  const position = text.length;
  editor.document.transact(() => {
    text.insert(position, alphabet[seq % alphabet.length] ?? ' ');
    editor.stamps.set(String(editor.document.clientID), { seq, sentAt });
  });
  if (isMovingCursors) editor.provider.setAwarenessField('cursor', { anchor: position + 1, head: position + 1 });
}

async function type(command: TypeCommand, isMovingCursors: boolean): Promise<void> {
  measuredWindow = { start: command.windowStart, end: command.windowEnd };
  for (const opened of documents) {
    // Editing sessions of different pages do not start together (nor, then, does Bureau's periodic storage of each).
    const documentStart = command.startAt + Math.random() * command.spreadMs;
    for (const editor of opened.editors) {
      const phase = Math.random() * command.intervalMs;
      setTimeout(
        () => {
          keystroke(opened, editor, command, isMovingCursors);
          editor.timer = setInterval(() => keystroke(opened, editor, command, isMovingCursors), command.intervalMs);
        },
        Math.max(0, documentStart - now() + phase),
      );
    }
  }
  // Sampled every millisecond, as the servers' tracer does (an idle loop reads about 1 ms).
  const delay = monitorEventLoopDelay({ resolution: 1 });
  await sleepUntil(command.windowStart);
  const cpuAtStart = process.cpuUsage();
  delay.enable();
  await sleepUntil(command.windowEnd);
  const cpu = process.cpuUsage(cpuAtStart);
  delay.disable();
  const windowSeconds = (now() - command.windowStart) / 1000;

  // Late deliveries of the measured updates, up to the drain limit; those still missing are reported.
  const measuredPending = () => {
    let remaining = 0;
    for (const opened of documents) {
      for (const editor of opened.editors) {
        for (const sent of editor.sent.values()) if (sent.isMeasured) remaining += sent.remaining;
      }
    }
    return remaining;
  };
  const drainDeadline = now() + command.drainMs;
  while (measuredPending() > 0 && now() < drainDeadline) await sleepUntil(now() + 20);
  const report: EditorsReport = {
    type: 'report',
    latencies: Float64Array.from(measures.latencies),
    ackLatencies: Float64Array.from(measures.ackLatencies),
    editors: documents.reduce((sum, opened) => sum + opened.editors.length, 0),
    sentInWindow: measures.sentInWindow,
    expectedDeliveries: measures.expectedDeliveries,
    missing: measuredPending(),
    deliveriesInWindow: measures.deliveriesInWindow,
    cpuMilliseconds: (cpu.user + cpu.system) / 1000,
    windowSeconds,
    rssMb: process.memoryUsage().rss / 1024 / 1024,
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    eventLoopDelayMaxMs: delay.max / 1e6,
    disconnections: measures.disconnections,
  };
  send(report);
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, Math.max(0, at - now())));
}

let isMovingCursors = false;

function fail(error: unknown): void {
  send({ type: 'failure', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}

process.on('message', (command: EditorsCommand) => {
  if (command.type === 'connect') {
    isMovingCursors = command.isMovingCursors;
    connect(command).catch(fail);
  } else if (command.type === 'type') {
    type(command, isMovingCursors).catch(fail);
  } else {
    for (const opened of documents) closeDocument(opened);
    // Let the sockets' close frames go out.
    setTimeout(() => process.exit(0), 200);
  }
});
// The benchmark went away (it failed or was interrupted): nothing left to do here.
process.on('disconnect', () => process.exit(0));
