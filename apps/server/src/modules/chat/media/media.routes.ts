import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { BlobInfo, BlobRange, BlobStore } from '../../../platform/blobs/index.ts';
import { AppError } from '../../../platform/errors.ts';
import { preferredLocale } from '../../../platform/http/error-mapper.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import { matrixError, matrixErrorPresenter } from '../matrix-errors.ts';
import { accessTokenOf, type MatrixAuthenticator } from '../matrix-http.ts';
import { parseMatrix, queryInteger } from '../matrix-validation.ts';
import { DEFAULT_DOWNLOAD_WAIT_MS, type MediaService, type UploadInput } from './media.service.ts';
import { contentDisposition, isServedInline, MEDIA_CONTENT_SECURITY_POLICY } from './media-types.ts';
import type { Thumbnailer } from './thumbnails.ts';

export interface MediaRoutesDeps {
  readonly authenticate: MatrixAuthenticator;
  readonly media: MediaService;
  readonly thumbnails: Thumbnailer;
  readonly blobs: BlobStore;
}

const hidden = { schema: { hide: true } } as const;
const legacy = '/_matrix/media/v3';
const authenticated = '/_matrix/client/v1/media';

type MediaParams = { serverName: string; mediaId: string; fileName?: string };

const fileNameSchema = z
  .string()
  .max(255)
  .refine((name) => !/\p{Cc}/u.test(name), 'must not contain control characters')
  .optional();

const uploadQuerySchema = z.looseObject({ filename: fileNameSchema });

const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

const downloadQuerySchema = z.looseObject({
  timeout_ms: queryInteger(0, Number.MAX_SAFE_INTEGER).optional(),
});

const thumbnailQuerySchema = z.looseObject({
  width: queryInteger(1, 65_535),
  height: queryInteger(1, 65_535),
  method: z.enum(['crop', 'scale']).default('scale'),
  animated: booleanQuery.optional(),
  timeout_ms: queryInteger(0, Number.MAX_SAFE_INTEGER).optional(),
});

/** `Range: bytes=…` as one range of a blob of `size` bytes; undefined to serve it whole, 'unsatisfiable' for 416. */
export function parseRange(header: string | undefined, size: number): BlobRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  // Several ranges would need a multipart answer; serving the whole file is allowed instead (RFC 9110 § 14.2).
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? undefined : Number(last);
  if (!Number.isSafeInteger(start) || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    return undefined;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}

/**
 * The media repository's routes (client-server API § Content repository): upload (`/_matrix/media/v3/upload`,
 * asynchronous `/_matrix/media/v1/create` then `PUT`), download and thumbnails on the authenticated
 * `/_matrix/client/v1/media` paths and on the deprecated unauthenticated `/_matrix/media/v3` ones,
 * configuration, and URL previews (disabled: always an empty preview).
 */
