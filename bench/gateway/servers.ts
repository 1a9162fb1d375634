/**
 * The two servers of the gateway benchmark, each in a child process: the fake OpenAI-compatible upstream
 * (upstream.ts) and Bureau (`bureau start`) with a providers file naming that upstream, seeded before it
 * starts (seed.ts), then prepared over HTTP as an operator and a program would: sign-in, an API key of scope
 * `ai`, quotas on the key and on its organisation.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort, processRssMb, spawnChild, startChildServer, type ChildServer } from '../chat/measure.ts';

const bin = resolve(import.meta.dirname, '../../bin/bureau.js');
const upstreamScript = resolve(import.meta.dirname, 'upstream.ts');
const seedScript = resolve(import.meta.dirname, 'seed.ts');
const email = 'agent@bench.gouv.fr';
const password = 'Banc-essai-passerelle-2026';

/** The model aliases Bureau serves, and the fake upstream's own names for them. */
export const models = {
  chat: { alias: 'bench-chat', upstream: 'fake-chat' },
  embeddings: { alias: 'bench-embeddings', upstream: 'fake-embeddings' },
} as const;

export interface Upstream extends ChildServer {
  /** `http://127.0.0.1:<port>/v1`. */
  readonly baseUrl: string;
}

/** Starts upstream.ts and waits for the base URL it prints once it listens. */
export async function startUpstream(embeddingDimensions: number): Promise<Upstream> {
  const server = spawnChild([upstreamScript, '--embedding-dimensions', String(embeddingDimensions)], {
    stdout: 'pipe',
  });
  const { child, closed, stop } = server;
  const baseUrl = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error('the upstream printed no address in 30 s')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((candidate) => candidate.startsWith('http'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolveUrl(line.trim());
      }
    });
    void closed.then(() => {
      clearTimeout(timer);
      reject(new Error('the upstream exited while starting'));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { child, pid: server.pid, hasExited: server.hasExited, stop, baseUrl };
}

export interface Bureau extends ChildServer {
  /** `http://127.0.0.1:<port>`. */
  readonly address: string;
  /** The API key's secret (scope `ai`). */
  readonly apiKey: string;
  /** Resident memory once started and prepared, before any request to the gateway. */
  readonly idleRssMb: number;
  /** How many usage records Bureau holds for the key (`GET /v1/usage`, which writes pending ones first). */
  usageRequests(): Promise<number>;
}

export interface BureauOptions {
  readonly upstreamBaseUrl: string;
  /** The server's environment without its address (data directory or DATABASE_URL, log level...). */
  readonly env: NodeJS.ProcessEnv;
  /** Where the providers file is written. */
  readonly workDir: string;
  /** The provider's `maxConcurrency`: above the benchmark's, so that Bureau never refuses for capacity. */
  readonly maxConcurrency: number;
}

function runToEnd(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolveRun(output) : reject(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });
}

async function expectJson(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function startBureau(options: BureauOptions): Promise<Bureau> {
  const providersFile = join(options.workDir, 'providers.yaml');
  await writeFile(
    providersFile,
    [
      'providers:',
      '  - id: bench-upstream',
      `    baseUrl: ${options.upstreamBaseUrl}`,
      '    hosting: on-premises',
      '    clearance: sensitive',
      `    maxConcurrency: ${options.maxConcurrency}`,
      '    models:',
      `      - { name: ${models.chat.alias}, upstream: ${models.chat.upstream}, type: chat }`,
      `      - { name: ${models.embeddings.alias}, upstream: ${models.embeddings.upstream}, type: embeddings }`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    BUREAU_HOST: '127.0.0.1',
    BUREAU_PORT: String(port),
    BUREAU_PUBLIC_URL: address,
    BUREAU_AI_PROVIDERS_FILE: providersFile,
  };
  const seeded = JSON.parse(
    (await runToEnd([seedScript, '--email', email, '--password', password], env)).trim().split('\n').at(-1) ?? '{}',
  ) as { organisationId?: string };
  if (!seeded.organisationId) throw new Error('the seed printed no organisation');

  const server = await startChildServer([bin, 'start'], `${address}/readyz`, env);
  try {
    const login = await fetch(`${address}/api/auth/login`, {
      method: 'POST',
      headers: { origin: address, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    await expectJson(login, 'sign-in');
    const session = login.headers
      .getSetCookie()
      .map((cookie) => cookie.split(';')[0] ?? '')
      .find((cookie) => cookie.startsWith('bureau_session='));
    if (!session) throw new Error('sign-in: no session cookie');
    const browser = { cookie: session, origin: address, 'content-type': 'application/json' };

    const created = await expectJson(
      await fetch(`${address}/api/me/api-keys`, {
        method: 'POST',
        headers: browser,
        body: JSON.stringify({ name: 'bench/gateway', scopes: ['ai'] }),
      }),
      'API key',
    );
    const apiKey = String(created['secret']);
    const apiKeyId = String((created['apiKey'] as { id?: unknown } | undefined)?.id);

    // Generous limits on the key and on its organisation: never reached, but checked and counted on every request.
    for (const [scopeType, scopeId] of [
      ['api-key', apiKeyId],
      ['organisation', seeded.organisationId],
    ] as const) {
      await expectJson(
        await fetch(`${address}/api/admin/assistant/quotas`, {
          method: 'PUT',
          headers: browser,
          body: JSON.stringify({
            scopeType,
            scopeId,
            model: '*',
            requestsPerMinute: 1_000_000,
            tokensPerMinute: 1_000_000_000,
            tokensPerDay: 1_000_000_000_000,
          }),
        }),
        `quota of the ${scopeType}`,
      );
    }

    return {
      ...server,
      address,
      apiKey,
      idleRssMb: processRssMb(server.pid),
      async usageRequests() {
        const usage = await expectJson(
          await fetch(`${address}/v1/usage?limit=1`, { headers: { authorization: `Bearer ${apiKey}` } }),
          'usage',
        );
        return Number((usage['totals'] as { requests?: unknown } | undefined)?.requests);
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
