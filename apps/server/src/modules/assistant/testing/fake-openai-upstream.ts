import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an upstream model is for, which decides the endpoints that accept it. */
export type FakeModelType = 'chat' | 'embeddings' | 'rerank';

/** One model served by the fake upstream. */
export interface FakeModel {
  id: string;
  type: FakeModelType;
}

/** The models served when the options name none. */
export const DEFAULT_FAKE_MODELS: readonly FakeModel[] = [
  { id: 'fake-chat', type: 'chat' },
  { id: 'fake-embeddings', type: 'embeddings' },
  { id: 'fake-rerank', type: 'rerank' },
];

export interface FakeUpstreamOptions {
  /** When set, every request must carry `Authorization: Bearer <apiKey>` or gets OpenAI's 401. */
  apiKey?: string;
  /** The upstream model ids served; {@link DEFAULT_FAKE_MODELS} by default. */
  models?: readonly FakeModel[];
  /** Length of the embedding vectors when the request does not ask for `dimensions`; 8 by default. */
  embeddingDimensions?: number;
  /**
   * Appears in chat replies (`Réponse de <name> : ...`), in `owned_by` of the models and in the
   * `x-fake-upstream` header of every answer, so that a test can tell which upstream answered.
   */
  name?: string;
  /** Pause between two streamed events, to observe that a proxy forwards them as they come; 0 by default. */
  chunkDelayMs?: number;
  /**
   * Streamed content is cut into deltas of this many characters instead of word by word, so that a test
   * can check what happens when a placeholder is split across two deltas.
   */
  deltaCharacters?: number;
  /** Replaces the echo reply; receives the request body as the client sent it. */
  reply?: (request: FakeChatRequest) => string;
  /** Whether to keep every request in `requests`; a benchmark sending many turns it off. True by default. */
  recordRequests?: boolean;
}

/**
 * How the upstream answers the next requests (every endpoint, before the key is checked, as a failing
 * proxy or an overloaded server would). With `times`, only the next `times` requests, then `normal` again.
 */
export type FakeUpstreamBehaviour =
  | { kind: 'normal' }
  /** Answers `status` with a body in OpenAI's error shape, before any byte of a success. */
  | { kind: 'fail'; status: number; message?: string; times?: number }
  /** Waits before sending the headers, then answers normally. */
  | { kind: 'delay'; firstByteMs: number; times?: number }
  /** Never answers, until the client goes away or the upstream is closed. */
  | { kind: 'hang'; times?: number }
  /**
   * Streaming: sends the first `afterChunks` events (the role chunk is the first one) then destroys the
   * socket. Non-streaming: sends the headers then destroys the socket.
   */
  | { kind: 'die-mid-stream'; afterChunks: number; times?: number };

