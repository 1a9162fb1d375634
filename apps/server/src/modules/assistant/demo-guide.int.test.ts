import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';

describe('The demo administration’s guide to Bureau (npm start)', () => {
  let environment: TestEnvironment;
  let app: BureauApp;

  beforeAll(async () => {
    environment = await createTestEnvironment({ BUREAU_LOG_LEVEL: 'error', BUREAU_DEMO: '1' });
    app = await buildApp(environment.config);
    await app.migrate();
    await app.migrate();
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  it('is a public collection Albert answers from before anything is imported, seeded once', async () => {
    const agent = { userId: randomUUID(), kind: 'agent' as const, groupIds: [], organisationPath: [] };
    const [hit] = await app.assistant.knowledge.retrieve(agent, { query: 'Que fait Albert quand il ne sait pas ?' });
    expect(hit?.collection).toMatchObject({ slug: 'guide-bureau', label: 'public' });
    expect(hit?.source.title).toBe('Albert, l’assistant IA de Bureau');
    expect(hit?.passages[0]?.headings).toEqual(['Quand Albert ne sait pas']);
    const [collection] = (await app.assistant.knowledge.listCollections()).filter((row) => row.slug === 'guide-bureau');
    expect(Number(collection?.document_count)).toBe(4);
  });
});
