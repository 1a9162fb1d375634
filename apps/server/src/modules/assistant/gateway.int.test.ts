import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { countFakeTokens, startFakeOpenAiUpstream, type FakeUpstream } from './testing/fake-openai-upstream.ts';

const publicUrl = 'http://bureau.test';
const password = 'Un-mot-de-passe-solide-2026';
const system = { system: true, label: 'test' };

/**
 * The gateway end to end: Bureau listening on a port, two OpenAI-compatible upstreams started by the test
 * (an on-premises one cleared for `sensitive` that requires pseudonymisation, a public-cloud one cleared
 * for `internal`), and the official `openai` client as the program calling Bureau with an API key.
 */
describe('Model gateway (OpenAI-compatible API)', () => {
  let onPremises: FakeUpstream;
  let cloud: FakeUpstream;
  let directory: string;
  let environment: TestEnvironment;
  let app: BureauApp;
  let address: string;
  let client: OpenAI;
  let apiKey: string;
  let apiKeyId: string;
  let adminHeaders: Record<string, string>;
  let organisationId: string;

  beforeAll(async () => {
    onPremises = await startFakeOpenAiUpstream({
      name: 'onprem',
      apiKey: 'onprem-secret',
      models: [
        { id: 'mistral-small', type: 'chat' },
        { id: 'bge-m3', type: 'embeddings' },
        { id: 'bge-reranker', type: 'rerank' },
      ],
    });
    cloud = await startFakeOpenAiUpstream({
      name: 'cloud',
      apiKey: 'cloud-secret',
      models: [{ id: 'gpt-x', type: 'chat' }],
    });
    directory = await mkdtemp(join(tmpdir(), 'bureau-gateway-'));
    const providersFile = join(directory, 'providers.yaml');
    await writeFile(
      providersFile,
      [
        'providers:',
        '  - id: onprem-vllm',
        `    baseUrl: ${onPremises.baseUrl}`,
        '    apiKey: ${ONPREM_KEY}',
        '    hosting: secnumcloud',
        '    clearance: sensitive',
        '    requiresPseudonymisation: true',
        '    timeouts: { firstByteMs: 1000, totalMs: 5000 }',
        '    models:',
        '      - { name: albert-large, upstream: mistral-small, type: chat }',
        '      - { name: albert-embeddings, upstream: bge-m3, type: embeddings }',
        '      - { name: albert-rerank, upstream: bge-reranker, type: rerank }',
        '  - id: cloud-api',
        `    baseUrl: ${cloud.baseUrl}`,
        '    apiKey: ${CLOUD_KEY}',
        '    hosting: public-cloud',
        '    clearance: internal',
        '    timeouts: { firstByteMs: 1000, totalMs: 5000 }',
        '    models:',
        '      - { name: albert-large, upstream: gpt-x, type: chat }',
      ].join('\n'),
    );
    environment = await createTestEnvironment({
      BUREAU_PUBLIC_URL: publicUrl,
      BUREAU_LOG_LEVEL: 'error',
      BUREAU_HOST: '127.0.0.1',
      BUREAU_AI_PROVIDERS_FILE: providersFile,
      ONPREM_KEY: 'onprem-secret',
      CLOUD_KEY: 'cloud-secret',
    });
    app = await buildApp(environment.config);
    address = await app.listen();
    const identity = app.identity.directory;
    const organisation = await identity.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    organisationId = organisation.id;
    await identity.createUser({ email: 'agent@min.gouv.fr', password, displayName: 'Agent Test' }, system);
    await identity.createUser(
      { email: 'admin@min.gouv.fr', password, displayName: 'Admin', isInstanceAdmin: true },
      system,
    );
    adminHeaders = await signInHeaders(app, { email: 'admin@min.gouv.fr', password, publicUrl });
    const agentHeaders = await signInHeaders(app, { email: 'agent@min.gouv.fr', password, publicUrl });
    const created = await app.http.inject({
      method: 'POST',
      url: '/api/me/api-keys',
      headers: agentHeaders,
      payload: { name: 'Programme', scopes: ['ai'] },
    });
    const body = created.json<{ apiKey: { id: string }; secret: string }>();
    apiKey = body.secret;
    apiKeyId = body.apiKey.id;
    client = new OpenAI({ apiKey, baseURL: `${address}/v1`, maxRetries: 0, timeout: 10_000 });
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
    await onPremises.close();
    await cloud.close();
    await rm(directory, { recursive: true, force: true });
  });

  beforeEach(() => {
    onPremises.setBehaviour({ kind: 'normal' });
    cloud.setBehaviour({ kind: 'normal' });
    onPremises.reset();
    cloud.reset();
  });

  const ask = (content: string, options?: OpenAI.RequestOptions) =>
    client.chat.completions.create({ model: 'albert-large', messages: [{ role: 'user', content }] }, options);

  it('reranks documents for a query through Bureau (/v1/rerank), and records the usage', async () => {
    const response = await fetch(`${address}/v1/rerank`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'albert-rerank',
        query: 'timbre fiscal passeport',
        documents: ['la carte grise se demande en ligne', 'le timbre fiscal du passeport coûte 86 euros'],
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      model: string;
      results: Array<{ index: number; relevance_score: number }>;
    };
    expect(body.model).toBe('albert-rerank');
    expect(body.results[0]).toMatchObject({ index: 1 });
    expect(onPremises.requests.at(-1)?.path).toBe('/v1/rerank');
    const wrongType = await fetch(`${address}/v1/rerank`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'albert-large', query: 'q', documents: ['d'] }),
    });
    expect(wrongType.status).toBe(400);
  });

  it('lists the model aliases, completes, streams and embeds through Bureau', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id).sort()).toEqual(['albert-embeddings', 'albert-large', 'albert-rerank']);

    const completion = await ask('Bonjour Albert');
    expect(completion.model).toBe('albert-large');
    expect(completion.choices[0]?.message.content).toMatch(/^Réponse de (onprem|cloud) : Bonjour Albert$/);
    expect(completion.usage?.completion_tokens).toBe(countFakeTokens(completion.choices[0]?.message.content ?? ''));

    // Two streams: taken in turn, one by each provider (passed through as it comes, or parsed to restore).
    for (let round = 0; round < 2; round += 1) {
      const stream = await client.chat.completions.create({
        model: 'albert-large',
        messages: [{ role: 'user', content: 'Une réponse en flux' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let streamed = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        streamed += chunk.choices[0]?.delta.content ?? '';
        usage ??= chunk.usage;
        expect(chunk.model).toBe('albert-large');
      }
      expect(streamed).toMatch(/^Réponse de (onprem|cloud) : Une réponse en flux$/);
      expect(usage?.completion_tokens).toBe(countFakeTokens(streamed));
    }
    const streamedBy = (upstream: FakeUpstream) =>
      upstream.requests.filter((request) => (request.body as { stream?: boolean }).stream === true).length;
    expect([streamedBy(onPremises), streamedBy(cloud)]).toEqual([1, 1]);

    const embeddings = await client.embeddings.create({ model: 'albert-embeddings', input: ['un', 'deux'] });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding).toHaveLength(8);
    expect(onPremises.requests.filter((request) => request.path === '/v1/embeddings')).toHaveLength(1);
  });

  it('sends a sensitive request only to the provider cleared for it, and refuses a restricted one, audited', async () => {
    for (let index = 0; index < 6; index += 1) {
      const answer = await ask('Dossier sensible', { headers: { 'X-Bureau-Sensitivity': 'sensitive' } });
      expect(answer.choices[0]?.message.content).toBe('Réponse de onprem : Dossier sensible');
    }
    expect(cloud.requests).toHaveLength(0);

    const refused = await ask('Diffusion restreinte', { headers: { 'X-Bureau-Sensitivity': 'restricted' } }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe('AI_NO_CLEARED_PROVIDER');
    expect((refused as InstanceType<typeof OpenAI.APIError>).message).toContain('Diffusion restreinte');
    expect(onPremises.requests).toHaveLength(6);
    expect(cloud.requests).toHaveLength(0);
    const audit = await app.platform.audit.query({ action: 'assistant.routing.refused', limit: 10 });
    expect(audit.items[0]).toMatchObject({
      outcome: 'denied',
      organisationId,
      details: { model: 'albert-large', level: 'restricted' },
    });
  });

  it('raises the level to the labels of the Bureau data a request carries, never lowers it, and refuses unreadable data', async () => {
    // The documents module's spaces (`docs.space`) stand for any Bureau data here.
    const authz = app.platform.authz;
    const agentId = (await app.identity.directory.findUserByEmail('agent@min.gouv.fr'))?.id ?? '';
    const space = { type: 'docs.space', id: '00000000-0000-4000-8000-00000000a001' };
    const secret = { type: 'docs.space', id: '00000000-0000-4000-8000-00000000a002' };
    await authz.registerResource({ ...space, organisationId, defaultLabel: 'sensitive' });
    await authz.registerResource({ ...secret, organisationId, defaultLabel: 'internal' });
    await authz.grant({ resource: space, principal: { kind: 'user', id: agentId }, role: 'reader' }, { actor: system });
    const withData = (resources: unknown, headers: Record<string, string> = {}) =>
      client.chat.completions.create(
        {
          model: 'albert-large',
          messages: [{ role: 'user', content: 'Résumer le dossier' }],
          bureau_resources: resources,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming,
        { headers },
      );
    for (let index = 0; index < 4; index += 1) {
      const answer = await withData([space], { 'X-Bureau-Sensitivity': 'public' });
      expect(answer.choices[0]?.message.content).toBe('Réponse de onprem : Résumer le dossier');
    }
    expect(cloud.requests).toHaveLength(0);
    // Nothing reached a provider with the resource list itself.
    expect(onPremises.requests.at(-1)?.rawBody).not.toContain('bureau_resources');
    const unreadable = await withData([secret]).catch((error: unknown) => error);
    expect(unreadable).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((unreadable as InstanceType<typeof OpenAI.APIError>).code).toBe('AI_RESOURCE_NOT_READABLE');
  });

  it('pseudonymises personal data for the provider that requires it and restores it in answers and streams', async () => {
    const text = 'Écrire à claire.martin@interieur.gouv.fr ou au 01 23 45 67 89';
    const answer = await ask(text, { headers: { 'X-Bureau-Sensitivity': 'sensitive' } });
    expect(answer.choices[0]?.message.content).toBe(`Réponse de onprem : ${text}`);
    const received = onPremises.requests.at(-1)?.rawBody ?? '';
    expect(received).not.toContain('claire.martin');
    expect(received).not.toContain('45 67');
    expect(received).toContain('[EMAIL_1]');

    const stream = await client.chat.completions.create(
      { model: 'albert-large', messages: [{ role: 'user', content: text }], stream: true },
      { headers: { 'X-Bureau-Sensitivity': 'sensitive' } },
    );
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(`Réponse de onprem : ${text}`);
  });

  it('fails over to another cleared provider before the first byte, never after it', async () => {
    onPremises.setBehaviour({ kind: 'fail', status: 503 });
    for (let index = 0; index < 3; index += 1) {
      expect((await ask('Panne')).choices[0]?.message.content).toBe('Réponse de cloud : Panne');
    }
    const providers = await app.http.inject({ url: '/api/admin/assistant/providers', headers: adminHeaders });
    expect(providers.json<{ items: Array<Record<string, unknown>> }>().items[0]).toMatchObject({
      id: 'onprem-vllm',
      health: 'unhealthy',
      lastError: 'HTTP 503',
    });
    onPremises.setBehaviour({ kind: 'normal' });
    cloud.setBehaviour({ kind: 'hang' });
    expect((await ask('Lenteur')).choices[0]?.message.content).toBe('Réponse de onprem : Lenteur');

    cloud.setBehaviour({ kind: 'die-mid-stream', afterChunks: 2 });
    onPremises.setBehaviour({ kind: 'die-mid-stream', afterChunks: 2 });
    onPremises.reset();
    cloud.reset();
    const stream = await client.chat.completions.create({
      model: 'albert-large',
      messages: [{ role: 'user', content: 'Interrompu en cours de route' }],
      stream: true,
    });
    const consumed = (async () => {
      for await (const chunk of stream) void chunk;
    })();
    await expect(consumed).rejects.toThrow(/interrompu|stopped/);
    // One provider was called: the failure came after the first byte.
    expect(onPremises.requests.length + cloud.requests.length).toBe(1);

    const sensitiveDown = await ask('Seul fournisseur habilité en panne', {
      headers: { 'X-Bureau-Sensitivity': 'sensitive' },
    }).catch((error: unknown) => error);
    expect(sensitiveDown).toBeInstanceOf(OpenAI.APIError);
    expect((sensitiveDown as InstanceType<typeof OpenAI.APIError>).code).toBe('AI_UPSTREAM_FAILED');
  });

  it('answers 429 with Retry-After past a quota, exactly under 50 concurrent requests, and records usage exactly', async () => {
    const setQuota = (payload: Record<string, unknown>) =>
      app.http.inject({ method: 'PUT', url: '/api/admin/assistant/quotas', headers: adminHeaders, payload });
    expect(
      (
        await setQuota({
          scopeType: 'api-key',
          scopeId: apiKeyId,
          model: 'albert-large',
          requestsPerMinute: 20,
          tokensPerMinute: null,
          tokensPerDay: null,
        })
      ).statusCode,
    ).toBe(200);
    const before = await usageTotals();
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, index) => ask(`Question ${index}`)));
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(fulfilled).toHaveLength(20);
    expect(refused).toHaveLength(30);
    const rateLimited =
      refused[0]?.status === 'rejected' ? (refused[0].reason as InstanceType<typeof OpenAI.APIError>) : undefined;
    expect(rateLimited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number(rateLimited?.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(rateLimited?.code).toBe('AI_QUOTA_EXCEEDED');

    const after = await usageTotals();
    const answered = fulfilled.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    expect(after.requests - before.requests).toBe(50);
    expect(after.prompt_tokens - before.prompt_tokens).toBe(
      answered.reduce((sum, answer) => sum + (answer?.usage?.prompt_tokens ?? 0), 0),
    );
    expect(after.completion_tokens - before.completion_tokens).toBe(
      answered.reduce((sum, answer) => sum + (answer?.usage?.completion_tokens ?? 0), 0),
    );
    await app.http.inject({
      method: 'DELETE',
      url: `/api/admin/assistant/quotas?scopeType=api-key&scopeId=${apiKeyId}&model=albert-large`,
      headers: adminHeaders,
    });
    expect((await ask('Après le quota')).choices).toHaveLength(1);
  });

  async function usageTotals() {
    const response = await fetch(`${address}/v1/usage?limit=1`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(response.status).toBe(200);
    return (
      (await response.json()) as { totals: { requests: number; prompt_tokens: number; completion_tokens: number } }
    ).totals;
  }

  it("serves an organisation's service key under the organisation's quota, its usage recorded for the organisation", async () => {
    const created = await app.http.inject({
      method: 'POST',
      url: `/api/admin/organisations/${organisationId}/service-keys`,
      headers: adminHeaders,
      payload: { name: 'Logiciel de la préfecture', scopes: ['ai'] },
    });
    expect(created.statusCode).toBe(201);
    const { secret, serviceKey } = created.json<{
      secret: string;
      serviceKey: { id: string; serviceUserId: string };
    }>();
    const program = new OpenAI({ apiKey: secret, baseURL: `${address}/v1`, maxRetries: 0 });
    await app.http.inject({
      method: 'PUT',
      url: '/api/admin/assistant/quotas',
      headers: adminHeaders,
      payload: {
        scopeType: 'organisation',
        scopeId: organisationId,
        model: '*',
        requestsPerMinute: 2,
        tokensPerMinute: null,
        tokensPerDay: null,
      },
    });
    try {
      const answer = await program.chat.completions.create({
        model: 'albert-large',
        messages: [{ role: 'user', content: 'Un' }],
      });
      expect(answer.choices[0]?.message.content).toMatch(/: Un$/);
      await program.chat.completions.create({ model: 'albert-large', messages: [{ role: 'user', content: 'Deux' }] });
      const third = await program.chat.completions
        .create({ model: 'albert-large', messages: [{ role: 'user', content: 'Trois' }] })
        .catch((error: unknown) => error);
      expect(third).toBeInstanceOf(OpenAI.RateLimitError);
      const usage = (await (
        await fetch(`${address}/v1/usage`, { headers: { authorization: `Bearer ${secret}` } })
      ).json()) as { data: Array<{ status: string }>; totals: { requests: number } };
      expect(usage.data.map((row) => row.status)).toEqual(['rate-limited', 'success', 'success']);
      const rows = await app.platform.database.executor
        .withTables<{
          assistant_usage: { api_key_id: string | null; organisation_id: string | null; user_id: string | null };
        }>()
        .selectFrom('assistant_usage')
        .select(['organisation_id', 'user_id'])
        .where('api_key_id', '=', serviceKey.id)
        .execute();
      expect(rows).toHaveLength(3);
      expect(
        rows.every((row) => row.organisation_id === organisationId && row.user_id === serviceKey.serviceUserId),
      ).toBe(true);
    } finally {
      await app.http.inject({
        method: 'DELETE',
        url: `/api/admin/assistant/quotas?scopeType=organisation&scopeId=${organisationId}&model=*`,
        headers: adminHeaders,
      });
    }
  });

  it('lets administrators add, list and remove database providers, the file ones staying read-only', async () => {
    const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
      app.http.inject(
        payload === undefined
          ? { method, url, headers: adminHeaders }
          : { method, url, headers: adminHeaders, payload },
      );
    const listed = await admin('GET', '/api/admin/assistant/providers');
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain('onprem-secret');
    expect(listed.json<{ items: Array<Record<string, unknown>> }>().items).toEqual([
      expect.objectContaining({ id: 'onprem-vllm', source: 'file', hasApiKey: true, clearance: 'sensitive' }),
      expect.objectContaining({ id: 'cloud-api', source: 'file', hasApiKey: true, clearance: 'internal' }),
    ]);
    expect((await admin('DELETE', '/api/admin/assistant/providers/cloud-api')).json()).toMatchObject({
      error: { code: 'AI_PROVIDER_READ_ONLY' },
    });
    const tooHigh = await admin('POST', '/api/admin/assistant/providers', {
      id: 'cloud-restricted',
      baseUrl: cloud.baseUrl,
      hosting: 'public-cloud',
      clearance: 'restricted',
      models: [{ name: 'albert-restreint', upstream: 'gpt-x', type: 'chat' }],
    });
    expect(tooHigh.statusCode).toBe(400);
    expect(tooHigh.json()).toMatchObject({ error: { code: 'AI_REQUEST_INVALID' } });

    const created = await admin('POST', '/api/admin/assistant/providers', {
      id: 'onprem-restricted',
      name: 'Serveur DR',
      baseUrl: cloud.baseUrl,
      apiKey: 'cloud-secret',
      hosting: 'on-premises',
      clearance: 'restricted',
      models: [{ name: 'albert-restreint', upstream: 'gpt-x', type: 'chat' }],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'onprem-restricted', source: 'database', hasApiKey: true });
    expect(created.body).not.toContain('cloud-secret');
    const restricted = await client.chat.completions.create(
      { model: 'albert-restreint', messages: [{ role: 'user', content: 'Note DR' }] },
      { headers: { 'X-Bureau-Sensitivity': 'restricted' } },
    );
    expect(restricted.choices[0]?.message.content).toBe('Réponse de cloud : Note DR');
    // Checked at once once added; changed without its key sent, it keeps its key.
    await expect
      .poll(async () => {
        const providers = await admin('GET', '/api/admin/assistant/providers');
        return providers.json<{ items: Array<{ id: string; health: string }> }>().items.at(-1)?.health;
      })
      .toBe('healthy');
    const renamed = await app.http.inject({
      method: 'PUT',
      url: '/api/admin/assistant/providers/onprem-restricted',
      headers: adminHeaders,
      payload: {
        name: 'Serveur DR renommé',
        baseUrl: cloud.baseUrl,
        hosting: 'on-premises',
        clearance: 'restricted',
        models: [{ name: 'albert-restreint', upstream: 'gpt-x', type: 'chat' }],
      },
    });
    expect(renamed.json()).toMatchObject({ name: 'Serveur DR renommé', hasApiKey: true });
    expect(
      (
        await client.chat.completions.create(
          { model: 'albert-restreint', messages: [{ role: 'user', content: 'Toujours' }] },
          { headers: { 'X-Bureau-Sensitivity': 'restricted' } },
        )
      ).choices[0]?.message.content,
    ).toBe('Réponse de cloud : Toujours');
    const clash = await admin('POST', '/api/admin/assistant/providers', {
      id: 'clash',
      baseUrl: cloud.baseUrl,
      hosting: 'on-premises',
      clearance: 'restricted',
      models: [{ name: 'albert-large', type: 'embeddings' }],
    });
    expect(clash.statusCode).toBe(400);
    expect(clash.json()).toMatchObject({ error: { code: 'AI_REQUEST_INVALID' } });
    const audit = await app.platform.audit.query({ action: 'assistant.provider.created', limit: 5 });
    expect(audit.items[0]).toMatchObject({ target: { id: 'onprem-restricted' } });
    const models = await admin('GET', '/api/admin/assistant/models');
    expect(models.json<{ items: Array<{ name: string }> }>().items.map((model) => model.name)).toContain(
      'albert-restreint',
    );

    expect((await admin('DELETE', '/api/admin/assistant/providers/onprem-restricted')).statusCode).toBe(204);
    const gone = await client.chat.completions
      .create({ model: 'albert-restreint', messages: [{ role: 'user', content: 'Encore' }] })
      .catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    const agent = await app.http.inject({
      url: '/api/admin/assistant/providers',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(agent.statusCode).toBe(403);
  });

  it('stops the call to the provider when the client goes away in the middle of a stream', async () => {
    const slow = await startFakeOpenAiUpstream({
      name: 'slow',
      chunkDelayMs: 20,
      models: [{ id: 'slow-chat', type: 'chat' }],
    });
    try {
      const created = await app.http.inject({
        method: 'POST',
        url: '/api/admin/assistant/providers',
        headers: adminHeaders,
        payload: {
          id: 'slow',
          baseUrl: slow.baseUrl,
          hosting: 'on-premises',
          clearance: 'restricted',
          models: [{ name: 'albert-lent', upstream: 'slow-chat', type: 'chat' }],
        },
      });
      expect(created.statusCode).toBe(201);
      const stream = await client.chat.completions.create({
        model: 'albert-lent',
        messages: [{ role: 'user', content: 'Une très longue réponse '.repeat(50) }],
        stream: true,
      });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) break;
      }
      stream.controller.abort();
      await expect.poll(() => slow.inFlight, { timeout: 3000 }).toBe(0);
      await expect
        .poll(
          async () => {
            await app.assistant.gateway.flushUsage();
            const [row] = await app.platform.database.executor
              .withTables<{ assistant_usage: { status: string; model: string; at: string; id: string } }>()
              .selectFrom('assistant_usage')
              .select('status')
              .where('model', '=', 'albert-lent')
              .execute();
            return row?.status;
          },
          { timeout: 3000 },
        )
        .toBe('cancelled');
    } finally {
      await app.http.inject({ method: 'DELETE', url: '/api/admin/assistant/providers/slow', headers: adminHeaders });
      await slow.close();
    }
  });

  it('refuses bad input with OpenAI-shaped errors and stable codes', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${address}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const noMessages = await post({ model: 'albert-large' });
    expect(noMessages.status).toBe(400);
    expect(await noMessages.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'AI_REQUEST_INVALID' },
    });
    const unknownModel = await post({ model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] });
    expect(unknownModel.status).toBe(404);
    expect(await unknownModel.json()).toMatchObject({ error: { code: 'AI_MODEL_NOT_FOUND' } });
    const wrongType = await post({ model: 'albert-embeddings', messages: [{ role: 'user', content: 'x' }] });
    expect(wrongType.status).toBe(400);
    const badLevel = await post(
      { model: 'albert-large', messages: [{ role: 'user', content: 'x' }] },
      { 'x-bureau-sensitivity': 'secret' },
    );
    expect(badLevel.status).toBe(400);
    expect(await badLevel.json()).toMatchObject({ error: { code: 'AI_SENSITIVITY_INVALID' } });
    expect((await post('{not json')).status).toBe(400);
    const anonymous = await fetch(`${address}/v1/models`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { type: 'authentication_error' } });
  });
});

describe('Model gateway without providers', () => {
  it('starts and answers that no provider is configured', async () => {
    const environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
    const app = await buildApp(environment.config);
    try {
      await app.migrate();
      await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
      await app.identity.directory.createUser({ email: 'agent@min.gouv.fr', password, displayName: 'Agent' }, system);
      const headers = await signInHeaders(app, { email: 'agent@min.gouv.fr', password, publicUrl });
      const response = await app.http.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers,
        payload: { model: 'albert-large', messages: [{ role: 'user', content: 'Bonjour' }] },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: { type: 'api_error', code: 'AI_NO_PROVIDER' } });
      const models = await app.http.inject({ url: '/v1/models', headers });
      expect(models.json()).toEqual({ object: 'list', data: [] });
    } finally {
      await app.close();
      await environment.destroy();
    }
  });
});
