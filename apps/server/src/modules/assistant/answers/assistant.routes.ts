import {
  askRequestSchema,
  assistantLimits,
  feedbackRequestSchema,
  renameConversationSchema,
  writeRequestSchema,
  type Citation,
  type ConversationMessage,
  type WriteResponse,
} from '@bureau/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Subject } from '../../../platform/authz/subject.ts';
import { AppError } from '../../../platform/errors.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { Logger } from '../../../platform/logging.ts';
import { actorOf, requireAuthentication, requireScope } from '../../identity/index.ts';
import { assistantErrors } from '../assistant.errors.ts';
import type { GatewayCaller } from '../gateway/gateway.service.ts';
import type { KnowledgeService } from '../knowledge/knowledge.service.ts';
import { defaultParseLimits } from '../knowledge/parsing/parse-document.ts';
import type { AnswerEvent, AnswerService } from './answer.service.ts';
import type { WritingService } from './writing.service.ts';
import type { ConversationsRepository } from './conversations.repository.ts';

export interface AssistantRoutesDependencies {
  readonly answers: AnswerService;
  readonly writing: WritingService;
  readonly knowledge: KnowledgeService;
  readonly conversations: ConversationsRepository;
  readonly subjectOf: (request: FastifyRequest) => Promise<Subject>;
  readonly now: () => Date;
  readonly logger: Logger;
}

