import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import type { Subject } from '../../platform/authz/subject.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { servicePublicXml } from './testing/knowledge-fixtures.ts';
import { startFakeOpenAiUpstream, type FakeUpstream } from './testing/fake-openai-upstream.ts';

const system = { system: true, label: 'test' };

/**
 * Dense retrieval: an embeddings model served by the gateway (an upstream started by the test, whose
 * vectors are sums of per-word vectors), chunks embedded after the import, queries embedded, and both
 * rankings fused.
 */
describe('Albert dense retrieval (embeddings through the gateway)', () => {
  let upstream: FakeUpstream;
  let directory: string;
  let environment: TestEnvironment;
  let app: BureauApp;
  const reader: Subject = { userId: randomUUID(), kind: 'agent', groupIds: [], organisationPath: [] };

  beforeAll(async () => {
    upstream = await startFakeOpenAiUpstream({
      name: 'emb',
      models: [
        { id: 'bge-m3', type: 'embeddings' },
        { id: 'bge-reranker', type: 'rerank' },
      ],
    });
    directory = await mkdtemp(join(tmpdir(), 'bureau-dense-'));
    const providersFile = join(directory, 'providers.yaml');
    await writeFile(
      providersFile,
      [
        'providers:',
        '  - id: onprem-tei',
        `    baseUrl: ${upstream.baseUrl}`,
        '    hosting: on-premises',
        '    clearance: restricted',
        '    models:',
        '      - { name: albert-embeddings, upstream: bge-m3, type: embeddings }',
        '      - { name: albert-rerank, upstream: bge-reranker, type: rerank }',
      ].join('\n'),
    );
    environment = await createTestEnvironment({ BUREAU_LOG_LEVEL: 'error', BUREAU_AI_PROVIDERS_FILE: providersFile });
    app = await buildApp({ ...environment.config, dataDir: directory });
    await app.migrate();
    const feed = join(directory, 'feed');
    await mkdir(feed);
    await writeFile(
      join(feed, 'F1.xml'),
      servicePublicXml({
        id: 'F1',
        type: 'Fiche pratique',
        title: 'Carte grise',
        chapters: [
          { title: 'Démarche', paragraphs: ['la demande de certificat se fait en ligne sur le site de l’ANTS'] },
        ],
      }),
    );
    await writeFile(
      join(feed, 'F2.xml'),
      servicePublicXml({
        id: 'F2',
        type: 'Fiche pratique',
        title: 'Passeport',
        chapters: [{ title: 'Coût', paragraphs: ['le timbre fiscal du passeport coûte 86 euros'] }],
      }),
    );
    const logs: string[] = [];
    await app.assistant.knowledge.runImport('service-public', {
      path: feed,
      actor: system,
      log: (line) => logs.push(line),
    });
    expect(logs.some((line) => /\d+ chunks embedded/.test(line))).toBe(true);
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
    await upstream.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('embeds the chunks after the import, by batches through the gateway', () => {
    const embeddingCalls = upstream.requests.filter((request) => request.path === '/v1/embeddings');
    expect(embeddingCalls.length).toBeGreaterThan(0);
    expect(app.assistant.knowledge.denseStatus()).toEqual({
      engine: app.platform.database.dialect === 'sqlite' ? 'sqlite-vec' : 'in-process',
      model: 'albert-embeddings',
      isServed: true,
      reranker: 'albert-rerank',
    });
  });

  it('fuses the two rankings: hits carry their similarity, the best documents first', async () => {
    const caller = {
      subject: () => Promise.resolve(reader),
      userId: reader.userId,
      organisationId: null,
      apiKeyId: null,
      actor: system,
    };
    upstream.reset();
    const hits = await app.assistant.knowledge.retrieve(reader, {
      query: 'timbre fiscal du passeport',
      collections: ['service-public'],
      caller,
    });
    expect(upstream.requests.filter((request) => request.path === '/v1/embeddings')).toHaveLength(1);
    expect(hits[0]?.source.externalId).toBe('F2');
    // The rerank model reordered the fused results: scores best first.
    const rerank = upstream.requests.find((request) => request.path === '/v1/rerank');
    expect((rerank?.body as { query: string; documents: string[] }).query).toBe('timbre fiscal du passeport');
    const scores = hits.map((hit) => hit.rerankScore ?? -1);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(0);
    expect(hits[0]?.similarity).toBeGreaterThan(0.3);
    // Without a caller (no gateway call), retrieval is lexical only.
    const lexical = await app.assistant.knowledge.retrieve(reader, {
      query: 'timbre fiscal',
      collections: ['service-public'],
    });
    expect(lexical[0]?.similarity).toBeUndefined();
  });

  it('re-embeds a document whose text changed, and forgets the vectors of removed ones', async () => {
    const feed = join(directory, 'feed');
    await writeFile(
      join(feed, 'F2.xml'),
      servicePublicXml({
        id: 'F2',
        type: 'Fiche pratique',
        title: 'Passeport',
        chapters: [{ title: 'Coût', paragraphs: ['le passeport est délivré en mairie sur rendez-vous'] }],
      }),
    );
    await rm(join(feed, 'F1.xml'));
    upstream.reset();
    await app.assistant.knowledge.runImport('service-public', { path: feed, actor: system });
    const embedded = upstream.requests
      .filter((request) => request.path === '/v1/embeddings')
      .flatMap((request) => (request.body as { input: string[] }).input);
    expect(embedded.length).toBeGreaterThan(0);
    expect(embedded.every((text) => text.startsWith('Passeport'))).toBe(true);
    const caller = {
      subject: () => Promise.resolve(reader),
      userId: reader.userId,
      organisationId: null,
      apiKeyId: null,
      actor: system,
    };
    const hits = await app.assistant.knowledge.retrieve(reader, {
      query: 'certificat en ligne ANTS',
      collections: ['service-public'],
      caller,
    });
    expect(hits.map((hit) => hit.source.externalId)).not.toContain('F1');
  });
});
