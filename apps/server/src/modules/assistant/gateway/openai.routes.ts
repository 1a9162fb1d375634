import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Subject } from '../../../platform/authz/subject.ts';
import type { ErrorKind } from '../../../platform/errors.ts';
import type { ErrorPresenter } from '../../../platform/http/error-mapper.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import { isSensitivityLevel, type SensitivityLevel } from '../../../platform/sensitivity/index.ts';
import { actorOf, requireScope } from '../../identity/index.ts';
import { assistantErrors } from '../assistant.errors.ts';
import type { GatewayRepository } from './gateway.repository.ts';
import type { GatewayCaller, GatewayService } from './gateway.service.ts';
import type { ProviderRegistry } from './provider-registry.ts';

const openAiTypeByKind: Readonly<Record<ErrorKind, string>> = {
  invalid: 'invalid_request_error',
  unauthenticated: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  conflict: 'invalid_request_error',
  gone: 'invalid_request_error',
  too_large: 'invalid_request_error',
  unsupported_media_type: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  unavailable: 'api_error',
  internal: 'api_error',
};

/**
 * Errors of the OpenAI-compatible surface in OpenAI's shape (`{ error: { message, type, param, code } }`),
 * `code` being Bureau's stable code; `Retry-After` on quota and capacity refusals.
 */
export const openAiErrorPresenter: ErrorPresenter = (error, { locale }) => {
  const retryAfterSeconds = error.details?.['retryAfterSeconds'];
  const field = error.details?.['issues'];
  const param =
    Array.isArray(field) && typeof (field[0] as { path?: unknown } | undefined)?.path === 'string'
      ? (field[0] as { path: string }).path
      : null;
  return {
    body: { error: { message: error.messages[locale], type: openAiTypeByKind[error.kind], param, code: error.code } },
    ...(typeof retryAfterSeconds === 'number' ? { headers: { 'retry-after': String(retryAfterSeconds) } } : {}),
  };
};

const textPart = z.looseObject({ type: z.string().max(64), text: z.string().optional() });
const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(textPart).max(1000), z.null()]).optional(),
});
const resourceRef = z.object({ type: z.string().min(1).max(64), id: z.string().min(1).max(200) });
const modelName = z.string().min(1).max(128);

const chatCompletionSchema = z.looseObject({
  model: modelName,
  messages: z.array(message).min(1).max(10_000),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().max(1_000_000).nullish(),
  max_completion_tokens: z.number().int().positive().max(1_000_000).nullish(),
  bureau_resources: z.array(resourceRef).max(100).optional(),
});

const embeddingsSchema = z.looseObject({
  model: modelName,
  input: z.union([z.string().max(1_000_000), z.array(z.string().max(1_000_000)).min(1).max(2048)]),
  bureau_resources: z.array(resourceRef).max(100).optional(),
});

const rerankSchema = z.looseObject({
  model: modelName,
  query: z.string().min(1).max(100_000),
  documents: z.array(z.string().max(1_000_000)).min(1).max(1_000),
  top_n: z.number().int().min(1).max(1_000).optional(),
  bureau_resources: z.array(resourceRef).max(100).optional(),
});

const usageQuerySchema = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

export interface OpenAiRoutesDependencies {
  readonly gateway: GatewayService;
  readonly registry: ProviderRegistry;
  readonly repository: GatewayRepository;
  readonly subjectOf: (request: FastifyRequest) => Promise<Subject>;
}

const hidden = { schema: { hide: true } } as const;

function declaredLevelOf(request: FastifyRequest): SensitivityLevel | undefined {
  const header = request.headers['x-bureau-sensitivity'];
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase() ?? '';
  if (!isSensitivityLevel(value)) throw assistantErrors.create('AI_SENSITIVITY_INVALID', { value: value.slice(0, 40) });
  return value;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw Object.assign(
    assistantErrors.create('AI_REQUEST_INVALID', {
      issues,
      reason: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    }),
  );
}

/** The client going away (its response closed before it was complete) stops the call to the provider. */
function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client went away'));
  });
  return controller.signal;
}

/**
 * The OpenAI-compatible API for programs (`/v1`): models, chat completions (streamed or not) and embeddings,
 * with a Bureau API key of scope `ai` (or a session), and the caller's own usage.
 */
