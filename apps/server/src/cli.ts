import { accessSync, constants, mkdirSync, statfsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildApp } from './app.ts';
import { ConfigError, describeSettings, loadConfig, readEnvironment, redactUrl, type Config } from './config.ts';
import { runServer } from './main.ts';
import { albertUsage, runAlbertCommand } from './modules/assistant/index.ts';
import { AppError } from './platform/errors.ts';
import { jobStatuses, type JobStatus } from './platform/jobs/index.ts';
import { bureauVersion } from './platform/version.ts';
import { ensureWebAppBuilt, isWebAppBuilt } from './platform/web-build.ts';

const usage = `Usage: bureau <command> [options]

Commands:
  start [--build-web]   run Bureau (migrates the database first); --build-web builds the web app if missing
  migrate               apply pending database migrations and exit
  doctor                check the configuration, the database and the disk; print versions
  jobs [--status S] [--type T] [--limit N]
                        list background jobs, newest first, with their status counts
  outbox [--limit N]    list the e-mails of the outbox (kept in development, or sent), newest first
  user create --email E [--password P] [--display-name N] [--admin] [--external] [--org ID]
                        create an account (an agent joins the organisation of its e-mail domain)
  user list [--search S] [--limit N]
                        list accounts, newest first
  user deactivate E     deactivate an account: its sessions and API keys stop working at once
  audit purge --before DATE
                        delete the audit events older than DATE (at least 180 days ago), recording the purge
${albertUsage}
  help                  show this help
  version               print Bureau's version

Configuration comes from environment variables and an optional .env file (see README.md).`;

const write = (text: string) => process.stdout.write(`${text}\n`);
const writeError = (text: string) => process.stderr.write(`${text}\n`);

