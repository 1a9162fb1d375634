import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../../../../bin/bureau.js');

export interface BureauProcess {
  /** Where it listens, e.g. http://127.0.0.1:41234 (from its "Bureau is listening" log line). */
  readonly address: string;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  /** Resolves with its exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** Sends `signal` (SIGTERM by default) unless it has exited, and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `bureau start` as an operator would, with exactly `env` (which must set BUREAU_LOG_LEVEL to info
 * or lower, and BUREAU_PORT to 0 for a free port), and resolves once its JSON log says where it listens.
 */
export async function startBureauProcess(options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<BureauProcess> {
  const child = spawn(process.execPath, [bin, 'start'], { cwd: options.cwd, env: options.env });
  let output = '';
  const exited = new Promise<number | null>((resolveExit) =>
    child.on('close', (code, signal) => {
      if (signal) output += `\n[bureau was stopped by ${signal}]\n`;
      resolveExit(code);
    }),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  try {
    const address = await new Promise<string>((resolveAddress, reject) => {
      // A hang guard: on a busy CI machine, loading the sources and seeding the demo took over 15 s.
      const timer = setTimeout(() => reject(new Error(`Bureau did not start in 60 s:\n${output}`)), 60_000);
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolveAddress(match[1]);
        }
      });
      child.on('error', reject);
      void exited.then((code) => reject(new Error(`Bureau exited with ${String(code)} while starting:\n${output}`)));
    });
    return { address, output: () => output, exited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
