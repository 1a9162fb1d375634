import type { AuditActor, AuditLog } from '../../../platform/audit/audit-log.ts';
import type { AuthzService, ResourceRef } from '../../../platform/authz/index.ts';
import type { Subject } from '../../../platform/authz/subject.ts';
import { AppError, localisedError } from '../../../platform/errors.ts';
import type { IdGenerator } from '../../../platform/ids.ts';
import type { Logger } from '../../../platform/logging.ts';
import {
  highestSensitivity,
  sensitivityLevelNames,
  type SensitivityLevel,
} from '../../../platform/sensitivity/index.ts';
import { assistantErrors } from '../assistant.errors.ts';
import type { AssistantUsageRow, GatewayRepository, UsageStatus } from './gateway.repository.ts';
import type { Candidate, ModelType, ProviderRegistry, RunningProvider } from './provider-registry.ts';
import { createPseudonymiser } from './pseudonymisation.ts';
import { UpstreamClient, type UpstreamResponse } from './upstream-client.ts';
import type { QuotaLedger, Reservation } from './quotas.ts';
import type { ProviderDefinition } from './providers-file.ts';

/** Who calls the gateway: a program with an API key, an agent through an Albert feature. */
export interface GatewayCaller {
  /** Who asks, for the permission model (only read when the request carries Bureau resources). */
  readonly subject: () => Promise<Subject>;
  readonly userId: string | null;
  readonly organisationId: string | null;
  readonly apiKeyId: string | null;
  readonly actor: AuditActor;
}

/** What a request carries besides its body: its declared level, its Bureau data, why it is made. */
export interface GatewayRequestOptions {
  /** `X-Bureau-Sensitivity`: raises the level (default: the organisation's default label). */
  readonly declaredLevel?: SensitivityLevel | undefined;
  /** Labels of the Bureau data the caller put in the request (documents, rooms, collections). */
  readonly dataLabels?: readonly SensitivityLevel[];
  /** Bureau resources whose content the request carries: each must be readable, its label counts. */
  readonly resources?: readonly ResourceRef[];
  /** Names to pseudonymise, for providers that require it (e.g. the people of a document). */
  readonly knownNames?: readonly string[];
  /** Stops the call when the client goes away. */
  readonly signal?: AbortSignal | undefined;
}

type MessageContent = string | Array<{ type: string; text?: string; [key: string]: unknown }> | null;

/** The body of an OpenAI chat completion request, as the gateway reads it (other fields pass through). */
export interface ChatCompletionBody {
  model: string;
  messages: Array<{ role: string; content?: MessageContent; [key: string]: unknown }>;
  stream?: boolean | undefined;
  stream_options?: { include_usage?: boolean | undefined } | undefined;
  max_tokens?: number | undefined;
  max_completion_tokens?: number | undefined;
  [key: string]: unknown;
}

/** What a request asks of a model: the usage records keep it. */
export type GatewayEndpoint = 'chat' | 'embeddings' | 'rerank';

/** A rerank request (vLLM's and TEI's `/v1/rerank` shape, as Albert's API exposes it). */
export interface RerankBody {
  model: string;
  query: string;
  documents: string[];
  top_n?: number | undefined;
  [key: string]: unknown;
}

export interface EmbeddingsBody {
  model: string;
  input: string | string[];
  [key: string]: unknown;
}

/** Who answered, at which level: what an Albert feature shows next to the answer. */
export interface ServedBy {
  readonly providerId: string;
  readonly providerName: string;
  readonly hosting: ProviderDefinition['hosting'];
  readonly operator: string | null;
  readonly level: SensitivityLevel;
  readonly isPseudonymised: boolean;
}

export type ChatCompletionResult =
  | { readonly kind: 'json'; readonly body: Record<string, unknown>; readonly servedBy: ServedBy }
  | { readonly kind: 'stream'; readonly events: AsyncGenerator<string, void, undefined>; readonly servedBy: ServedBy };

