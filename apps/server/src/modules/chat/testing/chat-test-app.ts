import { buildApp, type BureauApp } from '../../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../../testing/test-database.ts';
import { InjectMatrixClient, testPassword } from './matrix-test-client.ts';

export const chatTestPublicUrl = 'http://bureau.test';
export const chatTestSystemActor = { system: true, label: 'test' };

export interface ChatTestApp<Name extends string> {
  readonly environment: TestEnvironment;
  readonly app: BureauApp;
  /** A signed-in Matrix client per person. */
  readonly clients: Record<Name, InjectMatrixClient>;
  /** Each person's Bureau user ID. */
  readonly userIds: Record<Name, string>;
  close(): Promise<void>;
}

/**
 * Bureau on a fresh test database (`http://bureau.test`, so Matrix IDs end in `:bureau.test`) with one
 * organisation (`min.gouv.fr`) and these people, each signed in over the Matrix API by e-mail.
 */
export async function startChatTestApp<Name extends string>(
  people: Record<Name, { email: string; displayName: string }>,
): Promise<ChatTestApp<Name>> {
  const environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: chatTestPublicUrl, BUREAU_LOG_LEVEL: 'error' });
  const app = await buildApp(environment.config);
  await app.migrate();
  const directory = app.identity.directory;
  await directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, chatTestSystemActor);
  const clients = {} as Record<Name, InjectMatrixClient>;
  const userIds = {} as Record<Name, string>;
  for (const name of Object.keys(people) as Name[]) {
    const { email, displayName } = people[name];
    userIds[name] = (
      await directory.createUser({ email, password: testPassword, displayName }, chatTestSystemActor)
    ).id;
    clients[name] = await new InjectMatrixClient(app).loginWithEmail(email);
  }
  return {
    environment,
    app,
    clients,
    userIds,
    async close() {
      await app.close();
      await environment.destroy();
    },
  };
}

/** Alice and Bob of `min.gouv.fr`, the people most chat tests need. */
export const aliceAndBob = {
  alice: { email: 'alice@min.gouv.fr', displayName: 'Alice' },
  bob: { email: 'bob@min.gouv.fr', displayName: 'Bob' },
} as const;
