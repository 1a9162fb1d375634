import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBureauProcess } from '../apps/server/src/testing/bureau-process.ts';

export interface RunningBureau {
  /** Its data directory (SQLite database, outbox), for `bureau` commands run beside it. */
  dataDir: string;
  /** Where it listens, e.g. http://127.0.0.1:41234 (from its "listening" log line). */
  address: string;
  /** Everything it wrote so far, stdout and stderr. */
  output: () => string;
  /** Stops it with SIGTERM, waits for its exit, removes its data directory; resolves with its exit code. */
  stop: () => Promise<number | null>;
  /** Resolves with its exit code once it has exited (on its own, or after `stop`). */
  exited: Promise<number | null>;
}

/** Starts `bureau start` on an empty temporary data directory (SQLite) and a free port. */
export async function startBureau(extraEnv: Record<string, string> = {}): Promise<RunningBureau> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bureau-e2e-'));
  const { PATH, HOME } = process.env;
  try {
    const bureau = await startBureauProcess({
      cwd: dataDir,
      env: { PATH, HOME, BUREAU_DATA_DIR: dataDir, BUREAU_PORT: '0', BUREAU_LOG_LEVEL: 'info', ...extraEnv },
    });
    return {
      dataDir,
      address: bureau.address,
      output: () => bureau.output(),
      exited: bureau.exited,
      stop: async () => {
        const code = await bureau.stop();
        await rm(dataDir, { recursive: true, force: true });
        return code;
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
