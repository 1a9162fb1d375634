import { buildApp, type BureauApp } from '../../../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../../../testing/test-database.ts';
import { InjectMatrixClient, testPassword } from '../../testing/matrix-test-client.ts';

export type { InjectMatrixClient };

const system = { system: true, label: 'test' };

export interface DiscoveryFixture {
  readonly environment: TestEnvironment;
  readonly app: BureauApp;
  /** Signs in a new Bureau user (an agent of min.gouv.fr unless `kind: 'external'`). */
  signIn(email: string, displayName: string, kind?: 'agent' | 'external'): Promise<InjectMatrixClient>;
  close(): Promise<void>;
}

/** A Bureau instance with one ministry (min.gouv.fr), its Matrix homeserver on bureau.test. */
export async function startDiscoveryFixture(): Promise<DiscoveryFixture> {
  const environment = await createTestEnvironment({
    BUREAU_PUBLIC_URL: 'http://bureau.test',
    BUREAU_LOG_LEVEL: 'error',
  });
  const app = await buildApp(environment.config);
  await app.migrate();
  await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
  return {
    environment,
    app,
    async signIn(email, displayName, kind = 'agent') {
      await app.identity.directory.createUser({ email, password: testPassword, displayName, kind }, system);
      return new InjectMatrixClient(app).loginWithEmail(email);
    },
    async close() {
      await app.close();
      await environment.destroy();
    },
  };
}

/** `rooms/{roomId}/...` with the room ID encoded. */
export function roomPath(roomId: string, rest = ''): string {
  return `rooms/${encodeURIComponent(roomId)}${rest}`;
}

/** A v1 client-server path. */
export function v1(path: string): string {
  return `/_matrix/client/v1/${path}`;
}

export type MatrixEvent = {
  event_id: string;
  type: string;
  sender: string;
  content: Record<string, unknown>;
  unsigned?: { 'm.relations'?: Record<string, unknown> } & Record<string, unknown>;
};
