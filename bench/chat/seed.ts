/**
 * Seeds the accounts of the chat benchmark into Bureau's database before the server starts, run as its own
 * process with the server's environment (BUREAU_DATA_DIR or DATABASE_URL): migrations, one organisation
 * owning the benchmark's e-mail domain, and `--users` agents created through the identity module, each
 * with the same password.
 *
 * The password hash is computed once and given to every account. It is an ordinary scrypt hash in Bureau's
 * self-describing format (`scrypt$N$r$p$salt$hash`, which the sign-in reads its parameters from) with a
 * lower cost than new passwords get: the benchmark then logs 1,000 devices in within seconds, and signing
 * in is not what it measures.
 *
 *   node bench/chat/seed.ts --users 1000 --domain bench.gouv.fr --password '...'
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildApp } from '../../apps/server/src/app.ts';
import { loadConfig } from '../../apps/server/src/config.ts';
import { benchEmail } from './bureau.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000' },
    domain: { type: 'string', default: 'bench.gouv.fr' },
    password: { type: 'string', default: 'Banc-essai-messagerie-2026' },
  },
});
const userCount = Number(values.users);
const domain = values.domain;

function lowCostScryptHash(password: string): string {
  const parameters = { N: 2 ** 10, r: 8, p: 1 };
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, parameters);
  return [
    'scrypt',
    parameters.N,
    parameters.r,
    parameters.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

// A type alias, not an interface: Kysely's table maps need an index signature.
type IdentityUsersTable = {
  identity_users: { email: string; password_hash: string | null };
};

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp({ ...config, logLevel: 'warn' });
  try {
    await app.migrate();
    const actor = { system: true, label: 'bench/chat' };
    const directory = app.identity.directory;
    await directory.createOrganisation({ name: 'Banc d’essai de la messagerie', domains: [domain] }, actor);
    const started = performance.now();
    for (let index = 0; index < userCount; index += 1) {
      await directory.createUser({ email: benchEmail(index, domain), displayName: `Agent ${index}` }, actor);
    }
    // Accounts are created without a password (no hashing per account), then all get the same hash.
    await app.platform.database.executor
      .withTables<IdentityUsersTable>()
      .updateTable('identity_users')
      .set({ password_hash: lowCostScryptHash(values.password) })
      .where('email', 'like', `%@${domain}`)
      .execute();
    process.stdout.write(`${userCount} accounts seeded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await app.close();
  }
}

await main();
