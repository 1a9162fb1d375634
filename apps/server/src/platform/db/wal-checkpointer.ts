import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** When and how often checkpoints run; the defaults suit the server, tests shorten them. */
export interface WalCheckpointSettings {
  /** The log size from which checkpoints move to the worker (SQLite's own default threshold is ~4 MB). */
  readonly startAtBytes?: number;
  /** How often the worker checkpoints once started. */
  readonly intervalMs?: number;
  /**
   * The log's length (frames) past which the server's connection checkpoints once by itself: writes that
   * never pause keep the worker's checkpoints from catching up with the log's end, and the log only starts
   * over when a write begins with everything copied (the worker has already copied nearly all of it).
   */
  readonly restartAtFrames?: number;
  /** How often the log's size is looked at before that. */
  readonly watchIntervalMs?: number;
}

export interface WalCheckpointer {
  /** What the worker did so far (for tests and diagnostics). */
  stats(this: void): {
    readonly started: boolean;
    readonly checkpoints: number;
    readonly lastFrames: number;
    readonly failed: string | null;
  };
  /** Stops the worker and closes its connection (before the server's own, whose close then checkpoints and removes the log). */
  close(): Promise<void>;
}

/**
 * SQLite checkpoints its write-ahead log inside the commit that crosses ~1,000 pages: on the server's one
 * connection, that commit then copies every page to the database file and waits for two fsyncs, with the
 * event loop blocked (measured with bench/chat/append-pages.ts: +0.35 ms of wall time per message, in
 * stalls of several milliseconds). Here the server's connection never checkpoints; a worker thread with
 * its own connection does it in the background (PASSIVE: it never blocks the server's writes), on the
 * machine's other core. The worker starts once the log first grows past `startAtBytes`, so short-lived
 * databases (tests, commands) never start one. If the worker fails, the connection checkpoints by itself
 * again, as SQLite does by default.
 */
export function startWalCheckpointer(
  connection: SqliteDatabase.Database,
  path: string,
  settings: WalCheckpointSettings = {},
  /** Runs `pragma wal_checkpoint(PASSIVE)` on the server's connection, between its transactions. */
  checkpointHere: () => Promise<void>,
): WalCheckpointer {
  const restartAtFrames = settings.restartAtFrames ?? 4_000;
  let catchingUp = false;
  const startAtBytes = settings.startAtBytes ?? 4 * 1024 * 1024;
  const intervalMs = settings.intervalMs ?? 500;
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let closing = false;
  let checkpoints = 0;
  let lastFrames = 0;
  let failed: string | null = null;

  connection.pragma('wal_autocheckpoint = 0');
  // Once the log starts over, its file is cut back to this size (it would otherwise keep its largest size).
  connection.pragma(`journal_size_limit = ${32 * 1024 * 1024}`);
  const fallBack = (reason: string) => {
    if (failed !== null) return;
    failed = reason;
    if (connection.open) connection.pragma('wal_autocheckpoint = 1000');
  };

  const start = () => {
    worker = new Worker(new URL('./wal-checkpoint-worker.ts', import.meta.url), {
      workerData: { path, intervalMs },
    });
    worker.unref();
    worker.on('message', (message: { type: string; frames?: number; message?: string }) => {
      if (message.type === 'checkpointed') {
        checkpoints += 1;
        lastFrames = message.frames ?? 0;
        if (lastFrames > restartAtFrames && !catchingUp && !closing) {
          catchingUp = true;
          checkpointHere()
            .catch(() => undefined)
            .finally(() => {
              catchingUp = false;
            });
        }
      } else if (message.type === 'failed') {
        fallBack(message.message ?? 'checkpoint failed');
      }
    });
    worker.on('error', (error: Error) => fallBack(error.message));
    exited = new Promise((resolve) =>
      worker?.once('exit', () => {
        if (!closing) fallBack('the checkpoint worker stopped');
        resolve();
      }),
    );
  };

  let watching = false;
  const watch = setInterval(() => {
    if (watching || worker) return;
    watching = true;
    stat(`${path}-wal`)
      .then((info) => {
        if (!closing && !worker && info.size >= startAtBytes) {
          clearInterval(watch);
          start();
        }
      })
      .catch(() => undefined)
      .finally(() => {
        watching = false;
      });
  }, settings.watchIntervalMs ?? 1_000);
  watch.unref();

  return {
    stats: () => ({ started: worker !== undefined, checkpoints, lastFrames, failed }),
    async close() {
      closing = true;
      clearInterval(watch);
      if (!worker || !exited) return;
      worker.postMessage('close');
      const timeout = setTimeout(() => void worker?.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
