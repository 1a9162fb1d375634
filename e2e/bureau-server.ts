import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../bin/bureau.js');

export interface RunningBureau {
  /** Where it listens, e.g. http://127.0.0.1:41234 (from its "listening" log line). */
  address: string;
  /** Everything it wrote so far, stdout and stderr. */
  output: () => string;
  /** Stops it with SIGTERM, waits for its exit, removes its data directory; resolves with its exit code. */
  stop: () => Promise<number | null>;
}

/**
 * Starts `bureau start` as the operator would, on an empty temporary data directory (SQLite) and a free
 * port, and resolves once its JSON log says where it listens.
 */
export async function startBureau(extraEnv: Record<string, string> = {}): Promise<RunningBureau> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bureau-e2e-'));
  const { PATH, HOME } = process.env;
  const child = spawn(process.execPath, [bin, 'start'], {
    cwd: dataDir,
    env: { PATH, HOME, BUREAU_DATA_DIR: dataDir, BUREAU_PORT: '0', BUREAU_LOG_LEVEL: 'info', ...extraEnv },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => {
      if (signal) output += `\n[bureau was stopped by ${signal}]\n`;
      resolve(code);
    }),
  );
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await exited;
    await rm(dataDir, { recursive: true, force: true });
    return code;
  };
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Bureau did not start in 15 s:\n${output}`)), 15_000);
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on('error', reject);
      void exited.then((code) => reject(new Error(`Bureau exited with ${String(code)} while starting:\n${output}`)));
    });
    return { address, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