const hidden = { schema: { hide: true } };
const idParams = z.object({ id: z.uuid() });
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(assistantLimits.conversationsPageMax).default(20),
  cursor: z.string().max(200).optional(),
});
const createCollectionSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2_000).nullable().optional(),
  scope: z.enum(['user', 'organisation', 'group']),
  /** The group, for a group collection. */
  groupId: z.uuid().optional(),
  label: z.enum(['public', 'internal', 'sensitive', 'restricted']).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw assistantErrors.create('AI_REQUEST_INVALID', {
    reason: result.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`)
      .join('; '),
  });
}

/** The assistant's API for people: ask, conversations, feedback, collections and uploads. */
export async function registerAssistantRoutes(http: HttpServer, deps: AssistantRoutesDependencies): Promise<void> {
  const callerOf = (request: FastifyRequest): GatewayCaller => {
    const { user, credential } = requireScope(request, 'ai');
    return {
      subject: () => deps.subjectOf(request),
      userId: user.id,
      organisationId: user.organisation_id,
      apiKeyId: credential.kind === 'api-key' ? credential.apiKey.id : null,
      actor: actorOf(request),
    };
  };

  http.post('/api/assistant/ask', hidden, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(askRequestSchema, request.body);
    const subject = await deps.subjectOf(request);
    const signal = abortWhenClientLeaves(reply);
    const wantsStream = (request.headers.accept ?? '').includes('text/event-stream');
    if (!wantsStream)
      return answerUnlessClientLeft(reply, deps.logger, signal, () =>
        deps.answers.ask(body, { subject, caller, signal }),
      );
    const locale = /^en\b/i.test(request.headers['accept-language'] ?? '') ? 'en' : 'fr';
    return streamAnswer(reply, deps.logger, locale, signal, (onEvent) =>
      deps.answers.ask(body, { subject, caller, signal, onEvent }),
    );
  });

  // Albert in an editor: summarise, rewrite, translate, continue, correct (streamed like answers).
  http.post('/api/assistant/write', hidden, async (request, reply) => {
    const caller = callerOf(request);
    const body = parse(writeRequestSchema, request.body);
    const signal = abortWhenClientLeaves(reply);
    const wantsStream = (request.headers.accept ?? '').includes('text/event-stream');
    if (!wantsStream)
      return answerUnlessClientLeft(reply, deps.logger, signal, () => deps.writing.write(body, caller, { signal }));
    const locale = /^en\b/i.test(request.headers['accept-language'] ?? '') ? 'en' : 'fr';
    return streamAnswer(reply, deps.logger, locale, signal, async (onEvent) => {
      const response = await deps.writing.write(body, caller, {
        signal,
        onDelta: (text) => onEvent({ type: 'delta', text }),
      });
      onEvent({ type: 'written', response });
    });
  });

  http.get('/api/assistant/conversations', hidden, async (request) => {
    const { user } = requireAuthentication(request);
    const query = parse(pageQuery, request.query);
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await deps.conversations.listConversations(user.id, query.limit + 1, before);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({
        id: row.id,
        title: row.title,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ updatedAt: last.updated_at, id: last.id }) : null,
    };
  });

  const ownConversation = async (request: FastifyRequest) => {
    const { user } = requireAuthentication(request);
    const { id } = parse(idParams, request.params);
    const conversation = await deps.conversations.findConversation(id, user.id);
    if (!conversation) throw assistantErrors.create('AI_CONVERSATION_NOT_FOUND', { conversationId: id });
    return conversation;
  };

  http.get('/api/assistant/conversations/:id', hidden, async (request) => {
    const conversation = await ownConversation(request);
    const messages = await deps.conversations.messagesOf(conversation.id);
    return {
      id: conversation.id,
      title: conversation.title,
      createdAt: conversation.created_at,
      updatedAt: conversation.updated_at,
      messages: messages.map((row): ConversationMessage => ({
        id: row.id,
        question: row.question,
        answer: row.answer,
        citations: JSON.parse(row.citations) as Citation[],
        flaggedCitations: JSON.parse(row.flagged_citations) as ConversationMessage['flaggedCitations'],
        mode: row.mode,
        provider: row.served_by ? (JSON.parse(row.served_by) as ConversationMessage['provider']) : null,
        sensitivity: row.sensitivity as ConversationMessage['sensitivity'],
        collections: JSON.parse(row.collections) as string[],
        status: row.status,
        errorCode: row.error_code,
        createdAt: row.created_at,
        feedback: row.feedback_rating
          ? {
              rating: row.feedback_rating,
              reasons: JSON.parse(row.feedback_reasons ?? '[]') as NonNullable<
                ConversationMessage['feedback']
              >['reasons'],
              comment: row.feedback_comment,
            }
          : null,
      })),
    };
  });

  http.patch('/api/assistant/conversations/:id', hidden, async (request) => {
    const conversation = await ownConversation(request);
    const { title } = parse(renameConversationSchema, request.body);
    const at = deps.now().toISOString();
    await deps.conversations.renameConversation(conversation.id, title, at);
    return { id: conversation.id, title, createdAt: conversation.created_at, updatedAt: at };
  });

  http.delete('/api/assistant/conversations/:id', hidden, async (request, reply) => {
    const conversation = await ownConversation(request);
    await deps.conversations.deleteConversation(conversation.id);
    return reply.code(204).send();
  });

  http.put('/api/assistant/messages/:id/feedback', hidden, async (request) => {
    const { user } = requireAuthentication(request);
    const { id } = parse(idParams, request.params);
    const feedback = parse(feedbackRequestSchema, request.body);
    const message = await deps.conversations.findMessage(id, user.id);
    if (!message) throw assistantErrors.create('AI_MESSAGE_NOT_FOUND');
    const at = deps.now().toISOString();
    await deps.conversations.upsertFeedback({
      message_id: id,
      user_id: user.id,
      rating: feedback.rating,
      reasons: JSON.stringify([...new Set(feedback.reasons)]),
      comment: feedback.comment ?? null,
      created_at: at,
      updated_at: at,
    });
    return { rating: feedback.rating, reasons: [...new Set(feedback.reasons)], comment: feedback.comment ?? null };
  });

  http.get('/api/assistant/collections', hidden, async (request) => {
    requireAuthentication(request);
    const subject = await deps.subjectOf(request);
    return { items: await deps.knowledge.readableCollectionSummaries(subject) };
  });

  http.post('/api/assistant/collections', hidden, async (request, reply) => {
    const { user } = requireAuthentication(request);
    const body = parse(createCollectionSchema, request.body);
    const subject = await deps.subjectOf(request);
    if (body.scope === 'group' && (!body.groupId || !subject.groupIds.includes(body.groupId))) {
      throw assistantErrors.create('AI_REQUEST_INVALID', { reason: 'groupId: a group you belong to' });
    }
    if (body.scope === 'organisation' && !user.organisation_id) {
      throw assistantErrors.create('AI_REQUEST_INVALID', { reason: 'scope: you belong to no organisation' });
    }
    const row = await deps.knowledge.createCollection(
      subject,
      {
        slug: `${body.scope}-${crypto.randomUUID()}`,
        name: body.name,
        description: body.description ?? null,
        scope: body.scope,
        ownerId:
          body.scope === 'group'
            ? body.groupId
            : body.scope === 'organisation'
              ? (user.organisation_id ?? undefined)
              : user.id,
        organisationId: user.organisation_id,
        ...(body.label ? { label: body.label } : {}),
      },
      actorOf(request),
    );
    return reply.code(201).send(await deps.knowledge.collectionSummary(subject, row.id));
  });

  http.get('/api/assistant/collections/:id', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = parse(idParams, request.params);
    return deps.knowledge.collectionSummary(await deps.subjectOf(request), id);
  });

  http.get('/api/assistant/collections/:id/documents', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = parse(idParams, request.params);
    const subject = await deps.subjectOf(request);
    return { items: await deps.knowledge.documentsOf(subject, id) };
  });

  const shareSchema = z.object({
    principal: z.discriminatedUnion('kind', [
      z.object({ kind: z.enum(['user', 'group', 'organisation']), id: z.uuid() }),
      z.object({ kind: z.literal('all_agents') }),
    ]),
    role: z.enum(['reader', 'editor']),
  });

  http.get('/api/assistant/collections/:id/shares', hidden, async (request) => {
    requireAuthentication(request);
    const { id } = parse(idParams, request.params);
    return { items: await deps.knowledge.sharesOf(await deps.subjectOf(request), id) };
  });

  http.post('/api/assistant/collections/:id/shares', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id } = parse(idParams, request.params);
    const body = parse(shareSchema, request.body);
    const share = await deps.knowledge.share(await deps.subjectOf(request), id, body, actorOf(request));
    return reply.code(201).send(share);
  });

  http.delete('/api/assistant/collections/:id/shares/:grantId', hidden, async (request, reply) => {
    requireAuthentication(request);
    const { id, grantId } = parse(z.object({ id: z.uuid(), grantId: z.uuid() }), request.params);
    await deps.knowledge.unshare(await deps.subjectOf(request), id, grantId, actorOf(request));
    return reply.code(204).send();
  });

  // Uploads: the file is the body, its name in `?name=` (as the Matrix media API does).
  await http.register((scope, _options, done) => {
    // Every type is a file here, text/plain and application/json included.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: defaultParseLimits.maxBytes + 1 },
      (_request, body, parsed) => parsed(null, body),
    );
    scope.post(
      '/api/assistant/collections/:id/documents',
      { ...hidden, bodyLimit: defaultParseLimits.maxBytes + 1 },
      async (request, reply) => {
        requireAuthentication(request);
        const { id } = parse(idParams, request.params);
        const { name } = parse(z.object({ name: z.string().trim().min(1).max(255) }), request.query);
        const bytes = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
        if (bytes.byteLength === 0)
          throw assistantErrors.create('AI_REQUEST_INVALID', { reason: 'body: the file is empty' });
        const subject = await deps.subjectOf(request);
        const contentType = request.headers['content-type'];
        const result = await deps.knowledge.uploadDocument(subject, id, {
          bytes: Uint8Array.from(bytes),
          fileName: name,
          ...(contentType ? { contentType } : {}),
        });
        return reply.code(201).send(result);
      },
    );
    done();
  });
}

/** A signal aborted when the client goes away before its answer is complete (closed tab, « Arrêter »). */
function abortWhenClientLeaves(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * A JSON answer. If the client left, the work stopped because of it (the usage is recorded as cancelled):
 * there is no one to answer and nothing went wrong, so the abort is not reported as an error.
 */
async function answerUnlessClientLeft<T>(
  reply: FastifyReply,
  logger: Logger,
  signal: AbortSignal,
  run: () => Promise<T>,
): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (error) {
    if (!signal.aborted) throw error;
    logger.debug({ err: error }, 'the client left before its answer was complete');
    reply.hijack();
    reply.raw.destroy();
    return reply;
  }
}

/** Server-sent events: `delta`, `citations`, `done`, or `error` (then the stream ends). */
async function streamAnswer(
  reply: FastifyReply,
  logger: Logger,
  locale: 'fr' | 'en',
  signal: AbortSignal,
  run: (onEvent: (event: AnswerEvent | { type: 'written'; response: WriteResponse }) => void) => Promise<unknown>,
): Promise<FastifyReply> {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  const send = (event: string, data: unknown) => {
    if (!response.writableEnded) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  try {
    await run((event) => {
      if (event.type === 'delta') send('delta', { text: event.text });
      else if (event.type === 'citations')
        send('citations', { citations: event.citations, flaggedCitations: event.flaggedCitations });
      else if (event.type === 'written') send('done', event.response);
      else send('done', event.response);
    });
  } catch (error) {
    if (signal.aborted) {
      // The reader stopped the answer or closed the page: the work was cancelled on purpose.
      logger.debug({ err: error }, 'the client left during a streamed answer');
      return reply;
    }
    if (!(error instanceof AppError)) logger.error({ err: error }, 'a streamed answer failed');
    const appError =
      error instanceof AppError
        ? error
        : assistantErrors.create('AI_UPSTREAM_FAILED', { model: 'albert', reason: 'internal error' });
    send('error', { code: appError.code, message: appError.messages[locale], messages: appError.messages });
  } finally {
    response.end();
  }
  return reply;
}

function encodeCursor(cursor: { updatedAt: string; id: string }): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      updatedAt?: unknown;
      id?: unknown;
    };
    if (typeof value.updatedAt === 'string' && typeof value.id === 'string')
      return { updatedAt: value.updatedAt, id: value.id };
  } catch {
    // An invalid cursor is answered below.
  }
  throw assistantErrors.create('AI_REQUEST_INVALID', { reason: 'cursor: not one of ours' });
}
