import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  countFakePromptTokens,
  countFakeTokens,
  startFakeOpenAiUpstream,
  type FakeUpstream,
} from './fake-openai-upstream.ts';

const apiKey = 'sk-test-alpha';

const conversation: ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Tu es un assistant administratif.' },
  { role: 'user', content: 'Bonjour' },
  { role: 'assistant', content: 'Bonjour, que puis-je faire ?' },
  { role: 'user', content: 'Résume le dossier de [PERSONNE_1] en deux phrases.' },
];

function lengthOf(vector: readonly number[]): number {
  return Math.hypot(...vector);
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('fake OpenAI upstream', () => {
  let upstream: FakeUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeOpenAiUpstream({
      apiKey,
      name: 'alpha',
      models: [
        { id: 'albert-large', type: 'chat' },
        { id: 'BAAI/bge-m3', type: 'embeddings' },
        { id: 'BAAI/bge-reranker-v2-m3', type: 'rerank' },
      ],
    });
    client = new OpenAI({ apiKey, baseURL: upstream.baseUrl, maxRetries: 0 });
  });

  afterEach(() => {
    upstream.setBehaviour({ kind: 'normal' });
    upstream.reset();
  });

  afterAll(async () => {
    await upstream.close();
  });

  it('lists the models it serves, owned by its name', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);

    expect(models.map((model) => model.id)).toEqual(['albert-large', 'BAAI/bge-m3', 'BAAI/bge-reranker-v2-m3']);
    expect(models[0]).toMatchObject({ object: 'model', owned_by: 'alpha' });
    expect(Number.isInteger(models[0]?.created)).toBe(true);
  });

  it('answers a completion with the last user message echoed and exact usage', async () => {
    const completion = await client.chat.completions.create({ model: 'albert-large', messages: conversation });

    const content = 'Réponse de alpha : Résume le dossier de [PERSONNE_1] en deux phrases.';
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'albert-large',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    // (5 + 3) + (1 + 3) + (5 + 3) + (8 + 3) words and per-message overhead, then 12 words of reply.
    expect(completion.usage).toEqual({ prompt_tokens: 31, completion_tokens: 12, total_tokens: 43 });
    expect(countFakePromptTokens(conversation)).toBe(31);
    expect(countFakeTokens(content)).toBe(12);
  });

  it('counts the text parts of a message given as content parts', async () => {
    const completion = await client.chat.completions.create({
      model: 'albert-large',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Première partie' },
            { type: 'text', text: 'et seconde' },
          ],
        },
      ],
    });

    expect(completion.choices[0]?.message.content).toBe('Réponse de alpha : Première partie\net seconde');
    expect(completion.usage?.prompt_tokens).toBe(4 + 3);
  });

  it('cuts the reply to max_tokens words and says so in finish_reason', async () => {
    const completion = await client.chat.completions.create({
      model: 'albert-large',
      messages: conversation,
      max_tokens: 5,
    });

    expect(completion.choices[0]?.message.content).toBe('Réponse de alpha : Résume');
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(5);
  });

  it('streams the same content as the non-streaming answer, word by word, then the usage', async () => {
    const whole = await client.chat.completions.create({ model: 'albert-large', messages: conversation });
    const stream = await client.chat.completions.create({
      model: 'albert-large',
      messages: conversation,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);

    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]?.id)).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const contentDeltas = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').filter(Boolean);
    expect(contentDeltas.length).toBe(12);
    expect(contentDeltas.join('')).toBe(whole.choices[0]?.message.content);
    const finishChunk = chunks.at(-2);
    expect(finishChunk?.choices[0]?.finish_reason).toBe('stop');
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toEqual(whole.usage);
  });

  it('sends no usage chunk when the client does not ask for it', async () => {
    const chunks = await collect(
      await client.chat.completions.create({ model: 'albert-large', messages: conversation, stream: true }),
    );

    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it('speaks server-sent events on the wire, ending with [DONE]', async () => {
    const response = await fetch(`${upstream.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'albert-large', messages: [{ role: 'user', content: 'Salut' }], stream: true }),
    });
    const text = await response.text();

    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-fake-upstream')).toBe('alpha');
    const events = text.split('\n\n').filter(Boolean);
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
    // The role, the 5 words of "Réponse de alpha : Salut", the finish_reason, then the end marker.
    expect(events).toHaveLength(8);
    expect(events.at(-1)).toBe('data: [DONE]');
  });

  it('splits streamed content into deltas of a fixed number of characters when asked', async () => {
    const splitting = await startFakeOpenAiUpstream({ deltaCharacters: 4, name: 'beta' });
    try {
      const splittingClient = new OpenAI({ apiKey: 'unused', baseURL: splitting.baseUrl, maxRetries: 0 });
      const chunks = await collect(
        await splittingClient.chat.completions.create({
          model: 'fake-chat',
          messages: [{ role: 'user', content: '[PERSONNE_1]' }],
          stream: true,
        }),
      );
      const deltas = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').filter(Boolean);

      expect(deltas.join('')).toBe('Réponse de beta : [PERSONNE_1]');
      expect(deltas.every((delta) => Array.from(delta).length <= 4)).toBe(true);
      expect(deltas.some((delta) => delta.includes('[PERSONNE_1]'))).toBe(false);
    } finally {
      await splitting.close();
    }
  });

  it('replies what the test scripts and paces the stream when asked', async () => {
    const scripted = await startFakeOpenAiUpstream({
      reply: (request) => `Vous avez écrit ${request.messages.length} messages`,
      chunkDelayMs: 60,
    });
    try {
      const scriptedClient = new OpenAI({ apiKey: 'unused', baseURL: scripted.baseUrl, maxRetries: 0 });
      const arrivals: Array<{ at: number; content: string }> = [];
      const stream = await scriptedClient.chat.completions.create({
        model: 'fake-chat',
        messages: conversation,
        stream: true,
      });
      for await (const chunk of stream) {
        arrivals.push({ at: performance.now(), content: chunk.choices[0]?.delta.content ?? '' });
      }

      expect(arrivals.map((arrival) => arrival.content).join('')).toBe('Vous avez écrit 4 messages');
      // Seven events (role, five words, finish) and the end marker, 60 ms apart: the first came well before the last.
      const spread = (arrivals.at(-1)?.at ?? 0) - (arrivals[0]?.at ?? 0);
      expect(spread).toBeGreaterThanOrEqual(5 * 60);
    } finally {
      await scripted.close();
    }
  });

  it('embeds a string and an array of strings into deterministic unit vectors', async () => {
    const single = await client.embeddings.create({
      model: 'BAAI/bge-m3',
      input: 'permis de construire',
      encoding_format: 'float',
    });
    const batch = await client.embeddings.create({
      model: 'BAAI/bge-m3',
      input: ['permis de construire', 'acte de naissance'],
      encoding_format: 'float',
    });

    expect(single).toMatchObject({
      object: 'list',
      model: 'BAAI/bge-m3',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    expect(batch.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    expect(batch.data.map((item) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    const [first, second] = batch.data.map((item) => item.embedding);
    expect(first).toHaveLength(8);
    expect(first).toEqual(single.data[0]?.embedding);
    expect(second).not.toEqual(first);
    for (const vector of [first ?? [], second ?? []]) expect(lengthOf(vector)).toBeCloseTo(1, 5);
  });

  it('places texts that share words closer than texts that do not', async () => {
    const { data } = await client.embeddings.create({
      model: 'BAAI/bge-m3',
      input: ['demande de permis de construire', 'permis de construire une maison', 'horaires de la piscine'],
      encoding_format: 'float',
    });
    const [query, near, far] = data.map((item) => item.embedding);
    const cosine = (left: number[] = [], right: number[] = []) =>
      left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);

    expect(cosine(query, near)).toBeGreaterThan(cosine(query, far));
  });

  it('answers base64 embeddings that the SDK decodes, by default, to the same floats', async () => {
    const asFloats = await client.embeddings.create({
      model: 'BAAI/bge-m3',
      input: ['un', 'deux'],
      encoding_format: 'float',
    });
    const byDefault = await client.embeddings.create({ model: 'BAAI/bge-m3', input: ['un', 'deux'] });

    const onTheWire = await fetch(`${upstream.baseUrl}/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'BAAI/bge-m3', input: 'un', encoding_format: 'base64' }),
    });
    const { data } = (await onTheWire.json()) as { data: Array<{ embedding: string }> };

    // The SDK asks for base64 on the wire when the caller names no encoding.
    expect(upstream.requests.at(-2)?.body).toMatchObject({ encoding_format: 'base64' });
    expect(typeof data[0]?.embedding).toBe('string');
    expect(Buffer.from(data[0]?.embedding ?? '', 'base64')).toHaveLength(8 * 4);
    expect(byDefault.data.map((item) => item.embedding)).toEqual(asFloats.data.map((item) => item.embedding));
  });

  it('honours the dimensions asked for and the default set by the options', async () => {
    const { data } = await client.embeddings.create({
      model: 'BAAI/bge-m3',
      input: 'texte',
      dimensions: 20,
      encoding_format: 'float',
    });
    const wide = await startFakeOpenAiUpstream({ embeddingDimensions: 1024 });
    try {
      const wideClient = new OpenAI({ apiKey: 'unused', baseURL: wide.baseUrl, maxRetries: 0 });
      const wideEmbedding = await wideClient.embeddings.create({ model: 'fake-embeddings', input: 'texte' });

      expect(data[0]?.embedding).toHaveLength(20);
      expect(lengthOf(data[0]?.embedding ?? [])).toBeCloseTo(1, 5);
      expect(wideEmbedding.data[0]?.embedding).toHaveLength(1024);
    } finally {
      await wide.close();
    }
  });

  it('refuses a wrong key with OpenAI’s 401, which the SDK surfaces as an AuthenticationError', async () => {
    const intruder = new OpenAI({ apiKey: 'sk-wrong', baseURL: upstream.baseUrl, maxRetries: 0 });

    const error = await intruder.models.list().then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error', param: null });
  });

  it('answers an unknown model with model_not_found, a NotFoundError for the SDK', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-unknown', messages: conversation }).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('refuses embeddings from a chat model with a 400', async () => {
    await expect(client.embeddings.create({ model: 'albert-large', input: 'texte' })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });

  it('answers bad JSON and missing fields with 400 in the error shape', async () => {
    const post = (path: string, body: string) =>
      fetch(`${upstream.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body,
      });

    const answers = [
      await post('/chat/completions', '{"model": "albert-large",'),
      await post('/chat/completions', JSON.stringify({ model: 'albert-large' })),
      await post('/embeddings', JSON.stringify({ model: 'BAAI/bge-m3' })),
      await post('/rerank', JSON.stringify({ model: 'BAAI/bge-reranker-v2-m3', documents: ['a'] })),
    ];
    const bodies = await Promise.all(answers.map((response) => response.json() as Promise<{ error: unknown }>));

    expect(answers.map((response) => response.status)).toEqual([400, 400, 400, 400]);
    expect(bodies.map(({ error }) => error && Object.keys(error).sort())).toEqual(
      Array.from({ length: 4 }, () => ['code', 'message', 'param', 'type']),
    );
    expect(bodies.map(({ error }) => error)).toMatchObject([
      { type: 'invalid_request_error', param: null, code: null },
      { type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' },
      { type: 'invalid_request_error', param: 'input', code: 'missing_required_parameter' },
      { type: 'invalid_request_error', param: 'query', code: 'missing_required_parameter' },
    ]);
    expect(upstream.requests.at(-3)?.body).toEqual({ model: 'albert-large' });
  });

  it('fails with the status asked for, then only for the number of times asked', async () => {
    upstream.setBehaviour({ kind: 'fail', status: 503, times: 1 });

    const error = await client.chat.completions.create({ model: 'albert-large', messages: conversation }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    const next = await client.chat.completions.create({ model: 'albert-large', messages: conversation });

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: 503, type: 'server_error' });
    expect(next.choices[0]?.finish_reason).toBe('stop');
  });

  it('hangs until the SDK gives up on its timeout', async () => {
    upstream.setBehaviour({ kind: 'hang' });

    const error = await client.models.list({ timeout: 200 }).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect.poll(() => upstream.inFlight).toBe(0);
  });

  it('waits before its first byte when delayed', async () => {
    upstream.setBehaviour({ kind: 'delay', firstByteMs: 150, times: 1 });

    const startedAt = performance.now();
    await client.models.list();
    const delayed = performance.now() - startedAt;

    expect(delayed).toBeGreaterThanOrEqual(140);
  });

  it('cuts a stream after the chunks asked for, and the SDK’s iterator throws', async () => {
    upstream.setBehaviour({ kind: 'die-mid-stream', afterChunks: 3 });
    const received: ChatCompletionChunk[] = [];

    const stream = await client.chat.completions.create({
      model: 'albert-large',
      messages: conversation,
      stream: true,
    });
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(failure).toBeInstanceOf(Error);
    expect(received.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(['', 'Réponse', ' de']);
  });

  it('cuts a non-streaming answer after its headers, so the SDK fails while reading the body', async () => {
    upstream.setBehaviour({ kind: 'die-mid-stream', afterChunks: 0 });

    const error = await client.chat.completions.create({ model: 'albert-large', messages: conversation }).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    // Had the headers not arrived, fetch itself would have failed and the SDK would say APIConnectionError;
    // a body cut short surfaces as undici's own error, unwrapped.
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'terminated' });
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
  });

  it('records every request and the concurrency of 10 simultaneous calls', async () => {
    // Long enough for all ten to arrive before the first is answered, even on a busy machine.
    upstream.setBehaviour({ kind: 'delay', firstByteMs: 300 });

    const completions = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        client.chat.completions.create({
          model: 'albert-large',
          messages: [{ role: 'user', content: `Question ${index}` }],
        }),
      ),
    );

    expect(completions.map((completion) => completion.choices[0]?.message.content)).toEqual(
      Array.from({ length: 10 }, (_, index) => `Réponse de alpha : Question ${index}`),
    );
    expect(upstream.maxInFlight).toBe(10);
    await expect.poll(() => upstream.inFlight).toBe(0);
    expect(upstream.requests).toHaveLength(10);
    const [first] = upstream.requests;
    expect(first).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(first?.at).toBeGreaterThan(0);
    expect(first?.headers.authorization).toBe(`Bearer ${apiKey}`);
    // Arrival order is the network's; the set of bodies is what the clients sent.
    expect(upstream.requests.map((request) => request.rawBody).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) =>
        JSON.stringify({ model: 'albert-large', messages: [{ role: 'user', content: `Question ${index}` }] }),
      ).sort(),
    );
    expect(upstream.requests.every((request) => JSON.stringify(request.body) === request.rawBody)).toBe(true);

    upstream.reset();
    expect(upstream.requests).toEqual([]);
    expect(upstream.maxInFlight).toBe(0);
  });

  it('reranks documents in vLLM’s shape, best first, cut to top_n', async () => {
    const response = await fetch(`${upstream.baseUrl}/rerank`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'BAAI/bge-reranker-v2-m3',
        query: 'permis de construire',
        documents: ['horaires de la piscine', 'permis de construire une maison', 'demande de permis'],
        top_n: 2,
      }),
    });

    const { id, ...answer } = (await response.json()) as { id: string };

    expect(response.status).toBe(200);
    expect(id).toMatch(/^rerank-/);
    expect(answer).toEqual({
      model: 'BAAI/bge-reranker-v2-m3',
      usage: { prompt_tokens: 3 * 3 + 4 + 5 + 3, total_tokens: 3 * 3 + 4 + 5 + 3 },
      results: [
        { index: 1, document: { text: 'permis de construire une maison' }, relevance_score: 1 },
        { index: 2, document: { text: 'demande de permis' }, relevance_score: 2 / 3 },
      ],
    });
  });

  it('destroys a hanging request when it closes', async () => {
    const closing = await startFakeOpenAiUpstream({ name: 'gamma' });
    closing.setBehaviour({ kind: 'hang' });

    const pending = fetch(`${closing.baseUrl}/models`).then(
      () => 'answered',
      () => 'cut',
    );
    await expect.poll(() => closing.requests.length).toBe(1);
    await closing.close();

    expect(await pending).toBe('cut');
  });
});
