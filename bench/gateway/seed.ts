/**
 * Prepares Bureau's database for the gateway benchmark before the server starts (run with the server's
 * environment): migrations, an organisation owning the benchmark's e-mail domain, and one agent with a
 * password who is also an instance administrator (so that the benchmark can set a quota through the admin
 * API). Prints `{"organisationId":"..."}` as the last line of stdout.
 *
 *   node bench/gateway/seed.ts --email agent@bench.gouv.fr --password '...'
 */
import { parseArgs } from 'node:util';
import { buildApp } from '../../apps/server/src/app.ts';
import { loadConfig } from '../../apps/server/src/config.ts';

const { values } = parseArgs({
  options: {
    email: { type: 'string', default: 'agent@bench.gouv.fr' },
    password: { type: 'string', default: 'Banc-essai-passerelle-2026' },
  },
});

// A type alias, not an interface: Kysely's table maps need an index signature.
type IdentityUsersTable = {
  identity_users: { id: string; is_instance_admin: number | boolean };
};

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp({ ...config, logLevel: 'warn' });
  try {
    await app.migrate();
    const actor = { system: true, label: 'bench/gateway' };
    const domain = values.email.slice(values.email.indexOf('@') + 1);
    const organisation = await app.identity.directory.createOrganisation(
      { name: 'Banc d’essai de la passerelle', domains: [domain] },
      actor,
    );
    const user = await app.identity.directory.createUser(
      { email: values.email, password: values.password, displayName: 'Agent du banc d’essai' },
      actor,
    );
    const database = app.platform.database;
    await database.executor
      .withTables<IdentityUsersTable>()
      .updateTable('identity_users')
      .set({ is_instance_admin: database.dialect === 'sqlite' ? 1 : true })
      .where('id', '=', user.id)
      .execute();
    process.stdout.write(`${JSON.stringify({ organisationId: organisation.id })}\n`);
  } finally {
    await app.close();
  }
}

await main();
