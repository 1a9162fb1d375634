import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError, platformErrors, type ErrorKind, type Locale } from '../errors.ts';

const statusByKind: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export function httpStatusOf(error: AppError): number {
  return statusByKind[error.kind];
}

export interface PresentedError {
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ErrorPresentation {
  readonly status: number;
  readonly locale: Locale;
  readonly requestId: string;
}

/**
 * Shapes an error for one protocol surface. Bureau's own API answers `{"error":{"code","message","details"}}`;
 * a surface such as the Matrix API (`/_matrix`, `{"errcode","error"}`) or the OpenAI-compatible API
 * (`/v1`, `{"error":{"message","type","code"}}`) registers its own presenter for its URL prefix.
 */
export type ErrorPresenter = (error: AppError, presentation: ErrorPresentation) => PresentedError;

export const bureauErrorPresenter: ErrorPresenter = (error, { locale }) => ({
  body: {
    error: {
      code: error.code,
      message: error.messages[locale],
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  },
});

/** The language of messages: the first of French or English the client accepts, French otherwise. */
export function preferredLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'fr';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().toLowerCase().split(';');
      const quality = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { language: tag.split('-')[0], quality: quality ? Number(quality.slice(2)) || 0 : 1, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const entry of ranked) {
    if (entry.language === 'fr' || entry.language === 'en') return entry.language;
  }
  return 'fr';
}

interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: ReadonlyArray<{ instancePath?: string; message?: string; params?: unknown }>;
  validationContext?: string;
}

function asFrameworkError(error: unknown): FrameworkError | undefined {
  return typeof error === 'object' && error !== null ? error : undefined;
}

/**
 * Turns anything thrown while handling a request into an AppError with a stable code: business errors
 * pass through; framework errors (body too large, wrong content type, invalid JSON, schema validation)
 * get their platform code; anything else is an internal error whose details stay in the logs.
 */
export function toAppError(error: unknown, request: FastifyRequest): { appError: AppError; isUnexpected: boolean } {
  if (error instanceof AppError) return { appError: error, isUnexpected: false };
  if (error instanceof ZodError) {
    return {
      appError: platformErrors.create('VALIDATION_FAILED', { issues: zodIssues(error) }),
      isUnexpected: false,
    };
  }
  const framework = asFrameworkError(error);
  if (framework?.validation) {
    const location = framework.validationContext ?? 'body';
    return {
      appError: platformErrors.create('VALIDATION_FAILED', {
        issues: framework.validation.map((issue) => ({
          location,
          path: pathOfValidationIssue(issue),
          message: issue.message ?? 'invalid',
        })),
      }),
      isUnexpected: false,
    };
  }
  switch (framework?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        appError: platformErrors.create('PAYLOAD_TOO_LARGE', { limit: request.routeOptions.bodyLimit }),
        isUnexpected: false,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        appError: platformErrors.create('UNSUPPORTED_MEDIA_TYPE', {
          contentType: request.headers['content-type'] ?? '',
        }),
        isUnexpected: false,
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        appError: platformErrors.create('MALFORMED_BODY', { reason: framework.message ?? 'invalid body' }),
        isUnexpected: false,
      };
  }
  if (error instanceof SyntaxError && framework?.statusCode === 400) {
    return { appError: platformErrors.create('MALFORMED_BODY', { reason: error.message }), isUnexpected: false };
  }
  if (framework?.statusCode === 413) {
    return {
      appError: platformErrors.create('PAYLOAD_TOO_LARGE', { limit: request.routeOptions.bodyLimit }),
      isUnexpected: false,
    };
  }
  return {
    appError: platformErrors.create('INTERNAL_ERROR', { requestId: request.id }),
    isUnexpected: true,
  };
}

function pathOfValidationIssue(issue: { instancePath?: string; params?: unknown }): string {
  const params = issue.params as { issue?: { path?: unknown[] } } | undefined;
  const zodPath = params?.issue?.path;
  if (Array.isArray(zodPath)) return zodPath.map(String).join('.');
  return (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
}

function zodIssues(error: ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Presenters by URL prefix; the longest matching prefix wins, Bureau's own shape otherwise. */
export class ErrorSurfaces {
  readonly #surfaces: Array<{ prefix: string; presenter: ErrorPresenter }> = [];

  register(prefix: string, presenter: ErrorPresenter): void {
    this.#surfaces.push({ prefix, presenter });
    this.#surfaces.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  presenterFor(url: string): ErrorPresenter {
    const path = url.split('?')[0] ?? url;
    const match = this.#surfaces.find(
      ({ prefix }) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
    );
    return match?.presenter ?? bureauErrorPresenter;
  }

  /** Sends `error` in the shape of the request's surface, with its status and headers. */
  send(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
    const status = httpStatusOf(error);
    const presented = this.presenterFor(request.url)(error, {
      status,
      locale: preferredLocale(request.headers['accept-language']),
      requestId: request.id,
    });
    if (presented.headers) void reply.headers(presented.headers);
    return reply.code(status).type('application/json; charset=utf-8').send(presented.body);
  }
}
