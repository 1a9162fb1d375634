import { docsFragmentName } from '@bureau/contracts';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { startBureauProcess, type BureauProcess } from '../../testing/bureau-process.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { fragmentText } from './collab/fragment-text.ts';
import { connectCollab, type CollabClient } from './testing/collab-client.ts';

const system = { system: true, label: 'test' };

/**
 * Crash safety: Bureau runs as its own process, two clients type into one page, the process is killed
 * with SIGKILL mid-typing; after a restart, every change a client had seen acknowledged is there.
 */
describe('Docs crash safety', () => {
  let environment: TestEnvironment;
  let documentId: string;
  const tokens: string[] = [];
  let bureau: BureauProcess | undefined;

  const env = () => {
    const { PATH, HOME } = process.env;
    return {
      PATH,
      HOME,
      BUREAU_DATA_DIR: environment.dataDir,
      BUREAU_PORT: '0',
      BUREAU_HOST: '127.0.0.1',
      BUREAU_LOG_LEVEL: 'info',
      BUREAU_PUBLIC_URL: 'http://bureau.test',
      ...(environment.settings.kind === 'postgres' ? { DATABASE_URL: environment.settings.url } : {}),
    };
  };

  beforeAll(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: 'http://bureau.test', BUREAU_LOG_LEVEL: 'error' });
    // Prepare the page and two collaboration tokens in-process, then let the real process serve them.
    const app = await buildApp(environment.config);
    await app.migrate();
    await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    const user = await app.identity.directory.createUser({ email: 'alice@min.gouv.fr', displayName: 'Alice' }, system);
    const subject = await app.identity.directory.resolveSubject(user);
    const docsUser = {
      id: user.id,
      displayName: 'Alice',
      organisationId: user.organisation_id,
      kind: 'agent' as const,
    };
    const space = await app.docs.docs.ensurePersonalSpace(docsUser, system);
    documentId = (await app.docs.docs.createDocument(subject, docsUser, { spaceId: space.id, title: 'Frappe' }, system))
      .id;
    for (let index = 0; index < 2; index++) {
      tokens.push((await app.docs.content.createCollabToken(subject, docsUser, documentId)).token);
    }
    await app.close();
  });

  afterAll(async () => {
    await bureau?.stop('SIGKILL');
    await environment.destroy();
  });

  it('loses no acknowledged change when the server is killed with SIGKILL', async () => {
    bureau = await startBureauProcess({ env: env(), cwd: environment.dataDir });
    const address = bureau.address;
    const writers = tokens.map((token, index) => {
      const client = connectCollab({ address, documentId, token });
      return { client, name: `writer${index}`, typed: 0, acknowledged: 0 };
    });
    for (const writer of writers) {
      expect(await writer.client.authentication).toEqual({ scope: 'read-write' });
      writer.client.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
        // Nothing pending: every line typed so far was acknowledged by the server.
        if (number === 0) writer.acknowledged = writer.typed;
      });
    }
    // Each writer types bursts of lines 5 ms apart and waits for the server's acknowledgement between
    // bursts, so acknowledgements happen however slow the machine is; the kill comes once both writers
    // have had more than 20 lines acknowledged and 1.5 s have passed, with lines in flight.
    let typing = true;
    const type = async (writer: (typeof writers)[number]) => {
      while (typing) {
        for (let line = 0; line < 8 && typing; line++) {
          writer.client.type(`${writer.name}-${writer.typed}`);
          writer.typed += 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        while (typing && writer.acknowledged < writer.typed) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const typists = writers.map((writer) => type(writer));
    const started = Date.now();
    const deadline = started + 40_000;
    while (
      (Date.now() - started < 1_500 || Math.min(...writers.map((writer) => writer.acknowledged)) <= 20) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await bureau.stop('SIGKILL');
    typing = false;
    await Promise.all(typists);
    const acknowledged = writers.map((writer) => writer.acknowledged);
    const typed = writers.map((writer) => writer.typed);
    for (const writer of writers) writer.client.destroy();
    expect(Math.min(...acknowledged)).toBeGreaterThan(20);

    // After a restart, a new client reads every acknowledged line.
    bureau = await startBureauProcess({ env: env(), cwd: environment.dataDir });
    let reader: CollabClient | undefined;
    try {
      reader = connectCollab({ address: bureau.address, documentId, token: tokens[0]! });
      await reader.authentication;
      await new Promise<void>((resolve) => reader!.provider.on('synced', () => resolve()));
      const document = new Y.Doc();
      Y.applyUpdate(document, Y.encodeStateAsUpdate(reader.document));
      const lines = new Set(fragmentText(document.getXmlFragment(docsFragmentName)).split('\n'));
      for (const [index, writer] of writers.entries()) {
        const missing: string[] = [];
        for (let line = 0; line < acknowledged[index]!; line++) {
          if (!lines.has(`${writer.name}-${line}`)) missing.push(`${writer.name}-${line}`);
        }
        expect({ writer: writer.name, missing, acknowledged: acknowledged[index], typed: typed[index] }).toMatchObject({
          missing: [],
        });
      }
    } finally {
      reader?.destroy();
      await bureau.stop('SIGTERM');
    }
  }, 120_000);
});
