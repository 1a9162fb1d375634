import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { startBureauProcess } from './testing/bureau-process.ts';
import { createTestEnvironment, type TestEnvironment } from './testing/test-database.ts';

const bin = resolve(import.meta.dirname, '../../../bin/bureau.js');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bureauEnv(environment: TestEnvironment, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { PATH, HOME } = process.env;
  return {
    PATH,
    HOME,
    BUREAU_DATA_DIR: environment.dataDir,
    BUREAU_PORT: '0',
    BUREAU_LOG_LEVEL: 'info',
    ...(environment.settings.kind === 'postgres' ? { DATABASE_URL: environment.settings.url } : {}),
    ...extra,
  };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: env.BUREAU_DATA_DIR });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('bureau command', () => {
  let environment: TestEnvironment;

  beforeEach(async () => {
    environment = await createTestEnvironment();
  });
  afterEach(() => environment.destroy());

  it('refuses to start with a bad setting, naming it', async () => {
    const result = await run(['start'], bureauEnv(environment, { BUREAU_PORT: 'abc', BUREAU_PUBLIC_URL: 'nope' }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('BUREAU_PORT: must be a whole number (got "abc")');
    expect(result.stderr).toContain('BUREAU_PUBLIC_URL');
  });

  it('starts on an empty data directory, answers, stops gracefully on SIGTERM, and starts again', async () => {
    const env = bureauEnv(environment);
    const first = await startBureauProcess({ env, cwd: environment.dataDir });
    expect((await fetch(`${first.address}/healthz`)).status).toBe(200);
    expect((await fetch(`${first.address}/readyz`)).status).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toContain('shutdown complete');

    const startedAt = Date.now();
    const second = await startBureauProcess({ env, cwd: environment.dataDir });
    expect((await fetch(`${second.address}/healthz`)).status).toBe(200);
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const instance = (await (await fetch(`${second.address}/api/instance`)).json()) as { name: string };
    expect(instance.name).toBe('Administration de démonstration');
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('migrates on demand, then says the database is up to date', async () => {
    const env = bureauEnv(environment);
    const first = await run(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\)/);
    expect(first.stdout).toContain('_platform_settings');
    const second = await run(['migrate'], env);
    expect(second.stdout).toContain('The database is up to date.');
  });

  it('checks the configuration, the database and the disk', async () => {
    const result = await run(['doctor'], bureauEnv(environment));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok {4}(SQLite|PostgreSQL) \d+/);
    expect(result.stdout).toContain('data directory');
    expect(result.stdout).toContain('Bureau is ready to start.');
  });

  it('reports a bad setting in doctor without starting', async () => {
    const result = await run(['doctor'], bureauEnv(environment, { BUREAU_LOG_LEVEL: 'chatty' }));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL  BUREAU_LOG_LEVEL');
  });

  it('lists background jobs and the mail outbox for the operator', async () => {
    const app = await buildApp(environment.config);
    try {
      await app.migrate();
      await app.platform.mail.send({
        to: ['agent@example.gouv.fr'],
        subject: 'Réinitialisation du mot de passe',
        text: 'Suivez ce lien : http://localhost:8080/reset/abc',
      });
      await app.platform.jobs.runDue();
    } finally {
      await app.close();
    }
    const jobs = await run(['jobs'], bureauEnv(environment));
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toContain('succeeded: 1');
    expect(jobs.stdout).toMatch(/succeeded\s+platform\.mail\.send {2}attempts 1\//);
    const outbox = await run(['outbox'], bureauEnv(environment));
    expect(outbox.code).toBe(0);
    expect(outbox.stdout).toContain('to agent@example.gouv.fr  "Réinitialisation du mot de passe"');
    expect(outbox.stdout).toContain('http://localhost:8080/reset/abc');
    const wrong = await run(['jobs', '--status', 'lost'], bureauEnv(environment));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--status must be one of');
  });

  it('creates, lists and deactivates accounts for the operator', async () => {
    const env = bureauEnv(environment);
    const created = await run(
      ['user', 'create', '--email', 'Root@Instance.gouv.fr', '--password', 'A-long-admin-password-1', '--admin'],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created agent root@instance.gouv.fr');
    const partner = await run(['user', 'create', '--email', 'lea@partenaire.fr', '--external'], env);
    expect(partner.code).toBe(0);
    const weak = await run(['user', 'create', '--email', 'x@partenaire.fr', '--external', '--password', 'short'], env);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('Password too weak: at least 12 characters.');

    const listed = await run(['user', 'list'], env);
    expect(listed.stdout).toMatch(/root@instance\.gouv\.fr .*agent, active, admin/);
    expect(listed.stdout).toMatch(/lea@partenaire\.fr .*external, active/);

    const deactivated = await run(['user', 'deactivate', 'lea@partenaire.fr'], env);
    expect(deactivated.code).toBe(0);
    expect((await run(['user', 'list', '--search', 'lea'], env)).stdout).toMatch(/external, deactivated/);
    expect((await run(['user', 'deactivate', 'nobody@nowhere.fr'], env)).code).toBe(1);
  });

  it('purges the audit log on an operator’s decision, never its last six months', async () => {
    const env = bureauEnv(environment);
    const recent = await run(['audit', 'purge', '--before', new Date().toISOString().slice(0, 10)], env);
    expect(recent.code).toBe(1);
    expect(recent.stderr).toContain('Audit events are kept at least 180 days');
    const old = await run(['audit', 'purge', '--before', '2020-01-01'], env);
    expect(old.stdout).toContain('Deleted 0 audit event(s) recorded before 2020-01-01T00:00:00.000Z');
    expect(old.code).toBe(0);
    const missing = await run(['audit', 'purge'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('audit purge needs --before');
  });

  it('answers an unknown command with its usage', async () => {
    const result = await run(['launch'], bureauEnv(environment));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "launch"');
  });
});
