import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeSettings, isSecretSetting, parseConfig, readEnvironment, redactUrl } from './config.ts';

describe('parseConfig', () => {
  it('gives the embedded defaults when nothing is set', () => {
    const config = parseConfig({}, '/srv/bureau');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://localhost:8080',
      dataDir: '/srv/bureau/data',
      database: { kind: 'sqlite', path: '/srv/bureau/data/bureau.sqlite' },
      logLevel: 'info',
      mail: { smtpUrl: undefined, from: 'Bureau <bureau@localhost>' },
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://bureau:s3cret@db:5432/bureau' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://bureau:s3cret@db:5432/bureau', poolSize: 10 });
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', BUREAU_PORT: ' ' }).database.kind).toBe('sqlite');
  });

  it('names every bad variable and why, in one error', () => {
    let thrown: unknown;
    try {
      parseConfig({ BUREAU_PORT: 'abc', BUREAU_PUBLIC_URL: 'localhost', BUREAU_LOG_LEVEL: 'loud' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems.map((problem) => problem.variable).sort()).toEqual([
      'BUREAU_LOG_LEVEL',
      'BUREAU_PORT',
      'BUREAU_PUBLIC_URL',
    ]);
    expect((thrown as ConfigError).message).toContain('BUREAU_PORT: must be a whole number (got "abc")');
  });

  it('rejects a port out of range', () => {
    expect(() => parseConfig({ BUREAU_PORT: '70000' })).toThrow(/BUREAU_PORT: must be at most 65535/);
  });

  it('never echoes a secret in its error', () => {
    expect(() => parseConfig({ DATABASE_URL: 'mysql://root:topsecret@db/bureau' })).toThrow(ConfigError);
    try {
      parseConfig({ DATABASE_URL: 'mysql://root:topsecret@db/bureau' });
    } catch (error) {
      expect((error as Error).message).toContain('DATABASE_URL');
      expect((error as Error).message).not.toContain('topsecret');
    }
  });

  it('removes the trailing slash of the public URL', () => {
    expect(parseConfig({ BUREAU_PUBLIC_URL: 'https://bureau.example.gouv.fr/' }).publicUrl).toBe(
      'https://bureau.example.gouv.fr',
    );
  });
});

describe('BUREAU_AI_PROVIDERS_FILE', () => {
  it('reads the providers with their secrets from the environment, and stops at boot on a bad file naming every problem', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bureau-providers-'));
    try {
      const file = join(directory, 'providers.yaml');
      await writeFile(
        file,
        [
          'providers:',
          '  - id: onprem',
          '    baseUrl: http://10.0.0.5:8000/v1',
          '    apiKey: ${VLLM_KEY}',
          '    hosting: on-premises',
          '    clearance: restricted',
          '    models: [{ name: albert-large, upstream: mistral-small, type: chat }]',
        ].join('\n'),
      );
      const config = parseConfig({ BUREAU_AI_PROVIDERS_FILE: file, VLLM_KEY: 'secret-key' });
      expect(config.assistant.providers).toMatchObject([
        { id: 'onprem', apiKey: 'secret-key', clearance: 'restricted', models: [{ name: 'albert-large' }] },
      ]);
      expect(parseConfig({}).assistant.providers).toEqual([]);

      await writeFile(file, 'providers:\n  - id: cloud\n    hosting: public-cloud\n    clearance: sensitive\n');
      const error = (() => {
        try {
          parseConfig({ BUREAU_AI_PROVIDERS_FILE: file });
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems.every((problem) => problem.variable === 'BUREAU_AI_PROVIDERS_FILE')).toBe(true);
      expect(problems.map((problem) => problem.reason).join('\n')).toMatch(/baseUrl[\s\S]*models[\s\S]*public-cloud/);
      expect(() => parseConfig({ BUREAU_AI_PROVIDERS_FILE: join(directory, 'absent.yaml') })).toThrow(/cannot read/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('describeSettings', () => {
  it('documents every setting with its default and marks secrets', () => {
    const rows = describeSettings();
    expect(rows.find((row) => row.name === 'BUREAU_PORT')).toMatchObject({ default: '8080', secret: false });
    expect(rows.find((row) => row.name === 'DATABASE_URL')).toMatchObject({ default: undefined, secret: true });
    expect(rows.every((row) => row.description.length > 10)).toBe(true);
    expect(isSecretSetting('BUREAU_SMTP_URL')).toBe(true);
  });
});

describe('redactUrl', () => {
  it('hides the password of a URL', () => {
    expect(redactUrl('postgres://bureau:s3cret@db:5432/bureau')).toBe('postgres://bureau:***@db:5432/bureau');
  });
});

describe('readEnvironment', () => {
  it('reads an optional .env file, the process environment winning over it', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bureau-env-'));
    try {
      expect(readEnvironment(directory).BUREAU_TEST_ONLY_FROM_FILE).toBeUndefined();
      await writeFile(
        join(directory, '.env'),
        '# local settings\nBUREAU_TEST_ONLY_FROM_FILE=from-file\nBUREAU_TEST_BOTH="from file"\n',
      );
      process.env.BUREAU_TEST_BOTH = 'from environment';
      const environment = readEnvironment(directory);
      expect(environment.BUREAU_TEST_ONLY_FROM_FILE).toBe('from-file');
      expect(environment.BUREAU_TEST_BOTH).toBe('from environment');
    } finally {
      delete process.env.BUREAU_TEST_BOTH;
      await rm(directory, { recursive: true, force: true });
    }
  });
});
