import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Subject } from '../../platform/authz/subject.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import { requireAuthentication } from '../identity/index.ts';
import type { CommentsService } from './comments.service.ts';

export interface CommentRoutesDependencies {
  readonly comments: CommentsService;
  readonly subjectOf: (request: FastifyRequest) => Promise<Subject>;
  /** Display names of users (the authors of comments, for BlockNote's user store). */
  readonly displayNames: (userIds: readonly string[]) => Promise<Map<string, string>>;
}

const hidden = { schema: { hide: true } };
/** A comment's body: BlockNote blocks (JSON), bounded. */
const bodySchema = z
  .array(z.record(z.string(), z.unknown()))
  .min(1)
  .max(200)
  .refine((blocks) => JSON.stringify(blocks).length <= 20_000, {
    message: 'The comment is too long (20,000 characters of JSON at most)',
  });
const commentSchema = z.object({ body: bodySchema, metadata: z.unknown().optional() });
const threadParams = z.object({ id: z.uuid(), threadId: z.string().min(1).max(100) });
const commentParams = threadParams.extend({ commentId: z.string().min(1).max(100) });
const relativePosition = z.record(z.string(), z.unknown());

/**
 * The REST side of BlockNote's `RESTYjsThreadStore` (`/api/docs/:id/threads`): every write of a comment goes
 * through here, checked against the permission model; reads come from the page's Yjs map, live.
 */
export async function registerCommentRoutes(root: HttpServer, deps: CommentRoutesDependencies): Promise<void> {
  await root.register((http, _options, done) => {
    // BlockNote's thread store sends `Content-Type: application/json` with no body on resolve, reopen and
    // deletions: an empty JSON body counts as none here (anything else is parsed as everywhere).
    const parseJson = http.getDefaultJsonParser('error', 'error');
    http.removeContentTypeParser('application/json');
    http.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, parsed) => {
      if (body === '') {
        parsed(null, undefined);
        return;
      }
      void parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), parsed);
    });
    registerThreadRoutes(http, deps);
    done();
  });
}

function registerThreadRoutes(http: HttpServer, deps: CommentRoutesDependencies): void {
  const { comments } = deps;
  const subjectOf = async (request: FastifyRequest) => {
    requireAuthentication(request);
    return deps.subjectOf(request);
  };

  // BlockNote's user store: who wrote the comments shown (names only; ids are those found in threads).
  http.get('/api/docs/users', hidden, async (request) => {
    requireAuthentication(request);
    const { ids } = z
      .object({
        ids: z
          .string()
          .transform((value) => value.split(',').filter(Boolean))
          .pipe(z.array(z.uuid()).max(100)),
      })
      .parse(request.query);
    const names = await deps.displayNames(ids);
    return { items: [...names].map(([id, username]) => ({ id, username, avatarUrl: '' })) };
  });

  http.post('/api/docs/:id/threads', hidden, async (request, reply) => {
    const { id } = z.object({ id: z.uuid() }).parse(request.params);
    const body = z.object({ initialComment: commentSchema, metadata: z.unknown().optional() }).parse(request.body);
    const thread = await comments.createThread(await subjectOf(request), id, body.initialComment);
    return reply.code(201).send(thread);
  });

  http.post('/api/docs/:id/threads/:threadId/addToDocument', hidden, async (request) => {
    const { id, threadId } = threadParams.parse(request.params);
    const { selection } = z
      .object({
        selection: z.object({ yjs: z.object({ anchor: relativePosition, head: relativePosition }) }).loose(),
      })
      .parse(request.body);
    return comments.addThreadToDocument(await subjectOf(request), id, threadId, selection.yjs);
  });

  http.post('/api/docs/:id/threads/:threadId/comments', hidden, async (request, reply) => {
    const { id, threadId } = threadParams.parse(request.params);
    const { comment } = z.object({ comment: commentSchema }).parse(request.body);
    return reply.code(201).send(await comments.addComment(await subjectOf(request), id, threadId, comment));
  });

  http.put('/api/docs/:id/threads/:threadId/comments/:commentId', hidden, async (request) => {
    const { id, threadId, commentId } = commentParams.parse(request.params);
    const { comment } = z.object({ comment: commentSchema }).parse(request.body);
    return comments.updateComment(await subjectOf(request), id, threadId, commentId, comment);
  });

  http.delete('/api/docs/:id/threads/:threadId/comments/:commentId', hidden, async (request) => {
    const { id, threadId, commentId } = commentParams.parse(request.params);
    const { soft } = z.object({ soft: z.enum(['true', 'false']).optional() }).parse(request.query);
    return comments.deleteComment(await subjectOf(request), id, threadId, commentId, soft === 'true');
  });

  http.delete('/api/docs/:id/threads/:threadId', hidden, async (request) => {
    const { id, threadId } = threadParams.parse(request.params);
    return comments.deleteThread(await subjectOf(request), id, threadId);
  });

  http.post('/api/docs/:id/threads/:threadId/resolve', hidden, async (request) => {
    const { id, threadId } = threadParams.parse(request.params);
    return comments.setResolved(await subjectOf(request), id, threadId, true);
  });

  http.post('/api/docs/:id/threads/:threadId/unresolve', hidden, async (request) => {
    const { id, threadId } = threadParams.parse(request.params);
    return comments.setResolved(await subjectOf(request), id, threadId, false);
  });

  http.post('/api/docs/:id/threads/:threadId/comments/:commentId/reactions', hidden, async (request) => {
    const { id, threadId, commentId } = commentParams.parse(request.params);
    const { emoji } = z.object({ emoji: z.string().min(1).max(16) }).parse(request.body);
    return comments.addReaction(await subjectOf(request), id, threadId, commentId, emoji);
  });

  http.delete('/api/docs/:id/threads/:threadId/comments/:commentId/reactions/:emoji', hidden, async (request) => {
    const { id, threadId, commentId, emoji } = commentParams
      .extend({ emoji: z.string().min(1).max(16) })
      .parse(request.params);
    return comments.deleteReaction(await subjectOf(request), id, threadId, commentId, emoji);
  });
}