export function registerOpenAiRoutes(http: HttpServer, deps: OpenAiRoutesDependencies): void {
  function callerOf(request: FastifyRequest): GatewayCaller {
    const authentication = requireScope(request, 'ai');
    const { user, credential } = authentication;
    return {
      subject: () => deps.subjectOf(request),
      userId: user.id,
      organisationId: user.organisation_id,
      apiKeyId: credential.kind === 'api-key' ? credential.apiKey.id : null,
      actor: actorOf(request),
    };
  }

  http.get('/v1/models', hidden, (request) => {
    requireScope(request, 'ai');
    const created = 1_764_547_200;
    return Promise.resolve({
      object: 'list',
      data: deps.registry.aliases().map((alias) => ({
        id: alias.alias,
        object: 'model',
        created,
        owned_by: 'bureau',
        bureau: {
          type: alias.type,
          providers: alias.providers.length,
          clearances: [...new Set(alias.providers.map((provider) => provider.definition.clearance))],
        },
      })),
    });
  });

  http.post('/v1/chat/completions', hidden, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(chatCompletionSchema, request.body);
    const signal = abortOnClose(reply);
    const result = await deps.gateway.chatCompletion(
      {
        ...body,
        stream: body.stream ?? undefined,
        stream_options: body.stream_options ?? undefined,
        max_tokens: body.max_tokens ?? undefined,
        max_completion_tokens: body.max_completion_tokens ?? undefined,
      },
      caller,
      { declaredLevel: declaredLevelOf(request), resources: body.bureau_resources ?? [], signal },
    );
    if (result.kind === 'json') return result.body;
    void reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-accel-buffering', 'no');
    return reply.send(Readable.from(result.events, { objectMode: false }));
  });

  http.post('/v1/embeddings', hidden, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(embeddingsSchema, request.body);
    return deps.gateway.embeddings(body, caller, {
      declaredLevel: declaredLevelOf(request),
      resources: body.bureau_resources ?? [],
      signal: abortOnClose(reply),
    });
  });

  http.post('/v1/rerank', hidden, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(rerankSchema, request.body);
    return deps.gateway.rerank({ ...body, top_n: body.top_n ?? undefined }, caller, {
      declaredLevel: declaredLevelOf(request),
      resources: body.bureau_resources ?? [],
      signal: abortOnClose(reply),
    });
  });

  /** The caller's own usage: an API key's, or a signed-in user's. */
  http.get('/v1/usage', hidden, async (request) => {
    const authentication = requireScope(request, 'ai');
    const query = parse(usageQuerySchema, request.query);
    await deps.gateway.flushUsage();
    const scope =
      authentication.credential.kind === 'api-key'
        ? { apiKeyId: authentication.credential.apiKey.id }
        : { userId: authentication.user.id };
    const filter = {
      ...scope,
      ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
      ...(query.until ? { until: new Date(query.until).toISOString() } : {}),
    };
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await deps.repository.listUsage(filter, { limit: query.limit + 1, ...(before ? { before } : {}) });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      object: 'list',
      data: page.map((row) => ({
        id: row.id,
        at: row.at,
        endpoint: row.endpoint,
        model: row.model,
        provider: row.provider_id,
        status: row.status,
        error_code: row.error_code,
        sensitivity: row.sensitivity,
        stream: Boolean(row.is_stream),
        prompt_tokens: Number(row.prompt_tokens),
        completion_tokens: Number(row.completion_tokens),
        latency_ms: Number(row.latency_ms),
        first_token_ms: row.first_token_ms === null ? null : Number(row.first_token_ms),
      })),
      totals: await deps.repository.totals(filter).then((totals) => ({
        requests: totals.requests,
        prompt_tokens: totals.promptTokens,
        completion_tokens: totals.completionTokens,
      })),
      next_cursor: rows.length > query.limit && last ? encodeCursor(last.at, last.id) : null,
    };
  });
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof id === 'string') return { at, id };
  } catch {
    // reported below
  }
  throw assistantErrors.create('AI_REQUEST_INVALID', { reason: 'cursor: invalid' });
}