/** Runs one `bureau` command and resolves with the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'start': {
        const { values } = parseArgs({
          args: rest,
          options: { 'build-web': { type: 'boolean', default: false }, demo: { type: 'boolean', default: false } },
        });
        // `npm start` passes --demo: the demo administration is seeded unless BUREAU_DEMO says otherwise.
        if (values.demo && (process.env.BUREAU_DEMO ?? '') === '') process.env.BUREAU_DEMO = '1';
        const config = loadConfig();
        if (values['build-web']) await ensureWebAppBuilt({ log: writeError });
        return await runServer(config);
      }
      case 'migrate':
        parseArgs({ args: rest, options: {} });
        return await migrate(loadConfig());
      case 'doctor':
        parseArgs({ args: rest, options: {} });
        return await doctor();
      case 'jobs':
        return await listJobs(rest);
      case 'outbox':
        return await listOutbox(rest);
      case 'user':
        return await userCommand(rest);
      case 'audit':
        return await auditCommand(rest);
      case 'albert':
        return await withQuietApp((app) => runAlbertCommand(rest, app.assistant.knowledge, { write, writeError }));
      case 'version':
      case '--version':
        write(bureauVersion);
        return 0;
      case 'help':
      case '--help':
      case '-h':
        write(usage);
        return 0;
      default:
        writeError(`Unknown command "${command}".\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      writeError(
        `${error.message}\nBureau did not start. Fix the variables above (see the configuration table in README.md).`,
      );
      return 78;
    }
    if (error instanceof AppError) {
      writeError(error.messages.en);
      return 1;
    }
    if (error instanceof UsageError) {
      writeError(`${error.message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      writeError(`${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
}

async function migrate(config: Config): Promise<number> {
  const app = await buildApp({ ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  try {
    const applied = await app.migrate();
    write(applied.length === 0 ? 'The database is up to date.' : `Applied ${applied.length} migration(s):`);
    for (const name of applied) write(`  ${name}`);
    return 0;
  } finally {
    await app.close();
  }
}

async function doctor(): Promise<number> {
  let failures = 0;
  const ok = (text: string) => write(`  ok    ${text}`);
  const warn = (text: string) => write(`  warn  ${text}`);
  const fail = (text: string) => {
    failures += 1;
    write(`  FAIL  ${text}`);
  };

  write(`Bureau ${bureauVersion} on Node.js ${process.version} (${process.platform}-${process.arch})`);
  write('\nConfiguration');
  let config: Config;
  try {
    config = loadConfig();
    ok('every setting is valid');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) fail(`${problem.variable}: ${problem.reason}`);
    return 1;
  }
  const environment = readEnvironment();
  for (const setting of describeSettings()) {
    const value = environment[setting.name];
    if (value === undefined || value === '') continue;
    write(`        ${setting.name}=${setting.secret ? (value.includes('://') ? redactUrl(value) : '***') : value}`);
  }

  write('\nDisk');
  try {
    mkdirSync(config.dataDir, { recursive: true });
    accessSync(config.dataDir, constants.W_OK);
    const stats = statfsSync(config.dataDir);
    const freeGiB = (stats.bavail * stats.bsize) / 1024 ** 3;
    const text = `data directory ${config.dataDir} is writable, ${freeGiB.toFixed(1)} GiB free`;
    if (freeGiB < 1) warn(`${text} (less than 1 GiB)`);
    else ok(text);
  } catch (error) {
    fail(`data directory ${config.dataDir}: ${error instanceof Error ? error.message : String(error)}`);
  }

  write('\nDatabase');
  const app = await buildApp({ ...config, logLevel: 'silent' });
  try {
    await app.platform.database.ping();
    ok(
      `${await app.platform.database.serverVersion()} reachable (${config.database.kind === 'sqlite' ? config.database.path : redactUrl(config.database.url)})`,
    );
    const { applied, pending } = await app.platform.migrations.status();
    if (pending.length === 0) ok(`${applied.length} migrations applied, none pending`);
    else
      warn(
        `${pending.length} migration(s) pending (applied at start, or by \`bureau migrate\`): ${pending.join(', ')}`,
      );
    write('\nAlbert');
    const served = (alias: string, type: string) =>
      config.assistant.providers.some((provider) =>
        provider.models.some((model) => model.name === alias && model.type === type),
      );
    if (served(config.assistant.model, 'chat')) ok(`answers written by ${config.assistant.model} (providers file)`);
    else
      warn(
        `no provider of the providers file serves ${config.assistant.model}: answers are extractive unless an administrator adds one`,
      );
    const vectors = await app.assistant.knowledge.vectorSupport();
    const engine =
      vectors.engine === 'sqlite-vec'
        ? 'vectors searched in SQLite with sqlite-vec'
        : `vectors searched in process${vectors.pgvector === 'absent' ? ' (pgvector is not installed on this PostgreSQL)' : vectors.pgvector ? ` (pgvector ${vectors.pgvector}, not used yet)` : ''}`;
    if (served(config.assistant.embeddingsModel, 'embeddings'))
      ok(`dense retrieval with ${config.assistant.embeddingsModel}: ${engine}`);
    else
      warn(
        `no provider serves ${config.assistant.embeddingsModel}: retrieval is lexical only (${engine} once one does)`,
      );
  } catch (error) {
    fail(`database unreachable: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await app.close();
  }

  write('\nServices');
  if (config.mail.smtpUrl) ok(`mail through ${redactUrl(config.mail.smtpUrl)}`);
  else warn('no SMTP server (BUREAU_SMTP_URL): e-mails are kept in the development outbox and logged');
  if (isWebAppBuilt()) ok('web app built');
  else warn('web app not built yet (`npm start` builds it, or `npm run build:web`)');

  write(failures === 0 ? '\nBureau is ready to start.' : `\n${failures} problem(s) found.`);
  return failures === 0 ? 0 : 1;
}

function limitOption(value: string | undefined): number {
  const limit = Number(value ?? '20');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new UsageError('--limit must be a whole number from 1 to 500');
  return limit;
}

class UsageError extends Error {}

/** Opens Bureau's database quietly, for commands that only read it. */
async function withQuietApp<T>(work: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const app = await buildApp({ ...config, logLevel: 'silent' });
  try {
    await app.migrate();
    return await work(app);
  } finally {
    await app.close();
  }
}

