// Runs SQLite's write-ahead-log checkpoints on a connection of its own, in a worker thread (see
// wal-checkpointer.ts). Loaded by Node.js directly (type stripping), so it imports nothing of Bureau's.
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';

interface CheckpointerData {
  readonly path: string;
  readonly intervalMs: number;
}

const { path, intervalMs } = workerData as CheckpointerData;
const connection = new SqliteDatabase(path);

function checkpoint(): void {
  try {
    // PASSIVE: copies what no reader still needs, never waits for nor blocks the server's connection.
    const [result] = connection.pragma('wal_checkpoint(PASSIVE)') as Array<{
      busy: number;
      log: number;
      checkpointed: number;
    }>;
    parentPort?.postMessage({ type: 'checkpointed', frames: result?.log ?? 0, copied: result?.checkpointed ?? 0 });
  } catch (error) {
    parentPort?.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

const timer = setInterval(checkpoint, intervalMs);
checkpoint();
parentPort?.on('message', (message: unknown) => {
  if (message !== 'close') return;
  clearInterval(timer);
  connection.close();
  parentPort?.close();
});
