import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository's root, four levels above this file (apps/server/src/platform). */
const repositoryRoot = path.resolve(import.meta.dirname, '../../../..');

/** Absolute path of the web app's production build (`apps/web/dist`), served by the HTTP server. */
export function webDistDirectory(): string {
  return path.join(repositoryRoot, 'apps', 'web', 'dist');
}

/** Whether the web app has been built: its `index.html` exists. */
export function isWebAppBuilt(): boolean {
  return existsSync(path.join(webDistDirectory(), 'index.html'));
}

/**
 * Builds the web app once (`npm run build -w apps/web` from the repository root) when it has not been
 * built yet; does nothing otherwise. The build's output goes to stderr so that stdout keeps only the
 * server's logs. Rejects when the build fails or leaves no `index.html`.
 */
export async function ensureWebAppBuilt(options: { log: (message: string) => void }): Promise<void> {
  if (isWebAppBuilt()) return;
  options.log(`Building the web app into ${webDistDirectory()} (npm run build -w apps/web)...`);
  await runNpm(['run', 'build', '-w', 'apps/web']);
  if (!isWebAppBuilt()) {
    throw new Error(`The web app build finished but ${path.join(webDistDirectory(), 'index.html')} is missing.`);
  }
  options.log('Web app built.');
}

function runNpm(args: readonly string[]): Promise<void> {
  const command = `npm ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
      cwd: repositoryRoot,
      // The build's output (stdout and stderr) goes to our stderr.
      stdio: ['ignore', process.stderr, process.stderr],
      // npm's launcher runs `node` from PATH: put the Node.js running the server first so the build
      // uses it too, not an older `node` of the machine.
      env: {
        ...process.env,
        // An inherited NODE_ENV (`test` under vitest, `development` on a workstation) would make Vite
        // bundle React's development build.
        NODE_ENV: 'production',
        PATH: [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter),
      },
      shell: process.platform === 'win32',
    });
    child.once('error', (error) => {
      reject(new Error(`Could not run "${command}" to build the web app: ${error.message}`, { cause: error }));
    });
    child.once('exit', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const how = signal ? `was stopped by ${signal}` : `exited with code ${String(code)}`;
      reject(new Error(`Building the web app failed: "${command}" ${how} (run it in ${repositoryRoot} to see why).`));
    });
  });
}