async function listJobs(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { status: { type: 'string' }, type: { type: 'string' }, limit: { type: 'string' } },
  });
  const status = values.status;
  if (status !== undefined && !jobStatuses.includes(status as JobStatus)) {
    throw new UsageError(`--status must be one of ${jobStatuses.join(', ')}`);
  }
  const limit = limitOption(values.limit);
  return withQuietApp(async (app) => {
    const counts = await app.platform.jobs.counts();
    write(jobStatuses.map((name) => `${name}: ${counts[name]}`).join('  '));
    const page = await app.platform.jobs.list({
      limit,
      ...(status === undefined ? {} : { status: status as JobStatus }),
      ...(values.type === undefined ? {} : { type: values.type }),
    });
    for (const job of page.items) {
      write(
        `${job.id}  ${job.status.padEnd(9)}  ${job.type}  attempts ${job.attempts}/${job.maxAttempts}  due ${job.runAt}${job.lastError ? `  last error: ${job.lastError}` : ''}`,
      );
    }
    if (page.items.length === 0) write('No job.');
    return 0;
  });
}

async function listOutbox(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { limit: { type: 'string' } } });
  const limit = limitOption(values.limit);
  return withQuietApp(async (app) => {
    const page = await app.platform.mail.listOutbox({ limit });
    for (const message of page.items) {
      write(`${message.createdAt}  ${message.status.padEnd(6)}  to ${message.to.join(', ')}  "${message.subject}"`);
      if (message.status === 'kept') write(`    ${message.text.replaceAll('\n', '\n    ')}`);
    }
    if (page.items.length === 0) write('The outbox is empty.');
    return 0;
  });
}

const operatorActor = { system: true, label: `bureau CLI (${process.env.USER ?? 'operator'})` };

async function auditCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'purge') throw new UsageError('audit needs a subcommand: purge');
  const { values } = parseArgs({ args: rest, options: { before: { type: 'string' } } });
  const before = values.before === undefined ? undefined : new Date(values.before);
  if (!before || Number.isNaN(before.getTime())) {
    throw new UsageError('audit purge needs --before with a date (2026-01-31) or an instant');
  }
  return withQuietApp(async (app) => {
    const deleted = await app.platform.audit.purgeBefore(before, operatorActor);
    write(`Deleted ${deleted} audit event(s) recorded before ${before.toISOString()}; the purge itself is recorded.`);
    return 0;
  });
}

async function userCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: {
          email: { type: 'string' },
          password: { type: 'string' },
          'display-name': { type: 'string' },
          admin: { type: 'boolean', default: false },
          external: { type: 'boolean', default: false },
          org: { type: 'string' },
        },
      });
      if (!values.email) throw new UsageError('user create needs --email');
      const email = values.email;
      return withQuietApp(async (app) => {
        const user = await app.identity.directory.createUser(
          {
            email,
            ...(values.password === undefined ? {} : { password: values.password }),
            ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
            isInstanceAdmin: values.admin,
            kind: values.external ? 'external' : 'agent',
            ...(values.org === undefined ? {} : { organisationId: values.org }),
          },
          operatorActor,
        );
        write(`Created ${user.kind} ${user.email} (${user.id})${values.admin ? ', instance administrator' : ''}.`);
        return 0;
      });
    }
    case 'list': {
      const { values } = parseArgs({ args: rest, options: { search: { type: 'string' }, limit: { type: 'string' } } });
      const limit = limitOption(values.limit);
      return withQuietApp(async (app) => {
        const users = await app.identity.directory.listUsers({
          limit,
          ...(values.search === undefined ? {} : { search: values.search }),
        });
        for (const user of users) {
          const flags = [user.kind, user.status, user.is_instance_admin ? 'admin' : ''].filter(Boolean).join(', ');
          write(`${user.email.padEnd(40)} ${user.display_name.padEnd(28)} ${flags}`);
        }
        if (users.length === 0) write('No account.');
        return 0;
      });
    }
    case 'deactivate': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      const email = positionals[0];
      if (!email || positionals.length > 1) throw new UsageError('user deactivate needs one e-mail address');
      return withQuietApp(async (app) => {
        const user = await app.identity.directory.findUserByEmail(email);
        if (!user) {
          writeError(`No account has the address ${email}.`);
          return 1;
        }
        await app.identity.directory.deactivateUser(user.id, operatorActor);
        write(`Deactivated ${user.email}: its sessions and API keys no longer work.`);
        return 0;
      });
    }
    default:
      throw new UsageError('user needs one of: create, list, deactivate');
  }
}
