import { z } from 'zod';
import { sensitivityLevelSchema } from './identity.ts';

/** The limits of a search request, enforced by the server and by the web app's search box. */
export const searchLimits = {
  /** Characters of `q`, leading and trailing blanks aside. */
  queryMaxLength: 200,
  /** Words of `q` that count (stop words aside). */
  queryMaxWords: 16,
  pageSizeMax: 50,
  pageSizeDefault: 20,
  /** Types named in one request. */
  typesMax: 20,
  /**
   * How far pages go: a search is refined, not scrolled through thousands of results. Beyond this many
   * hits, those ranked are the ones whose title matches, then the most recent.
   */
  resultsMax: 500,
  /**
   * Facets count up to about this many results (of a user who reads more than a few thousand items):
   * beyond, a facet's `count` is a lower bound (`isLowerBound`), shown as "1,000+".
   */
  facetCountMax: 1000,
} as const;

/** `module.entity`, e.g. `identity.user`, `docs.document`. */
export const searchTypePattern = /^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+$/;

const typeListSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((type) => type.trim()))
  .pipe(z.array(z.string().regex(searchTypePattern)).max(searchLimits.typesMax));

/**
 * `GET /api/search`. `q` keeps its blanks: a last word followed by a space is complete, one without is
 * still being typed (it also matches as a prefix). `type` is repeated or comma-separated. No `.meta({ id })`:
 * a query string schema stays inline in OpenAPI (a `$ref` cannot be turned into parameters).
 */
export const searchRequestSchema = z.object({
  q: z
    .string()
    .refine((value) => value.trim().length >= 1, { message: 'empty' })
    .refine((value) => value.trim().length <= searchLimits.queryMaxLength, { message: 'too long' })
    .describe('The words to find; `*` after a word makes it a prefix.'),
  type: typeListSchema.optional().describe('Only results of these types (facets still count every type).'),
  limit: z.coerce.number().int().min(1).max(searchLimits.pageSizeMax).default(searchLimits.pageSizeDefault),
  cursor: z.string().min(1).max(200).optional().describe('`nextCursor` of the previous page.'),
});

export type SearchRequest = z.infer<typeof searchRequestSchema>;

/** A piece of a snippet; the web app highlights `match` pieces (plain text, never HTML). */
export const searchSnippetSegmentSchema = z.object({ text: z.string(), match: z.boolean() });

export const searchHitSchema = z
  .object({
    type: z.string(),
    id: z.string(),
    title: z.string(),
    snippet: z.array(searchSnippetSegmentSchema),
    /** Where the web app opens it (a path). */
    url: z.string(),
    updatedAt: z.string(),
    label: sensitivityLevelSchema.nullable(),
  })
  .meta({ id: 'SearchHit' });

export const searchFacetSchema = z.object({
  type: z.string(),
  count: z.number().int().nonnegative(),
  /** There may be more than `count`: the search stopped counting (`searchLimits.facetCountMax`). */
  isLowerBound: z.boolean().optional(),
});

export const searchResultSchema = z
  .object({
    items: z.array(searchHitSchema),
    /** Results by type, over every type and only what the user may see; largest first. */
    facets: z.array(searchFacetSchema),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'SearchResult' });

export type SearchSnippetSegment = z.infer<typeof searchSnippetSegmentSchema>;
export type SearchHit = z.infer<typeof searchHitSchema>;

/** `GET /api/search/recent`: what the user may read, most recently changed first (the home page). */
export const recentRequestSchema = z.object({
  type: typeListSchema.optional().describe('Only items of these types.'),
  limit: z.coerce.number().int().min(1).max(searchLimits.pageSizeMax).default(10),
});

export const recentItemsSchema = z
  .object({ items: z.array(searchHitSchema).describe('Newest first; `snippet` is empty.') })
  .meta({ id: 'RecentItems' });
export type SearchFacet = z.infer<typeof searchFacetSchema>;
export type SearchResult = z.infer<typeof searchResultSchema>;
