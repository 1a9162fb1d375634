import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import {
  parseProvidersFile,
  ProvidersFileError,
  type ProviderDefinition,
} from './modules/assistant/gateway/providers-file.ts';

/**
 * Every setting of Bureau, read from environment variables (and an optional `.env` file), parsed once
 * at boot. `description` and `secret` feed the README's configuration table (`npm run docs:config`)
 * and the redaction of logs and `bureau doctor`.
 */
type SettingMeta = { description: string; secret?: boolean };

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function setting<T extends z.ZodType>(schema: T, meta: SettingMeta): T {
  settingMeta.set(schema, meta);
  return schema;
}
const settingMeta = new WeakMap<z.ZodType, SettingMeta>();

export const configSchema = z.object({
  BUREAU_HOST: setting(z.string().trim().min(1).default('127.0.0.1'), {
    description: 'Address the HTTP server binds to.',
  }),
  BUREAU_PORT: setting(wholeNumber(0, 65535).default(8080), {
    description: 'TCP port of the HTTP server (0 picks a free port).',
  }),
  BUREAU_PUBLIC_URL: setting(httpUrl.default('http://localhost:8080'), {
    description: 'URL at which users reach Bureau (links in e-mails, OIDC redirects).',
  }),
  BUREAU_DATA_DIR: setting(z.string().trim().min(1).default('./data'), {
    description: 'Directory of the embedded database, blobs and other local files.',
  }),
  DATABASE_URL: setting(
    z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL (leave unset for embedded SQLite)' })
      .optional(),
    {
      description: 'PostgreSQL connection URL. Unset: embedded SQLite in BUREAU_DATA_DIR.',
      secret: true,
    },
  ),
  BUREAU_DATABASE_POOL_SIZE: setting(wholeNumber(1, 1000).default(10), {
    description: 'Maximum number of PostgreSQL connections of one process.',
  }),
  BUREAU_LOG_LEVEL: setting(z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'), {
    description: 'Log level of the JSON logs written to standard output.',
  }),
  BUREAU_SMTP_URL: setting(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(), {
    description:
      'SMTP server for outgoing mail (smtp://user:password@host:587). Unset: mail is kept in the development outbox.',
    secret: true,
  }),
  BUREAU_MAIL_FROM: setting(z.string().trim().min(3).default('Bureau <bureau@localhost>'), {
    description: 'Sender of the e-mails Bureau sends.',
  }),
  BUREAU_INSTANCE_NAME: setting(z.string().trim().min(1).max(200).default('Administration de démonstration'), {
    description: 'Name of the administration, recorded in the database at first start (shown in the header).',
  }),
  BUREAU_RATE_LIMIT: setting(wholeNumber(1, 1_000_000).default(1200), {
    description: 'Requests per minute allowed from one client address on the API.',
  }),
  BUREAU_BODY_LIMIT: setting(wholeNumber(1024, 1024 * 1024 * 1024).default(1024 * 1024), {
    description: 'Largest JSON request body accepted, in bytes.',
  }),
  BUREAU_TRUST_PROXY: setting(booleanFlag.default(false), {
    description: 'Trust X-Forwarded-* headers (set when Bureau runs behind a reverse proxy).',
  }),
  BUREAU_SHUTDOWN_TIMEOUT: setting(wholeNumber(0, 600_000).default(10_000), {
    description: 'Milliseconds given to in-flight requests and jobs to finish on SIGTERM/SIGINT.',
  }),
  BUREAU_SESSION_IDLE_TIMEOUT: setting(wholeNumber(1, 7 * 24 * 60).default(120), {
    description: 'Minutes after which an unused session ends.',
  }),
  BUREAU_SESSION_MAX_AGE: setting(wholeNumber(1, 30 * 24).default(12), {
    description: 'Hours after which a session ends, used or not (ProConnect sessions last 12 h).',
  }),
  BUREAU_ADMIN_EMAIL: setting(z.email({ error: 'must be an e-mail address' }).optional(), {
    description: 'E-mail of the instance administrator created at start when the instance has none.',
  }),
  BUREAU_ADMIN_PASSWORD: setting(z.string().min(12, 'must have at least 12 characters').optional(), {
    description: 'Password of that administrator (needed with BUREAU_ADMIN_EMAIL).',
    secret: true,
  }),
  BUREAU_DEMO: setting(booleanFlag.default(false), {
    description:
      'Seed a demo administration (a ministry, two directions, ten agents, one external user) at start when absent. `npm start` turns it on unless set.',
  }),
  // Kept exactly as given: the issuer must equal the provider's published `issuer`, trailing slash included.
  BUREAU_OIDC_ISSUER: setting(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(), {
    description:
      'Issuer URL of the OpenID provider for single sign-on (ProConnect or any OIDC provider). Unset: no SSO.',
  }),
  BUREAU_OIDC_CLIENT_ID: setting(z.string().trim().min(1).optional(), {
    description: 'Client id of Bureau at the OpenID provider.',
  }),
  BUREAU_OIDC_CLIENT_SECRET: setting(z.string().min(1).optional(), {
    description: 'Client secret of Bureau at the OpenID provider.',
    secret: true,
  }),
  BUREAU_OIDC_SCOPES: setting(z.string().trim().min(6).default('openid email given_name usual_name siret uid idp_id'), {
    description: 'Scopes asked of the OpenID provider (ProConnect’s by default).',
  }),
  BUREAU_OIDC_ACR_VALUES: setting(z.string().trim().min(1).optional(), {
    description: 'acr_values sent to the OpenID provider (e.g. eidas1), when the administration requires a level.',
  }),
  BUREAU_MATRIX_SERVER_NAME: setting(
    z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/,
        'must be a host name, with an optional :port',
      )
      .optional(),
    {
      description:
        'Server name of the Matrix homeserver (the part after `:` in `@jean.dupont:name`); never change it once users chat. Unset: the host (and port, when not 80/443) of BUREAU_PUBLIC_URL.',
    },
  ),
  BUREAU_MATRIX_MAX_UPLOAD: setting(wholeNumber(1024, 1024 * 1024 * 1024).default(50 * 1024 * 1024), {
    description: 'Largest file accepted by the Matrix media repository, in bytes.',
  }),
  BUREAU_JOB_CONCURRENCY: setting(wholeNumber(0, 64).default(2), {
    description: 'Background jobs run at once by this process (0: this process runs none).',
  }),
  BUREAU_AI_PROVIDERS_FILE: setting(z.string().trim().min(1).optional(), {
    description:
      "YAML or JSON file declaring the model providers of Albert's gateway (OpenAI-compatible servers, their hosting and clearance); `${VAR}` in it reads the environment. Unset: no provider until an administrator adds one.",
  }),
  BUREAU_ASSISTANT_MODEL: setting(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/)
      .default('albert-large'),
    {
      description:
        "The gateway's chat model alias Albert's answers are written with. Not served by any provider: Albert answers in extractive mode (the best passages, labelled as such).",
    },
  ),
  BUREAU_ASSISTANT_EMBEDDINGS_MODEL: setting(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/)
      .default('albert-embeddings'),
    {
      description:
        "The gateway's embeddings model alias of Albert's dense retrieval (fused with the lexical one). Not served by any provider: retrieval is lexical only.",
    },
  ),
  BUREAU_ASSISTANT_RERANK_MODEL: setting(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/)
      .default('albert-rerank'),
    {
      description:
        "The gateway's rerank model alias that reorders Albert's 20 best results. Not served by any provider: no reranking.",
    },
  ),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.output<typeof configSchema>, cwd: string, providers: readonly ProviderDefinition[]) {
  const dataDir = resolve(cwd, env.BUREAU_DATA_DIR);
  return {
    assistant: {
      /** The model providers of the providers file (secret keys resolved from the environment). */
      providers,
      providersFile: env.BUREAU_AI_PROVIDERS_FILE === undefined ? null : resolve(cwd, env.BUREAU_AI_PROVIDERS_FILE),
      /** The chat model alias of Albert's answers. */
      model: env.BUREAU_ASSISTANT_MODEL,
      /** The embeddings model alias of Albert's dense retrieval. */
      embeddingsModel: env.BUREAU_ASSISTANT_EMBEDDINGS_MODEL,
      /** The rerank model alias of Albert's retrieval. */
      rerankModel: env.BUREAU_ASSISTANT_RERANK_MODEL,
    },
    host: env.BUREAU_HOST,
    port: env.BUREAU_PORT,
    publicUrl: env.BUREAU_PUBLIC_URL,
    dataDir,
    database: env.DATABASE_URL
      ? { kind: 'postgres' as const, url: env.DATABASE_URL, poolSize: env.BUREAU_DATABASE_POOL_SIZE }
      : { kind: 'sqlite' as const, path: resolve(dataDir, 'bureau.sqlite') },
    logLevel: env.BUREAU_LOG_LEVEL,
    mail: { smtpUrl: env.BUREAU_SMTP_URL, from: env.BUREAU_MAIL_FROM },
    instanceName: env.BUREAU_INSTANCE_NAME,
    http: {
      rateLimitPerMinute: env.BUREAU_RATE_LIMIT,
      bodyLimit: env.BUREAU_BODY_LIMIT,
      trustProxy: env.BUREAU_TRUST_PROXY,
    },
    shutdownTimeoutMs: env.BUREAU_SHUTDOWN_TIMEOUT,
    jobs: { concurrency: env.BUREAU_JOB_CONCURRENCY },
    chat: {
      serverName: env.BUREAU_MATRIX_SERVER_NAME ?? serverNameOf(env.BUREAU_PUBLIC_URL),
      maxUploadBytes: env.BUREAU_MATRIX_MAX_UPLOAD,
    },
    identity: {
      sessionIdleTimeoutMs: env.BUREAU_SESSION_IDLE_TIMEOUT * 60_000,
      sessionMaxAgeMs: env.BUREAU_SESSION_MAX_AGE * 3_600_000,
      initialAdmin:
        env.BUREAU_ADMIN_EMAIL && env.BUREAU_ADMIN_PASSWORD
          ? { email: env.BUREAU_ADMIN_EMAIL, password: env.BUREAU_ADMIN_PASSWORD }
          : undefined,
      seedDemo: env.BUREAU_DEMO,
      oidc:
        env.BUREAU_OIDC_ISSUER && env.BUREAU_OIDC_CLIENT_ID && env.BUREAU_OIDC_CLIENT_SECRET
          ? {
              issuer: env.BUREAU_OIDC_ISSUER,
              clientId: env.BUREAU_OIDC_CLIENT_ID,
              clientSecret: env.BUREAU_OIDC_CLIENT_SECRET,
              scopes: env.BUREAU_OIDC_SCOPES,
              acrValues: env.BUREAU_OIDC_ACR_VALUES,
              redirectUri: `${env.BUREAU_PUBLIC_URL}/auth/oidc/callback`,
            }
          : undefined,
    },
  };
}