/** Tokens reserved for an answer whose length the request does not bound. */
const defaultCompletionReservation = 1024;
/** A request holds its provider's slot this long at most when the stream is never read. */
const usageFlushIntervalMs = 200;
const usageFlushSize = 200;

/** A chunk that carries usage (others say `"usage":null` or nothing). */
const usagePattern = /"usage"\s*:\s*\{/;

/** A rough token count for reservations (four characters a token, as OpenAI's rule of thumb). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function textsOf(content: MessageContent | undefined): string[] {
  if (typeof content === 'string') return [content];
  if (Array.isArray(content)) return content.flatMap((part) => (typeof part.text === 'string' ? [part.text] : []));
  return [];
}

function promptEstimate(messages: ChatCompletionBody['messages']): number {
  return messages.reduce(
    (sum, message) => sum + 4 + textsOf(message.content).reduce((s, t) => s + estimateTokens(t), 0),
    0,
  );
}

/** Why a call to a provider did not give an answer, before its first byte (so another may be tried). */
class AttemptFailure extends Error {
  readonly outcome: string;

  constructor(outcome: string) {
    super(outcome);
    this.outcome = outcome;
  }
}

interface Attempt {
  readonly providerId: string;
  readonly outcome: string;
}

export interface GatewayServiceDependencies {
  readonly registry: ProviderRegistry;
  readonly quotas: QuotaLedger;
  readonly repository: GatewayRepository;
  readonly authz: AuthzService;
  readonly audit: AuditLog;
  readonly logger: Logger;
  readonly newId: IdGenerator;
  readonly now: () => Date;
  /** The default label of an organisation (its agents' declared level when they declare none). */
  readonly organisationDefaultLabel: (organisationId: string) => Promise<SensitivityLevel | undefined>;
  /** How providers are called (one keep-alive pool per provider by default). */
  readonly upstream?: UpstreamClient;
}

/**
 * The model gateway: resolves the request's sensitivity level, chooses a cleared provider of the model
 * alias (least busy, failing over to the next before the first byte), enforces quotas, pseudonymises for
 * providers that require it, and records one usage row per request with its routing decision.
 */
export function createGatewayService(deps: GatewayServiceDependencies) {
  const upstream = deps.upstream ?? new UpstreamClient();
  const organisationLabels = new Map<string, { level: SensitivityLevel | undefined; at: number }>();
  let pending: AssistantUsageRow[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushTimer: NodeJS.Timeout | undefined;

  function flushUsage(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    const rows = pending;
    pending = [];
    flushing = flushing
      .then(() => deps.repository.insertUsage(rows))
      .catch((error: unknown) => deps.logger.error({ err: error, rows: rows.length }, 'usage records not written'));
    return flushing;
  }

  function recordUsage(row: Omit<AssistantUsageRow, 'id' | 'at'>): void {
    pending.push({ id: deps.newId(), at: deps.now().toISOString(), ...row });
    if (pending.length >= usageFlushSize) void flushUsage();
    else flushTimer ??= setTimeout(() => void flushUsage(), usageFlushIntervalMs).unref();
  }

  async function defaultLevelOf(organisationId: string | null): Promise<SensitivityLevel> {
    if (organisationId === null) return 'internal';
    const cached = organisationLabels.get(organisationId);
    const at = Date.now();
    if (cached && at - cached.at < 60_000) return cached.level ?? 'internal';
    const level = await deps.organisationDefaultLabel(organisationId);
    organisationLabels.set(organisationId, { level, at });
    return level ?? 'internal';
  }

  /** The request's level: the declared one (or the organisation's default), raised by its data's labels. */
  async function levelOf(caller: GatewayCaller, options: GatewayRequestOptions): Promise<SensitivityLevel> {
    const labels: SensitivityLevel[] = [options.declaredLevel ?? (await defaultLevelOf(caller.organisationId))];
    labels.push(...(options.dataLabels ?? []));
    const resources = options.resources ?? [];
    const subject = resources.length > 0 ? await caller.subject() : undefined;
    for (const resource of resources) {
      if (!subject || !(await deps.authz.can(subject, 'read', resource))) {
        throw assistantErrors.create('AI_RESOURCE_NOT_READABLE', { type: resource.type, id: resource.id });
      }
      labels.push(await deps.authz.effectiveLabel(resource));
    }
    return highestSensitivity(labels);
  }

  interface Routed {
    readonly level: SensitivityLevel;
    readonly candidates: Candidate[];
  }

  async function route(
    endpoint: GatewayEndpoint,
    expected: ModelType,
    model: string,
    caller: GatewayCaller,
    options: GatewayRequestOptions,
    stream: boolean,
  ): Promise<Routed> {
    if (deps.registry.isEmpty) throw assistantErrors.create('AI_NO_PROVIDER');
    const type = deps.registry.typeOf(model);
    if (type === undefined) throw assistantErrors.create('AI_MODEL_NOT_FOUND', { model });
    if (type !== expected) throw assistantErrors.create('AI_MODEL_WRONG_TYPE', { model, type, expected });
    const level = await levelOf(caller, options);
    const { cleared } = deps.registry.candidates(model, level);
    if (cleared.length === 0) {
      const error = localisedError(
        assistantErrors,
        'AI_NO_CLEARED_PROVIDER',
        { model, level },
        { levelName: sensitivityLevelNames[level] },
      );
      recordUsage(
        usageRow(caller, endpoint, model, stream, level, 'refused', error.code, {
          reason: 'no provider cleared for the level',
          attempts: [],
        }),
      );
      await deps.audit
        .record({
          action: 'assistant.routing.refused',
          outcome: 'denied',
          actor: caller.actor,
          organisationId: caller.organisationId,
          target: { type: 'assistant.model', id: model },
          details: {
            model,
            level,
            endpoint,
            providers: deps.registry.candidates(model, 'public').cleared.map((c) => c.provider.definition.id),
          },
        })
        .catch((auditError: unknown) => deps.logger.error({ err: auditError }, 'routing refusal not audited'));
      throw error;
    }
    return { level, candidates: cleared };
  }

  function usageRow(
    caller: GatewayCaller,
    endpoint: GatewayEndpoint,
    model: string,
    stream: boolean,
    level: SensitivityLevel,
    status: UsageStatus,
    errorCode: string | null,
    routing: { reason: string; attempts: readonly Attempt[] },
    extra: Partial<
      Pick<
        AssistantUsageRow,
        | 'provider_id'
        | 'upstream_model'
        | 'prompt_tokens'
        | 'completion_tokens'
        | 'latency_ms'
        | 'first_token_ms'
        | 'pseudonymised'
      >
    > = {},
  ): Omit<AssistantUsageRow, 'id' | 'at'> {
    return {
      organisation_id: caller.organisationId,
      user_id: caller.userId,
      api_key_id: caller.apiKeyId,
      endpoint,
      model,
      provider_id: null,
      upstream_model: null,
      is_stream: stream ? 1 : 0,
      status,
      error_code: errorCode,
      sensitivity: level,
      routing: JSON.stringify(routing),
      prompt_tokens: 0,
      completion_tokens: 0,
      latency_ms: 0,
      first_token_ms: null,
      pseudonymised: 0,
      ...extra,
    };
  }

  function reserve(
    caller: GatewayCaller,
    endpoint: GatewayEndpoint,
    model: string,
    stream: boolean,
    level: SensitivityLevel,
    tokens: number,
  ): Reservation {
    try {
      return deps.quotas.reserve({ organisationId: caller.organisationId, apiKeyId: caller.apiKeyId, model }, tokens);
    } catch (error) {
      if (error instanceof AppError) {
        recordUsage(
          usageRow(caller, endpoint, model, stream, level, 'rate-limited', error.code, {
            reason: 'quota',
            attempts: [],
          }),
        );
      }
      throw error;
    }
  }

  /**
   * Calls `path` of the first candidate that answers, trying the next one when a provider fails before its
   * first byte (connection refused, timeout, 5xx or 429); a provider at capacity is skipped. Resolves with
   * the response (headers received) and the provider, holding the provider's slot: call `release`.
   */
  async function call(
    candidates: readonly Candidate[],
    path: string,
    bodyFor: (candidate: Candidate) => string,
    signal: AbortSignal | undefined,
    model: string,
  ): Promise<{
    response: UpstreamResponse;
    candidate: Candidate;
    attempts: Attempt[];
    controller: AbortController;
    totalTimer: NodeJS.Timeout;
  }> {
    const attempts: Attempt[] = [];
    let skippedForCapacity = 0;
    for (const candidate of candidates) {
      const { provider } = candidate;
      if (!deps.registry.acquire(provider)) {
        skippedForCapacity += 1;
        attempts.push({ providerId: provider.definition.id, outcome: 'at capacity' });
        continue;
      }
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const { firstByteMs, totalMs } = provider.definition.timeouts;
      const firstByteTimer = setTimeout(
        () => controller.abort(new AttemptFailure('timeout before the first byte')),
        firstByteMs,
      );
      const totalTimer = setTimeout(() => controller.abort(new Error('total timeout')), totalMs);
      try {
        const response = await upstream.post(
          `${provider.definition.baseUrl}${path}`,
          bodyFor(candidate),
          {
            accept: 'application/json, text/event-stream',
            ...(provider.definition.apiKey ? { authorization: `Bearer ${provider.definition.apiKey}` } : {}),
          },
          { pool: provider.definition.id, maxSockets: provider.definition.maxConcurrency, signal: controller.signal },
        );
        clearTimeout(firstByteTimer);
        if (response.status >= 500 || response.status === 429) {
          response.cancel();
          throw new AttemptFailure(`HTTP ${response.status}`);
        }
        deps.registry.markHealthy(provider, deps.now().toISOString());
        signal?.removeEventListener('abort', onAbort);
        return { response, candidate, attempts, controller, totalTimer };
      } catch (error) {
        clearTimeout(firstByteTimer);
        clearTimeout(totalTimer);
        signal?.removeEventListener('abort', onAbort);
        deps.registry.release(provider);
        if (signal?.aborted) throw error;
        const reason =
          error instanceof AttemptFailure
            ? error.outcome
            : controller.signal.reason instanceof AttemptFailure
              ? controller.signal.reason.outcome
              : `connection failed (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : 'unknown'})`;
        attempts.push({ providerId: provider.definition.id, outcome: reason });
        deps.registry.markFailed(provider, deps.now().toISOString(), reason);
      }
    }
    if (skippedForCapacity === candidates.length) {
      throw Object.assign(assistantErrors.create('AI_PROVIDERS_BUSY', { model, retryAfterSeconds: 1 }), { attempts });
    }
    throw Object.assign(
      assistantErrors.create('AI_UPSTREAM_FAILED', {
        model,
        reason: attempts.map((attempt) => `${attempt.providerId}: ${attempt.outcome}`).join('; '),
      }),
      { attempts },
    );
  }

  function attemptsOf(error: unknown): Attempt[] {
    return typeof error === 'object' && error !== null && Array.isArray((error as { attempts?: unknown }).attempts)
      ? (error as { attempts: Attempt[] }).attempts
      : [];
  }

  /** `call`, and when every provider failed: the reservation released and the failure recorded. */
  async function callOrRecord(
    request: {
      readonly caller: GatewayCaller;
      readonly endpoint: GatewayEndpoint;
      readonly model: string;
      readonly stream: boolean;
      readonly level: SensitivityLevel;
      readonly started: number;
      readonly reservation: Reservation;
      readonly signal: AbortSignal | undefined;
    },
    candidates: readonly Candidate[],
    path: string,
    bodyFor: (candidate: Candidate) => string,
  ): ReturnType<typeof call> {
    try {
      return await call(candidates, path, bodyFor, request.signal, request.model);
    } catch (error) {
      deps.quotas.settle(request.reservation, 0);
      recordUsage(
        usageRow(
          request.caller,
          request.endpoint,
          request.model,
          request.stream,
          request.level,
          statusOfFailure(error, request.signal),
          error instanceof AppError ? error.code : 'AI_UPSTREAM_FAILED',
          { reason: 'every cleared provider failed', attempts: attemptsOf(error) },
          { latency_ms: Math.round(performance.now() - request.started) },
        ),
      );
      throw error;
    }
  }

  function statusOfFailure(error: unknown, signal: AbortSignal | undefined): UsageStatus {
    if (signal?.aborted) return 'cancelled';
    if (error instanceof AppError && error.code === 'AI_PROVIDERS_BUSY') return 'busy';
    return 'error';
  }

  /** A non-streamed JSON request (embeddings, rerank): routed, reserved, failed over, recorded. */
  async function jsonCall(
    endpoint: Exclude<GatewayEndpoint, 'chat'>,
    path: string,
    body: { model: string; [key: string]: unknown },
    caller: GatewayCaller,
    options: GatewayRequestOptions,
    how: {
      readonly estimate: number;
      readonly pseudonymise: (
        forwarded: Record<string, unknown>,
        pseudonymiser: ReturnType<typeof createPseudonymiser>,
      ) => void;
    },
  ): Promise<Record<string, unknown>> {
    const started = performance.now();
    const { level, candidates } = await route(endpoint, endpoint, body.model, caller, options, false);
    const reservation = reserve(caller, endpoint, body.model, false, level, how.estimate);
    const pseudonymised = new Map<string, number>();
    const bodyFor = ({ provider, upstreamModel }: Candidate) => {
      const forwarded: Record<string, unknown> = { ...body, model: upstreamModel };
      delete forwarded['bureau_resources'];
      if (provider.definition.requiresPseudonymisation) {
        const pseudonymiser = createPseudonymiser({ knownNames: options.knownNames ?? [] });
        how.pseudonymise(forwarded, pseudonymiser);
        pseudonymised.set(provider.definition.id, pseudonymiser.replacements);
      }
      return JSON.stringify(forwarded);
    };
    const called = await callOrRecord(
      { caller, endpoint, model: body.model, stream: false, level, started, reservation, signal: options.signal },
      candidates,
      path,
      bodyFor,
    );
    const { response, candidate, attempts, totalTimer } = called;
    const routing = {
      reason: attempts.length === 0 ? 'least busy cleared provider' : 'failover',
      attempts: [...attempts, { providerId: candidate.provider.definition.id, outcome: 'answered' }],
    };
    try {
      if (response.status >= 400) throw await upstreamRejection(response, body.model);
      const answer = (await response.json()) as Record<string, unknown>;
      const usage = answer['usage'] as { prompt_tokens?: number; total_tokens?: number } | undefined;
      const promptTokens = usage?.prompt_tokens ?? usage?.total_tokens ?? reservation.tokens;
      deps.quotas.settle(reservation, promptTokens);
      recordUsage(
        usageRow(caller, endpoint, body.model, false, level, 'success', null, routing, {
          provider_id: candidate.provider.definition.id,
          upstream_model: candidate.upstreamModel,
          prompt_tokens: promptTokens,
          latency_ms: Math.round(performance.now() - started),
          pseudonymised: pseudonymised.get(candidate.provider.definition.id) ?? 0,
        }),
      );
      return { ...answer, model: body.model };
    } catch (error) {
      deps.quotas.settle(reservation, 0);
      const appError =
        error instanceof AppError
          ? error
          : assistantErrors.create(
              'AI_UPSTREAM_FAILED',
              { model: body.model, reason: 'the answer could not be read' },
              { cause: error },
            );
      recordUsage(
        usageRow(caller, endpoint, body.model, false, level, 'error', appError.code, routing, {
          provider_id: candidate.provider.definition.id,
          latency_ms: Math.round(performance.now() - started),
        }),
      );
      throw appError;
    } finally {
      clearTimeout(totalTimer);
      deps.registry.release(candidate.provider);
    }
  }

  async function upstreamRejection(response: UpstreamResponse, model: string): Promise<AppError> {
    const text = await response.text().catch(() => '');
    let message = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as { error?: { message?: unknown } };
      if (typeof parsed.error?.message === 'string') message = parsed.error.message;
    } catch {
      // not JSON: the text itself
    }
    return assistantErrors.create(response.status < 500 ? 'AI_UPSTREAM_REJECTED' : 'AI_UPSTREAM_FAILED', {
      model,
      reason: `HTTP ${response.status}: ${message}`,
      upstreamStatus: response.status,
    });
  }

  return {
    /** Every usage record is written (before reading usage, and at shutdown). */
    flushUsage,

    /** Closes the connections kept open to providers (shutdown). */
    closeConnections: () => upstream.close(),

    /** An OpenAI chat completion through the gateway (streamed as SSE frames when `body.stream`). */
    async chatCompletion(
      body: ChatCompletionBody,
      caller: GatewayCaller,
      options: GatewayRequestOptions,
    ): Promise<ChatCompletionResult> {
      const stream = body.stream === true;
      const started = performance.now();
      const { level, candidates } = await route('chat', 'chat', body.model, caller, options, stream);
      const completionBound = body.max_completion_tokens ?? body.max_tokens ?? defaultCompletionReservation;
      const reservation = reserve(
        caller,
        'chat',
        body.model,
        stream,
        level,
        promptEstimate(body.messages) + completionBound,
      );
      const pseudonymisers = new Map<string, ReturnType<typeof createPseudonymiser>>();
      const pseudonymiserOf = (provider: RunningProvider) => {
        let pseudonymiser = pseudonymisers.get(provider.definition.id);
        if (!pseudonymiser) {
          pseudonymiser = createPseudonymiser({ knownNames: options.knownNames ?? [] });
          pseudonymisers.set(provider.definition.id, pseudonymiser);
        }
        return pseudonymiser;
      };
      const bodyFor = ({ provider, upstreamModel }: Candidate) => {
        const forwarded: Record<string, unknown> = { ...body, model: upstreamModel };
        delete forwarded['bureau_resources'];
        if (stream) forwarded['stream_options'] = { ...body.stream_options, include_usage: true };
        if (provider.definition.requiresPseudonymisation) {
          const pseudonymiser = pseudonymiserOf(provider);
          forwarded['messages'] = body.messages.map((message) => ({
            ...message,
            content:
              typeof message.content === 'string'
                ? pseudonymiser.pseudonymise(message.content)
                : Array.isArray(message.content)
                  ? message.content.map((part) =>
                      typeof part.text === 'string' ? { ...part, text: pseudonymiser.pseudonymise(part.text) } : part,
                    )
                  : message.content,
          }));
        }
        return JSON.stringify(forwarded);
      };
      const called = await callOrRecord(
        { caller, endpoint: 'chat', model: body.model, stream, level, started, reservation, signal: options.signal },
        candidates,
        '/chat/completions',
        bodyFor,
      );
      const { response, candidate, attempts, controller, totalTimer } = called;
      const provider = candidate.provider;
      const pseudonymiser = provider.definition.requiresPseudonymisation ? pseudonymiserOf(provider) : undefined;
      const routing = {
        reason: attempts.length === 0 ? 'least busy cleared provider' : 'failover',
        attempts: [...attempts, { providerId: provider.definition.id, outcome: 'answered' }],
      };
      const servedBy: ServedBy = {
        providerId: provider.definition.id,
        providerName: provider.definition.name,
        hosting: provider.definition.hosting,
        operator: provider.definition.operator,
        level,
        isPseudonymised: pseudonymiser !== undefined,
      };
      const finish = (
        status: UsageStatus,
        errorCode: string | null,
        usage: { prompt: number; completion: number } | null,
        firstTokenMs: number | null,
      ) => {
        clearTimeout(totalTimer);
        deps.registry.release(provider);
        const used = usage ? usage.prompt + usage.completion : reservation.tokens;
        deps.quotas.settle(reservation, status === 'success' || usage ? used : 0);
        recordUsage(
          usageRow(caller, 'chat', body.model, stream, level, status, errorCode, routing, {
            provider_id: provider.definition.id,
            upstream_model: candidate.upstreamModel,
            prompt_tokens: usage?.prompt ?? 0,
            completion_tokens: usage?.completion ?? 0,
            latency_ms: Math.round(performance.now() - started),
            first_token_ms: firstTokenMs,
            pseudonymised: pseudonymiser?.replacements ?? 0,
          }),
        );
      };

      if (response.status >= 400) {
        const rejection = await upstreamRejection(response, body.model);
        finish('error', rejection.code, null, null);
        throw rejection;
      }

      if (!stream) {
        let answer: Record<string, unknown>;
        try {
          answer = (await response.json()) as Record<string, unknown>;
        } catch (error) {
          finish(options.signal?.aborted ? 'cancelled' : 'error', 'AI_UPSTREAM_FAILED', null, null);
          throw assistantErrors.create(
            'AI_UPSTREAM_FAILED',
            { model: body.model, reason: 'the answer could not be read' },
            { cause: error },
          );
        }
        const choices = Array.isArray(answer['choices']) ? (answer['choices'] as Array<Record<string, unknown>>) : [];
        if (pseudonymiser) {
          for (const choice of choices) {
            const message = choice['message'] as { content?: unknown } | undefined;
            if (message && typeof message.content === 'string')
              message.content = pseudonymiser.restore(message.content);
          }
        }
        const usage = answer['usage'] as { prompt_tokens?: number; completion_tokens?: number } | undefined;
        const firstTokenMs = Math.round(performance.now() - started);
        finish(
          'success',
          null,
          usage ? { prompt: usage.prompt_tokens ?? 0, completion: usage.completion_tokens ?? 0 } : null,
          firstTokenMs,
        );
        return { kind: 'json', body: { ...answer, model: body.model }, servedBy };
      }

      const wantsUsage = body.stream_options?.include_usage === true;
      const upstreamModelField = `"model":${JSON.stringify(candidate.upstreamModel)}`;
      const aliasModelField = `"model":${JSON.stringify(body.model)}`;
      const restorers = new Map<number, { push(chunk: string): string; flush(): string }>();
      async function* events(): AsyncGenerator<string, void, undefined> {
        const reader = response.chunks();
        const decoder = new TextDecoder();
        let buffer = '';
        let usage: { prompt: number; completion: number } | null = null;
        let firstTokenMs: number | null = null;
        let completed = false;
        let status: UsageStatus = 'error';
        let errorCode: string | null = 'AI_UPSTREAM_FAILED';
        try {
          for (;;) {
            let read: IteratorResult<Uint8Array>;
            try {
              read = await reader.next();
            } catch (error) {
              if (options.signal?.aborted) throw error;
              // The provider went away after the first byte: no failover (the client has part of an answer).
              yield `data: ${JSON.stringify({ error: { message: `Le modèle s’est interrompu / the model stopped: ${error instanceof Error ? error.message : 'unknown'}`, type: 'api_error', param: null, code: 'AI_UPSTREAM_FAILED' } })}\n\n`;
              return;
            }
            if (read.done) break;
            buffer += decoder.decode(read.value, { stream: true });
            // Every frame of one read goes out in one write.
            let out = '';
            let boundary = buffer.indexOf('\n\n');
            while (boundary !== -1) {
              const frame = buffer.slice(0, boundary);
              buffer = buffer.slice(boundary + 2);
              boundary = buffer.indexOf('\n\n');
              const data = frame
                .split('\n')
                .filter((line) => line.startsWith('data:'))
                .map((line) => line.slice(5).trimStart())
                .join('\n');
              if (data === '') continue;
              if (data === '[DONE]') {
                for (const [index, restorer] of restorers) {
                  const rest = restorer.flush();
                  if (rest !== '')
                    out += `data: ${JSON.stringify({ object: 'chat.completion.chunk', model: body.model, choices: [{ index, delta: { content: rest }, finish_reason: null }] })}\n\n`;
                }
                completed = true;
                out += 'data: [DONE]\n\n';
                continue;
              }
              // Without pseudonymisation, a chunk passes as it came, its model renamed in the text; only the
              // usage chunk is parsed (`"usage":null` elsewhere).
              if (!pseudonymiser && !usagePattern.test(data)) {
                const renamed = data.replace(upstreamModelField, aliasModelField);
                if (renamed !== data || !data.includes('"model"')) {
                  if (firstTokenMs === null && data.includes('"content":"') && !data.includes('"content":""')) {
                    firstTokenMs = Math.round(performance.now() - started);
                  }
                  out += `data: ${renamed}\n\n`;
                  continue;
                }
              }
              let chunk: Record<string, unknown>;
              try {
                chunk = JSON.parse(data) as Record<string, unknown>;
              } catch {
                continue;
              }
              const chunkUsage = chunk['usage'] as
                { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
              if (chunkUsage)
                usage = { prompt: chunkUsage.prompt_tokens ?? 0, completion: chunkUsage.completion_tokens ?? 0 };
              const choices = Array.isArray(chunk['choices'])
                ? (chunk['choices'] as Array<Record<string, unknown>>)
                : [];
              if (choices.length === 0 && chunkUsage && !wantsUsage) continue;
              for (const choice of choices) {
                const delta = choice['delta'] as { content?: unknown } | undefined;
                if (delta && typeof delta.content === 'string') {
                  if (delta.content !== '') firstTokenMs ??= Math.round(performance.now() - started);
                  if (pseudonymiser) {
                    const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
                    let restorer = restorers.get(index);
                    if (!restorer) {
                      restorer = pseudonymiser.createStreamRestorer();
                      restorers.set(index, restorer);
                    }
                    delta.content = restorer.push(delta.content);
                  }
                }
              }
              out += `data: ${JSON.stringify({ ...chunk, model: body.model })}\n\n`;
            }
            if (out !== '') yield out;
          }
          status = completed ? 'success' : 'error';
          errorCode = completed ? null : 'AI_UPSTREAM_FAILED';
          if (!completed) {
            yield `data: ${JSON.stringify({ error: { message: 'Le modèle s’est interrompu / the model stopped before the end of its answer', type: 'api_error', param: null, code: 'AI_UPSTREAM_FAILED' } })}\n\n`;
          }
        } finally {
          if (options.signal?.aborted && !completed) {
            status = 'cancelled';
            errorCode = null;
          }
          controller.abort();
          response.cancel();
          finish(status, errorCode, usage, firstTokenMs);
        }
      }
      return { kind: 'stream', events: events(), servedBy };
    },

    /** OpenAI embeddings through the gateway. */
    embeddings(body: EmbeddingsBody, caller: GatewayCaller, options: GatewayRequestOptions) {
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      return jsonCall('embeddings', '/embeddings', body, caller, options, {
        estimate: inputs.reduce((sum, text) => sum + estimateTokens(text), 0),
        pseudonymise: (forwarded, pseudonymiser) => {
          forwarded['input'] =
            typeof body.input === 'string'
              ? pseudonymiser.pseudonymise(body.input)
              : body.input.map((text) => pseudonymiser.pseudonymise(text));
        },
      });
    },

    /** Reranking (`/v1/rerank`: a query and documents, each scored) through the gateway. */
    rerank(body: RerankBody, caller: GatewayCaller, options: GatewayRequestOptions) {
      return jsonCall('rerank', '/rerank', body, caller, options, {
        estimate: body.documents.reduce((sum, text) => sum + estimateTokens(text) + estimateTokens(body.query), 0),
        pseudonymise: (forwarded, pseudonymiser) => {
          forwarded['query'] = pseudonymiser.pseudonymise(body.query);
          forwarded['documents'] = body.documents.map((text) => pseudonymiser.pseudonymise(text));
        },
      });
    },
  };
}

export type GatewayService = ReturnType<typeof createGatewayService>;
