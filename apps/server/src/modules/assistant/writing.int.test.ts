import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocsDocument, DocsSpace, WriteResponse } from '@bureau/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { startFakeOpenAiUpstream, type FakeChatRequest, type FakeUpstream } from './testing/fake-openai-upstream.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };

/**
 * Albert in an editor (`POST /api/assistant/write`): through the gateway, with the page the text comes
 * from, so that the page's label decides which provider may see it.
 */
describe('Albert writing (POST /api/assistant/write)', () => {
  let upstream: FakeUpstream;
  let directory: string;
  let environment: TestEnvironment;
  let app: BureauApp;
  let agent: Record<string, string>;
  let other: Record<string, string>;
  let lastRequest: FakeChatRequest | undefined;
  let internalPage: DocsDocument;
  let sensitivePage: DocsDocument;

  const write = (headers: Record<string, string>, body: unknown, accept = 'application/json') =>
    app.http.inject({
      method: 'POST',
      url: '/api/assistant/write',
      headers: { ...headers, accept, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  beforeAll(async () => {
    upstream = await startFakeOpenAiUpstream({
      name: 'onprem',
      models: [{ id: 'mistral-small', type: 'chat' }],
      deltaCharacters: 4,
      reply: (request) => {
        lastRequest = request;
        return 'Texte reformulé par Albert.';
      },
    });
    directory = await mkdtemp(join(tmpdir(), 'bureau-writing-'));
    const providersFile = join(directory, 'providers.yaml');
    await writeFile(
      providersFile,
      [
        'providers:',
        '  - id: onprem-vllm',
        '    name: vLLM du ministère',
        `    baseUrl: ${upstream.baseUrl}`,
        '    hosting: secnumcloud',
        '    clearance: internal',
        '    models:',
        '      - { name: albert-large, upstream: mistral-small, type: chat }',
      ].join('\n'),
    );
    environment = await createTestEnvironment({
      BUREAU_PUBLIC_URL: publicUrl,
      BUREAU_LOG_LEVEL: 'error',
      BUREAU_AI_PROVIDERS_FILE: providersFile,
    });
    app = await buildApp({ ...environment.config, dataDir: directory });
    await app.migrate();
    await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    await app.identity.directory.createUser({ email: 'agent@min.gouv.fr', password, displayName: 'Agent' }, system);
    await app.identity.directory.createUser({ email: 'autre@min.gouv.fr', password, displayName: 'Autre' }, system);
    agent = await signInHeaders(app, { email: 'agent@min.gouv.fr', password, publicUrl });
    other = await signInHeaders(app, { email: 'autre@min.gouv.fr', password, publicUrl });
    const json = async <T>(method: 'POST' | 'PATCH', url: string, payload: unknown) =>
      (
        await app.http.inject({
          method,
          url,
          headers: { ...agent, 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
      ).json<T>();
    const internalSpace = await json<DocsSpace>('POST', '/api/docs/spaces', { name: 'Interne' });
    const sensitiveSpace = await json<DocsSpace>('POST', '/api/docs/spaces', { name: 'Sensible' });
    await json('PATCH', `/api/docs/spaces/${sensitiveSpace.id}`, { label: 'sensitive' });
    internalPage = await json<DocsDocument>('POST', '/api/docs', { spaceId: internalSpace.id, title: 'Note' });
    sensitivePage = await json<DocsDocument>('POST', '/api/docs', { spaceId: sensitiveSpace.id, title: 'Dossier' });
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
    await upstream.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('rewrites a page’s text with a provider cleared for the page’s label', async () => {
    const response = await write(agent, {
      task: 'rewrite',
      text: 'Les agents doit déposer leur demande avant le 1er mars.',
      resource: { type: 'docs.document', id: internalPage.id },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<WriteResponse>();
    expect(body.text).toContain('Texte reformulé par Albert');
    expect(body.provider?.providerId).toBe('onprem-vllm');
    const prompt = JSON.stringify(lastRequest?.messages.at(-1)?.content);
    expect(prompt).toContain('Reformule');
    expect(prompt).toContain('avant le 1er mars');
  });

  it('streams the text, and translates into the language asked', async () => {
    const response = await write(
      agent,
      {
        task: 'translate',
        language: 'en',
        text: 'Bonjour à tous.',
        resource: { type: 'docs.document', id: internalPage.id },
      },
      'text/event-stream',
    );
    expect(response.headers['content-type']).toContain('text/event-stream');
    expect(response.body).toContain('event: delta');
    expect(response.body).toContain('event: done');
    expect(JSON.stringify(lastRequest?.messages.at(-1)?.content)).toContain('anglais');
  });

  it('never sends a sensitive page to a provider cleared below it, nor a page the user may not read', async () => {
    const tooSensitive = await write(agent, {
      task: 'summarise',
      text: 'Contenu sensible.',
      resource: { type: 'docs.document', id: sensitivePage.id },
    });
    expect(tooSensitive.statusCode).toBe(403);
    expect(tooSensitive.json<{ error: { code: string } }>().error.code).toBe('AI_NO_CLEARED_PROVIDER');
    const notReadable = await write(other, {
      task: 'summarise',
      text: 'Contenu volé.',
      resource: { type: 'docs.document', id: internalPage.id },
    });
    expect(notReadable.statusCode).toBe(403);
    expect(notReadable.json<{ error: { code: string } }>().error.code).toBe('AI_RESOURCE_NOT_READABLE');
  });

  it('refuses bad requests with a clear error', async () => {
    const unknownTask = await write(agent, { task: 'poem', text: 'x' });
    expect(unknownTask.statusCode).toBe(400);
    const empty = await write(agent, { task: 'fix', text: '   ' });
    expect(empty.statusCode).toBe(400);
    const tooLong = await write(agent, { task: 'fix', text: 'x'.repeat(20_001) });
    expect(tooLong.statusCode).toBe(400);
  });
});