/** The Matrix server name a public URL implies: its host, with its port when not the scheme's default. */
export function serverNameOf(publicUrl: string): string {
  const url = new URL(publicUrl);
  return url.port === '' ? url.hostname : `${url.hostname}:${url.port}`;
}

export class ConfigError extends Error {
  readonly problems: ReadonlyArray<{ variable: string; reason: string }>;

  constructor(problems: ReadonlyArray<{ variable: string; reason: string }>) {
    super(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem.variable}: ${problem.reason}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type SettingName = keyof typeof configSchema.shape;

function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(configSchema.shape, name);
}

export function isSecretSetting(name: string): boolean {
  return isSettingName(name) && settingMeta.get(configSchema.shape[name])?.secret === true;
}

/**
 * Parses the settings from an environment. Empty values count as unset. Throws a ConfigError that
 * names every bad variable, never echoing a secret's value.
 */
export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const relevant: Record<string, string> = {};
  for (const name of Object.keys(configSchema.shape)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') relevant[name] = value;
  }
  const result = configSchema
    .superRefine((value, context) => {
      const oidc = ['BUREAU_OIDC_ISSUER', 'BUREAU_OIDC_CLIENT_ID', 'BUREAU_OIDC_CLIENT_SECRET'] as const;
      const givenOidc = oidc.filter((name) => value[name] !== undefined);
      if (givenOidc.length > 0 && givenOidc.length < oidc.length) {
        for (const name of oidc.filter((candidate) => value[candidate] === undefined)) {
          context.addIssue({ code: 'custom', path: [name], message: `needed with ${givenOidc.join(', ')}` });
        }
      }
      if (Boolean(value.BUREAU_ADMIN_EMAIL) !== Boolean(value.BUREAU_ADMIN_PASSWORD)) {
        const missing = value.BUREAU_ADMIN_EMAIL ? 'BUREAU_ADMIN_PASSWORD' : 'BUREAU_ADMIN_EMAIL';
        context.addIssue({
          code: 'custom',
          path: [missing],
          message: 'BUREAU_ADMIN_EMAIL and BUREAU_ADMIN_PASSWORD go together',
        });
      }
    })
    .safeParse(relevant);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'configuration');
      const value = relevant[variable];
      const shown = value === undefined || isSecretSetting(variable) ? '' : ` (got ${JSON.stringify(value)})`;
      return { variable, reason: `${issue.message}${shown}` };
    });
    throw new ConfigError(problems);
  }
  return toConfig(result.data, cwd, readProvidersFile(result.data.BUREAU_AI_PROVIDERS_FILE, cwd, env));
}

