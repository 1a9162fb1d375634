export {
  foldWord,
  indexedWords,
  isStopWord,
  queryTerms,
  stemFrench,
  textWords,
  type QueryTerm,
  type TextWord,
} from './french-analyser.ts';
export { searchErrors } from './search.errors.ts';
export type { DocumentKey } from './search.repository.ts';
export { registerSearchRoutes, type SearchRoutesDependencies } from './search.routes.ts';
export {
  createSearchService,
  searchDocumentLimits,
  type ReindexOptions,
  type SearchDocument,
  type SearchFacet,
  type SearchHit,
  type SearchIndexChange,
  type SearchQuery,
  type SearchReadOptions,
  type SearchResult,
  type SearchService,
  type SearchServiceDependencies,
  type SearchTypeDefinition,
  type SearchWriteOptions,
} from './search.service.ts';
export { buildSnippet, type SnippetSegment } from './snippet.ts';