export async function registerMediaRoutes(http: HttpServer, deps: MediaRoutesDeps): Promise<void> {
  const { media } = deps;

  // Uploads take the raw bytes of any content type. Only in this scope: the parsers of the rest of
  // Bureau (JSON) are untouched, and the body is streamed to the blob store by the handler instead of
  // being read into memory by a parser.
  await http.register((scope, _options, registered) => {
    const declaredTypes = new WeakMap<FastifyRequest, string | undefined>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.addHook('onRequest', (request, _reply, next) => {
      // Fastify refuses a malformed Content-Type (415) before any parser runs; the media repository
      // stores such uploads as application/octet-stream instead, so the header is taken aside here.
      declaredTypes.set(request, request.raw.headers['content-type']);
      delete request.raw.headers['content-type'];
      next();
    });

    const inputOf = (request: FastifyRequest, fileName: string | undefined): UploadInput => {
      const length = request.headers['content-length'];
      const body = request.body;
      return {
        body: isReadable(body) ? body : request.raw,
        declaredContentType: declaredTypes.get(request),
        declaredLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
        fileName: fileName === '' ? undefined : fileName,
      };
    };

    scope.post(`${legacy}/upload`, hidden, async (request, reply) => {
      try {
        const principal = await deps.authenticate(request);
        const query = parseMatrix(uploadQuerySchema, request.query, 'query');
        const { contentUri } = await media.upload(principal.userId, inputOf(request, query.filename));
        return { content_uri: contentUri };
      } catch (error) {
        abandonBody(request, reply);
        throw error;
      }
    });

    scope.put(`${legacy}/upload/:serverName/:mediaId`, hidden, async (request, reply) => {
      try {
        const principal = await deps.authenticate(request);
        const { serverName, mediaId } = request.params as MediaParams;
        const query = parseMatrix(uploadQuerySchema, request.query, 'query');
        await media.uploadTo(principal.userId, serverName, mediaId, inputOf(request, query.filename));
        return {};
      } catch (error) {
        abandonBody(request, reply);
        throw error;
      }
    });

    // Its body (none, or `{}`) is ignored: registered here so that an empty body with a JSON type is not an error.
    scope.post('/_matrix/media/v1/create', hidden, async (request) => {
      const principal = await deps.authenticate(request);
      const created = await media.create(principal.userId);
      return { content_uri: created.contentUri, unused_expires_at: created.unusedExpiresAt };
    });
    registered();
  });

  /**
   * The authenticated paths need a token. The deprecated `/_matrix/media/v3` paths are "frozen" as spec
   * v1.11 recommends: they still serve a client that sends its access token, but answer 404 `M_NOT_FOUND`
   * without one — an mxc:// URI alone never reads a file.
   */
  const requireCaller = async (request: FastifyRequest, isAuthenticated: boolean) => {
    if (isAuthenticated || accessTokenOf(request) !== undefined) {
      await deps.authenticate(request);
      return;
    }
    throw matrixError('M_NOT_FOUND', { what: 'unauthenticated media (use /_matrix/client/v1/media)' });
  };

  for (const prefix of [authenticated, legacy]) {
    const isAuthenticated = prefix === authenticated;
    const download = async (request: FastifyRequest, reply: FastifyReply) => {
      await requireCaller(request, isAuthenticated);
      const { serverName, mediaId, fileName } = request.params as MediaParams;
      const query = parseMatrix(downloadQuerySchema, request.query, 'query');
      const found = await media.uploaded(serverName, mediaId, query.timeout_ms ?? DEFAULT_DOWNLOAD_WAIT_MS);
      const name = fileName ?? found.file_name ?? undefined;
      return serveBlob(request, reply, {
        blobKey: found.blob_key,
        contentType: found.content_type,
        disposition: contentDisposition(isServedInline(found.content_type) ? 'inline' : 'attachment', name),
      });
    };
    http.get(`${prefix}/download/:serverName/:mediaId`, hidden, (request, reply) =>
      answerNotYetUploaded(request, reply, download),
    );
    http.get(`${prefix}/download/:serverName/:mediaId/:fileName`, hidden, (request, reply) =>
      answerNotYetUploaded(request, reply, download),
    );

    http.get(`${prefix}/thumbnail/:serverName/:mediaId`, hidden, (request, reply) =>
      answerNotYetUploaded(request, reply, async () => {
        await requireCaller(request, isAuthenticated);
        const { serverName, mediaId } = request.params as MediaParams;
        const query = parseMatrix(thumbnailQuerySchema, request.query, 'query');
        const found = await media.uploaded(serverName, mediaId, query.timeout_ms ?? DEFAULT_DOWNLOAD_WAIT_MS);
        const thumbnail = await deps.thumbnails.thumbnail(found, {
          width: query.width,
          height: query.height,
          method: query.method,
          animated: query.animated ?? false,
        });
        return serveBlob(request, reply, {
          blobKey: thumbnail.blobKey,
          contentType: thumbnail.contentType,
          disposition: contentDisposition('inline', thumbnail.fileName),
        });
      }),
    );

    // The spec requires authentication on both versions of the configuration.
    http.get(`${prefix}/config`, hidden, async (request) => {
      await deps.authenticate(request);
      return { 'm.upload.size': media.maxUploadBytes };
    });

    // URL previews are disabled (as in Tchap): the server never fetches what users link to, so it learns
    // nothing of it and cannot be made to reach internal addresses. An empty preview is a valid answer,
    // which clients show as "no preview" without an error.
    http.get(`${prefix}/preview_url`, hidden, async (request) => {
      await deps.authenticate(request);
      parseMatrix(z.looseObject({ url: z.string().min(1) }), request.query, 'query');
      return {};
    });
  }

  async function serveBlob(
    request: FastifyRequest,
    reply: FastifyReply,
    served: { blobKey: string; contentType: string; disposition: string },
  ): Promise<FastifyReply> {
    const info = await deps.blobs.head(served.blobKey);
    if (!info) throw matrixError('M_NOT_FOUND', { what: 'media content' });
    const etag = `"${info.sha256}"`;
    const headers = {
      'content-type': served.contentType,
      'content-disposition': served.disposition,
      'content-security-policy': MEDIA_CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      // An mxc:// URI never changes content; `private` keeps shared caches out (downloads are authenticated).
      'cache-control': 'private, max-age=31536000, immutable',
      etag,
      'accept-ranges': 'bytes',
    };
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.headers(headers).code(304).send();

    const ifRange = request.headers['if-range'];
    const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, info.size) : undefined;
    if (range === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${info.size}`).send();
    }
    // Opened before any header is set, so that a failure is answered as a plain Matrix error.
    // HEAD gets an empty stream: Fastify then keeps the Content-Length of the content.
    const body = request.method === 'HEAD' ? Readable.from([]) : await openBody(served.blobKey, info, range);
    void reply.headers(headers);
    if (range) {
      const end = range.end ?? info.size - 1;
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${end}/${info.size}`)
        .header('content-length', String(end - range.start + 1))
        .send(body);
    }
    return reply.header('content-length', String(info.size)).send(body);
  }

  async function openBody(blobKey: string, expected: BlobInfo, range?: BlobRange): Promise<Readable> {
    const { info, body } = await deps.blobs.get(blobKey, range);
    if (info.sha256 !== expected.sha256) {
      // Thumbnails are regenerated in place; a change between head and get would mismatch the headers.
      body.destroy();
      throw matrixError('M_UNKNOWN', { reason: 'the content changed while it was being served; try again' });
    }
    return body;
  }
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function';
}

function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * An upload refused before its body was read to the end: the rest of the body is not wanted, so the
 * connection is closed after the answer instead of reading (possibly gigabytes) to reuse it.
 */
function abandonBody(request: FastifyRequest, reply: FastifyReply): void {
  if (request.raw.readableEnded) return;
  void reply.header('connection', 'close');
  request.raw.resume();
}

/**
 * Runs a download or thumbnail handler, answering M_NOT_YET_UPLOADED with the spec's 504 (the error
 * catalogue gives `unavailable` errors 503).
 */
async function answerNotYetUploaded(
  request: FastifyRequest,
  reply: FastifyReply,
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await handler(request, reply);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'M_NOT_YET_UPLOADED') throw error;
    const presented = matrixErrorPresenter(error, {
      status: 504,
      locale: preferredLocale(request.headers['accept-language']),
      requestId: request.id,
    });
    return reply.code(504).type('application/json; charset=utf-8').send(presented.body);
  }
}
