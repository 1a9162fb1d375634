import {
  apiErrorSchema,
  searchLimits,
  recentItemsSchema,
  recentRequestSchema,
  searchRequestSchema,
  searchResultSchema,
} from '@bureau/contracts';
import type { FastifyRequest } from 'fastify';
import type { Subject } from '../authz/subject.ts';
import type { AppError } from '../errors.ts';
import { platformErrors } from '../errors.ts';
import type { HttpServer } from '../http/http-server.ts';
import { searchErrors } from './search.errors.ts';
import type { SearchService } from './search.service.ts';

export interface SearchRoutesDependencies {
  search: SearchService;
  /** Who sent the request, for the permission model (the identity module's `subjectOf`). */
  subjectOf(request: FastifyRequest): Promise<Subject>;
  /** Throws the identity module's "not signed in" error (401) for an anonymous request. */
  requireAuthentication(request: FastifyRequest): unknown;
}

/** A failed check of the query string, as fastify-type-provider-zod reports it. */
interface ValidationIssue {
  readonly instancePath?: string;
  readonly message?: string;
}

/** A refused request, under the search's own codes: what the web app tells the person to change. */
function toSearchError(validation: readonly ValidationIssue[], rawQuery: unknown): AppError {
  const first = validation[0];
  const field = (first?.instancePath ?? '').replace(/^\//, '').split('/')[0] ?? '';
  switch (field) {
    case 'q':
      return first?.message === 'too long'
        ? searchErrors.create('SEARCH_QUERY_TOO_LONG', {
            max: searchLimits.queryMaxLength,
            maxWords: searchLimits.queryMaxWords,
          })
        : searchErrors.create('SEARCH_QUERY_EMPTY');
    case 'type':
      return searchErrors.create('SEARCH_TYPE_UNKNOWN', { type: String((rawQuery as { type?: unknown }).type) });
    case 'limit':
      return searchErrors.create('SEARCH_LIMIT_INVALID', { max: searchLimits.pageSizeMax });
    case 'cursor':
      return searchErrors.create('SEARCH_CURSOR_INVALID');
    default:
      return platformErrors.create('VALIDATION_FAILED', { field });
  }
}

/** `GET /api/search`: what the signed-in user may read, across every indexed type. */
export function registerSearchRoutes(http: HttpServer, deps: SearchRoutesDependencies): void {
  http.get(
    '/api/search/recent',
    {
      attachValidation: true,
      schema: {
        tags: ['search'],
        summary: 'What the signed-in user may read, most recently changed first (the home page).',
        querystring: recentRequestSchema,
        response: { 200: recentItemsSchema, 400: apiErrorSchema, 401: apiErrorSchema },
      },
    },
    async (request) => {
      deps.requireAuthentication(request);
      const validation = (request.validationError as { validation?: readonly ValidationIssue[] } | undefined)
        ?.validation;
      if (request.validationError) throw toSearchError(validation ?? [], request.query);
      const { type, limit } = request.query;
      return deps.search.recent(await deps.subjectOf(request), {
        limit,
        ...(type === undefined ? {} : { types: type }),
      });
    },
  );

  http.get(
    '/api/search',
    {
      // The handler turns validation failures into the search's own error codes.
      attachValidation: true,
      schema: {
        tags: ['search'],
        summary: 'Searches everything the signed-in user may read: results, facets by type, highlighted snippets.',
        querystring: searchRequestSchema,
        response: { 200: searchResultSchema, 400: apiErrorSchema, 401: apiErrorSchema },
      },
    },
    async (request) => {
      deps.requireAuthentication(request);
      const validation = (request.validationError as { validation?: readonly ValidationIssue[] } | undefined)
        ?.validation;
      if (request.validationError) throw toSearchError(validation ?? [], request.query);
      const { q, type, limit, cursor } = request.query;
      const subject = await deps.subjectOf(request);
      return deps.search.search(subject, {
        q,
        limit,
        ...(type === undefined ? {} : { types: type }),
        ...(cursor === undefined ? {} : { cursor }),
      });
    },
  );
}