function providersFileFormat(path: string, text: string): 'yaml' | 'json' {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** The providers of BUREAU_AI_PROVIDERS_FILE, or a ConfigError listing every problem of the file. */
function readProvidersFile(
  file: string | undefined,
  cwd: string,
  env: Record<string, string | undefined>,
): ProviderDefinition[] {
  if (file === undefined) return [];
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError([{ variable: 'BUREAU_AI_PROVIDERS_FILE', reason: `cannot read ${path} (${reason})` }]);
  }
  try {
    return parseProvidersFile(text, { format: providersFileFormat(path, text), env, source: path });
  } catch (error) {
    if (error instanceof ProvidersFileError) {
      throw new ConfigError(error.issues.map((issue) => ({ variable: 'BUREAU_AI_PROVIDERS_FILE', reason: issue })));
    }
    throw error;
  }
}

/** The process environment merged over an optional `.env` file of `cwd` (the environment wins). */
export function readEnvironment(cwd = process.cwd()): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}

export function loadConfig(cwd = process.cwd()): Config {
  return parseConfig(readEnvironment(cwd), cwd);
}

/** Documentation rows of every setting, for the README table and `bureau doctor`. */
export function describeSettings(): Array<{
  name: string;
  default: string | undefined;
  description: string;
  secret: boolean;
}> {
  return Object.entries(configSchema.shape).map(([name, schema]) => {
    const meta = settingMeta.get(schema);
    const parsedDefault = schema.safeParse(undefined);
    const defaultValue =
      parsedDefault.success && parsedDefault.data !== undefined ? String(parsedDefault.data) : undefined;
    return { name, default: defaultValue, description: meta?.description ?? '', secret: meta?.secret === true };
  });
}

/** A URL with its password replaced, for logs and diagnostics. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '***';
  }
}