/** One request as the upstream received it. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when the body was empty or not JSON. */
  body: unknown;
  /** The body exactly as received, to check that some text never reached the upstream. */
  rawBody: string;
  /** When the whole body had arrived (epoch milliseconds). */
  at: number;
}

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>/v1`, what an OpenAI client takes as `baseURL`. */
  readonly baseUrl: string;
  /** Requests received since the start or the last `reset()`, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** The most requests answered at the same time since the start or the last `reset()`. */
  readonly maxInFlight: number;
  setBehaviour(behaviour: FakeUpstreamBehaviour): void;
  /** Forgets the recorded requests and resets `maxInFlight` to `inFlight`; the behaviour stays. */
  reset(): void;
  /** Stops listening and destroys open sockets, hanging requests included. */
  close(): Promise<void>;
}

/** A chat message as the fake reads it: text content, or content parts of which the text ones count. */
export interface FakeChatMessage {
  role: string;
  content?: string | ReadonlyArray<{ type: string; text?: string }> | null;
}

/** The fields of a chat completion request that the fake reads. */
export interface FakeChatRequest {
  model: string;
  messages: FakeChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
}

/**
 * The fake's tokenizer: the number of whitespace-separated words. Every count the upstream reports is
 * built from it, so that quota and usage tests can compute exact expectations.
 */
export function countFakeTokens(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

/**
 * `prompt_tokens` of a chat completion: for each message, `countFakeTokens` of its text (text parts
 * joined by a newline) plus 3 for the role and separators, as OpenAI counts a few tokens per message.
 */
export function countFakePromptTokens(messages: readonly FakeChatMessage[]): number {
  return messages.reduce((sum, message) => sum + countFakeTokens(textOf(message.content)) + 3, 0);
}

/**
 * The default chat reply: `Réponse de <name> : <text of the last user message>`, so that a test sees
 * what the model received and can check what the client gets back.
 */
export function fakeEchoReply(name: string, messages: readonly FakeChatMessage[]): string {
  const lastUserMessage = messages.findLast((message) => message.role === 'user');
  return `Réponse de ${name} : ${textOf(lastUserMessage?.content)}`;
}

/**
 * The fake's embedding of a text: the normalised sum of one pseudo-random vector per lower-cased word
 * (sha256 of the word), so vectors are deterministic, of unit length, and texts that share words are
 * closer than texts that do not. Components are float32 values, as OpenAI and vLLM return.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const sum = new Array<number>(dimensions).fill(0);
  // An empty text still gets a unit vector, the one of the empty word.
  for (const word of words.length > 0 ? words : ['']) {
    for (let block = 0; block * 8 < dimensions; block += 1) {
      const digest = createHash('sha256').update(`${block}\u0000${word}`).digest();
      for (let offset = 0; offset < 8 && block * 8 + offset < dimensions; offset += 1) {
        const index = block * 8 + offset;
        sum[index] = (sum[index] ?? 0) + (digest.readUInt32LE(offset * 4) / 0xffffffff) * 2 - 1;
      }
    }
  }
  const norm = Math.hypot(...sum) || 1;
  return sum.map((value) => Math.fround(value / norm));
}

/**
 * The fake reranker's score: the share of the query's distinct lower-cased words found in the
 * document, between 0 and 1.
 */
export function fakeRelevanceScore(query: string, document: string): number {
  const queryWords = new Set(query.toLowerCase().split(/\s+/).filter(Boolean));
  if (queryWords.size === 0) return 0;
  const documentWords = new Set(document.toLowerCase().split(/\s+/).filter(Boolean));
  let shared = 0;
  for (const word of queryWords) if (documentWords.has(word)) shared += 1;
  return shared / queryWords.size;
}

function textOf(content: FakeChatMessage['content'] | undefined): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .filter((part) => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}

/** An answer in OpenAI's error shape, thrown by validation and turned into a response. */
class UpstreamError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;

  constructor(status: number, message: string, type: string, code: string | null, param: string | null = null) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function invalidRequest(message: string, param: string | null = null, code: string | null = null) {
  return new UpstreamError(400, message, 'invalid_request_error', code, param);
}

function missingParameter(param: string) {
  return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

/** The error body OpenAI sends for a status, for the `fail` behaviour. */
function failureFor(status: number, message: string | undefined): UpstreamError {
  if (status === 429) {
    return new UpstreamError(status, message ?? 'Rate limit reached.', 'requests', 'rate_limit_exceeded');
  }
  if (status >= 500) {
    return new UpstreamError(
      status,
      message ?? 'The server had an error while processing your request.',
      'server_error',
      null,
    );
  }
  return new UpstreamError(status, message ?? 'The request was rejected.', 'invalid_request_error', null);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalPositiveInteger(body: Record<string, unknown>, param: string): number | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidRequest(`Invalid '${param}': expected an integer greater than 0.`, param, 'invalid_value');
  }
  return value;
}

function parseChatRequest(body: Record<string, unknown>): FakeChatRequest {
  const { messages, stream, stream_options: streamOptions } = body;
  if (messages === undefined) throw missingParameter('messages');
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalidRequest("Invalid 'messages': expected a non-empty array.", 'messages', 'invalid_value');
  }
  for (const [index, message] of messages.entries()) {
    const content: unknown = isRecord(message) ? message.content : undefined;
    const isContentValid =
      content === undefined ||
      content === null ||
      typeof content === 'string' ||
      (Array.isArray(content) && content.every((part) => isRecord(part) && typeof part.type === 'string'));
    if (!isRecord(message) || typeof message.role !== 'string' || !isContentValid) {
      throw invalidRequest(`Invalid 'messages[${index}]'.`, `messages[${index}]`, 'invalid_value');
    }
  }
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    throw invalidRequest("Invalid 'stream': expected a boolean.", 'stream', 'invalid_type');
  }
  if (streamOptions !== undefined && streamOptions !== null) {
    if (stream !== true) {
      throw invalidRequest(
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        'stream_options',
      );
    }
    if (!isRecord(streamOptions)) {
      throw invalidRequest("Invalid 'stream_options': expected an object.", 'stream_options', 'invalid_type');
    }
  }
  optionalPositiveInteger(body, 'max_tokens');
  optionalPositiveInteger(body, 'max_completion_tokens');
  // Validated field by field just above.
  return body as unknown as FakeChatRequest;
}

/** Splits a text into pieces that each begin with their leading whitespace and hold one word. */
function splitWords(text: string): string[] {
  const pieces: string[] = text.match(/\s*\S+/g) ?? [];
  const trailing = text.slice(pieces.join('').length);
  if (trailing.length > 0) pieces.push(trailing);
  return pieces;
}

function splitCharacters(text: string, size: number): string[] {
  const characters = Array.from(text);
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size) {
    pieces.push(characters.slice(start, start + size).join(''));
  }
  return pieces;
}

/** Resolves true after `ms`, or false as soon as the response is closed (client gone, upstream closed). */
function waitUnlessClosed(response: ServerResponse, ms: number): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      response.off('close', onClose);
      resolve(true);
    }, ms);
    response.once('close', onClose);
  });
}

/** Destroys the socket once what was written has reached it, so the client sees it before the cut. */
function destroyAfterFlush(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    response.write('', () => {
      response.destroy();
      resolve();
    });
  });
}

/**
 * Starts an HTTP server on 127.0.0.1 and a random port that speaks the OpenAI API as vLLM and OpenAI
 * do, streaming included, so that the gateway is tested through the real protocol with the official
 * client where no model can run: `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/embeddings`
 * and `POST /v1/rerank` (vLLM's shape: `{ model, query, documents: string[], top_n? }` answered
 * `{ id, model, usage, results: [{ index, document: { text }, relevance_score }] }`, best first).
 *
 * Replies are deterministic: the chat echoes the last user message (see {@link fakeEchoReply}),
 * `max_tokens` / `max_completion_tokens` cut it to that many words (`finish_reason: 'length'`), and
 * usage follows {@link countFakeTokens} and {@link countFakePromptTokens}; embeddings' `prompt_tokens`
 * is the sum of `countFakeTokens` over the inputs, rerank's the sum over documents of the query's
 * and the document's. Not served: `n` above 1, tools, logprobs, token-array inputs.
 */
export async function startFakeOpenAiUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const name = options.name ?? 'fake';
  const models = options.models ?? DEFAULT_FAKE_MODELS;
  const defaultDimensions = options.embeddingDimensions ?? 8;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const isRecording = options.recordRequests ?? true;
  const startedAt = Math.floor(Date.now() / 1000);

  let requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let behaviour: FakeUpstreamBehaviour = { kind: 'normal' };
  let remainingTimes: number | undefined;

  /** The behaviour for one request, counting it against `times`. */
  const takeBehaviour = (): FakeUpstreamBehaviour => {
    const current = behaviour;
    if (remainingTimes !== undefined) {
      remainingTimes -= 1;
      if (remainingTimes <= 0) {
        behaviour = { kind: 'normal' };
        remainingTimes = undefined;
      }
    }
    return current;
  };

  const modelFor = (body: Record<string, unknown>, expectedType: FakeModelType): FakeModel => {
    const { model } = body;
    if (model === undefined || model === null) throw invalidRequest('you must provide a model parameter');
    if (typeof model !== 'string') throw invalidRequest("Invalid 'model': expected a string.", 'model', 'invalid_type');
    const served = models.find((candidate) => candidate.id === model);
    if (!served) {
      throw new UpstreamError(
        404,
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    if (served.type !== expectedType) {
      throw invalidRequest(`The model \`${model}\` does not support the ${expectedType} API.`, 'model');
    }
    return served;
  };

  const checkApiKey = (headers: IncomingHttpHeaders) => {
    if (options.apiKey === undefined) return;
    const authorization = headers.authorization;
    if (authorization === `Bearer ${options.apiKey}`) return;
    const message = authorization
      ? 'Incorrect API key provided.'
      : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    throw new UpstreamError(401, message, 'invalid_request_error', 'invalid_api_key');
  };

  const commonHeaders = () => ({
    'x-request-id': `req_${randomBytes(12).toString('hex')}`,
    'x-fake-upstream': encodeURIComponent(name),
  });

  const sendJson = async (response: ServerResponse, status: number, body: unknown, isDying: boolean) => {
    const payload = JSON.stringify(body);
    response.writeHead(status, {
      ...commonHeaders(),
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    if (isDying) {
      await destroyAfterFlush(response);
      return;
    }
    response.end(payload);
  };

  const sendEvents = async (response: ServerResponse, events: string[], dieAfterChunks: number | undefined) => {
    response.writeHead(200, {
      ...commonHeaders(),
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
    });
    for (const [index, event] of [...events, '[DONE]'].entries()) {
      if (index === dieAfterChunks) {
        await destroyAfterFlush(response);
        return;
      }
      if (index > 0 && chunkDelayMs > 0 && !(await waitUnlessClosed(response, chunkDelayMs))) return;
      if (response.destroyed) return;
      response.write(`data: ${event}\n\n`);
    }
    if (dieAfterChunks !== undefined) {
      await destroyAfterFlush(response);
      return;
    }
    response.end();
  };

  const listModels = () => ({
    object: 'list',
    data: models.map((model) => ({ id: model.id, object: 'model', created: startedAt, owned_by: name })),
  });

  const retrieveModel = (id: string) => {
    const model = models.find((candidate) => candidate.id === id);
    if (!model) {
      throw new UpstreamError(
        404,
        `The model \`${id}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    return { id: model.id, object: 'model', created: startedAt, owned_by: name };
  };

  const completeChat = async (
    response: ServerResponse,
    body: Record<string, unknown>,
    dieAfterChunks: number | undefined,
  ) => {
    const model = modelFor(body, 'chat').id;
    const request = parseChatRequest(body);
    const fullReply = options.reply ? options.reply(request) : fakeEchoReply(name, request.messages);
    const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
    const words = splitWords(fullReply);
    const isTruncated = maxTokens !== undefined && countFakeTokens(fullReply) > maxTokens;
    const content = isTruncated ? words.slice(0, maxTokens).join('').replace(/\s+$/, '') : fullReply;
    const finishReason = isTruncated ? 'length' : 'stop';
    const promptTokens = countFakePromptTokens(request.messages);
    const completionTokens = countFakeTokens(content);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);

    if (request.stream !== true) {
      await sendJson(
        response,
        200,
        {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason, logprobs: null }],
          usage,
        },
        dieAfterChunks !== undefined,
      );
      return;
    }

    const includeUsage = request.stream_options?.include_usage === true;
    // As OpenAI does, every chunk carries `usage: null` when the last one will carry the usage.
    const chunk = (choices: unknown[], chunkUsage: typeof usage | null = null) =>
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices,
        ...(includeUsage ? { usage: chunkUsage } : {}),
      });
    const delta = (fields: Record<string, unknown>, finish: string | null = null) => ({
      index: 0,
      delta: fields,
      logprobs: null,
      finish_reason: finish,
    });
    const pieces = options.deltaCharacters ? splitCharacters(content, options.deltaCharacters) : splitWords(content);
    const events = [
      chunk([delta({ role: 'assistant', content: '' })]),
      ...pieces.map((piece) => chunk([delta({ content: piece })])),
      chunk([delta({}, finishReason)]),
      ...(includeUsage ? [chunk([], usage)] : []),
    ];
    await sendEvents(response, events, dieAfterChunks);
  };

  const embed = (body: Record<string, unknown>) => {
    const model = modelFor(body, 'embeddings').id;
    const { input, encoding_format: encodingFormat } = body;
    if (input === undefined) throw missingParameter('input');
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string')) {
      throw invalidRequest(
        "Invalid 'input': expected a string or a non-empty array of strings.",
        'input',
        'invalid_value',
      );
    }
    if (
      encodingFormat !== undefined &&
      encodingFormat !== null &&
      encodingFormat !== 'float' &&
      encodingFormat !== 'base64'
    ) {
      throw invalidRequest(
        "Invalid 'encoding_format': expected 'float' or 'base64'.",
        'encoding_format',
        'invalid_value',
      );
    }
    const dimensions = optionalPositiveInteger(body, 'dimensions') ?? defaultDimensions;
    const promptTokens = texts.reduce((sum, text) => sum + countFakeTokens(text), 0);
    return {
      object: 'list',
      data: texts.map((text, index) => {
        const vector = fakeEmbedding(text, dimensions);
        return {
          object: 'embedding',
          index,
          embedding: encodingFormat === 'base64' ? toBase64Float32(vector) : vector,
        };
      }),
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    };
  };

  const rerank = (body: Record<string, unknown>) => {
    const model = modelFor(body, 'rerank').id;
    const { query, documents } = body;
    if (query === undefined) throw missingParameter('query');
    if (typeof query !== 'string') throw invalidRequest("Invalid 'query': expected a string.", 'query', 'invalid_type');
    if (documents === undefined) throw missingParameter('documents');
    if (!Array.isArray(documents) || !documents.every((document) => typeof document === 'string')) {
      throw invalidRequest("Invalid 'documents': expected an array of strings.", 'documents', 'invalid_type');
    }
    const topN = body.top_n === 0 ? undefined : optionalPositiveInteger(body, 'top_n');
    const results = documents
      .map((text, index) => ({ index, document: { text }, relevance_score: fakeRelevanceScore(query, text) }))
      .sort((left, right) => right.relevance_score - left.relevance_score || left.index - right.index)
      .slice(0, topN);
    const promptTokens = documents.reduce((sum, text) => sum + countFakeTokens(query) + countFakeTokens(text), 0);
    return {
      id: `rerank-${randomBytes(12).toString('hex')}`,
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      results,
    };
  };

  const route = async (
    response: ServerResponse,
    method: string,
    path: string,
    body: unknown,
    dieAfterChunks: number | undefined,
  ) => {
    const isDying = dieAfterChunks !== undefined;
    if (method === 'GET' && path === '/v1/models') return sendJson(response, 200, listModels(), isDying);
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      return sendJson(response, 200, retrieveModel(decodeURIComponent(path.slice('/v1/models/'.length))), isDying);
    }
    const handlers: Record<string, (jsonBody: Record<string, unknown>) => Promise<void>> = {
      '/v1/chat/completions': (jsonBody) => completeChat(response, jsonBody, dieAfterChunks),
      '/v1/embeddings': (jsonBody) => sendJson(response, 200, embed(jsonBody), isDying),
      '/v1/rerank': (jsonBody) => sendJson(response, 200, rerank(jsonBody), isDying),
    };
    const handler = method === 'POST' ? handlers[path] : undefined;
    if (!handler) throw new UpstreamError(404, `Invalid URL (${method} ${path})`, 'invalid_request_error', null);
    if (body === undefined) {
      throw invalidRequest(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
      );
    }
    if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
    return handler(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.once('close', () => {
      inFlight -= 1;
    });

    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away while sending its body
    }
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (isRecording) requests.push({ method, path, headers: request.headers, body, rawBody, at: Date.now() });

    const current = takeBehaviour();
    if (current.kind === 'hang') return;
    if (current.kind === 'delay' && !(await waitUnlessClosed(response, current.firstByteMs))) return;
    const dieAfterChunks = current.kind === 'die-mid-stream' ? current.afterChunks : undefined;
    try {
      if (current.kind === 'fail') throw failureFor(current.status, current.message);
      checkApiKey(request.headers);
      await route(response, method, path, body, dieAfterChunks);
    } catch (error) {
      // Once a success has begun, the only way left to signal a failure is to cut the connection.
      if (response.headersSent || response.destroyed) {
        response.destroy();
        return;
      }
      const failure =
        error instanceof UpstreamError
          ? error
          : new UpstreamError(500, error instanceof Error ? error.message : String(error), 'server_error', null);
      await sendJson(response, failure.status, failure.toBody(), dieAfterChunks !== undefined);
    }
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return requests;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    setBehaviour(next) {
      behaviour = next;
      remainingTimes = next.kind === 'normal' ? undefined : next.times;
    },
    reset() {
      // A new array, so that a test holding the previous list keeps what it saw.
      requests = [];
      maxInFlight = inFlight;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** OpenAI's `encoding_format: 'base64'`: the vector as little-endian float32 bytes, in base64. */
function toBase64Float32(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}
