import type * as contracts from '@bureau/contracts';
import { useInfiniteQuery, useQuery, type QueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../../api/client.ts';
import type { Page, SearchResponse } from '../../api/types.ts';
import { activeLocale } from '../../i18n.tsx';

/*
 * The documents' API (apps/server/src/modules/docs): spaces, pages, their tree, shares, favourites,
 * recent pages, the trash, export and import, versions. Shapes come from packages/contracts/src/docs.ts as
 * types only: the schemas (and zod) stay on the server; the few constants the web app needs are repeated
 * here, their type keeping them equal.
 */

export type DocsSpace = contracts.DocsSpace;
export type DocsDocument = contracts.DocsDocument;
export type DocsDocumentSummary = contracts.DocsDocumentSummary;
export type DocsShare = contracts.DocsShare;
export type DocsShareRequest = contracts.DocsShareRequest;
export type DocsRole = contracts.DocsRole;
export type DocsVersion = contracts.DocsVersion;
export type DocsExportFormat = contracts.DocsExportFormat;
export type DocsAbilities = contracts.DocsAbilities;
export type DocsTemplate = contracts.DocsTemplate;
export type TemplateScope = DocsTemplate['templateScope'];
export type SharePrincipal = DocsShareRequest['principal'];

/** `docsLimits` of packages/contracts/src/docs.ts, repeated (the type keeps them equal). */
export const docsLimits: typeof contracts.docsLimits = {
  titleMaxLength: 200,
  spaceNameMaxLength: 120,
  descriptionMaxLength: 1_000,
  versionNameMaxLength: 120,
  pageMax: 100,
  importMaxBytes: 20 * 1024 * 1024,
  documentMaxBytes: 32 * 1024 * 1024,
  linkMaxDays: 365,
};

/** Days a page stays in the trash before the server deletes it for good (`docsTrashRetentionDays`). */
export const docsTrashRetentionDays: typeof contracts.docsTrashRetentionDays = 30;

export const docsRoles: typeof contracts.docsRoles = ['reader', 'commenter', 'editor', 'owner'];
export const docsExportFormats: typeof contracts.docsExportFormats = ['md', 'html', 'docx', 'odt', 'pdf'];
export const docsImportFormats: typeof contracts.docsImportFormats = ['md', 'html', 'docx', 'odt'];
/** The Yjs XML fragment BlockNote edits (`docsFragmentName`). */
export const docsFragmentName: typeof contracts.docsFragmentName = 'document-store';

/** What the import's file field accepts: the formats above, by extension and by media type. */
export const importAccept =
  '.md,.markdown,.html,.htm,.docx,.odt,text/markdown,text/html,' +
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text';

/** Where sharing happens: a whole space or one page (and its sub-pages). */
export interface ShareTarget {
  type: 'space' | 'document';
  id: string;
}

/** The documents' result type in the unified search (`GET /api/search?type=`). */
export const documentSearchType = 'docs.document';

const base = '/api/docs';
const encode = encodeURIComponent;

export const docsKeys = {
  all: ['docs'] as const,
  spaces: ['docs', 'spaces'] as const,
  space: (id: string) => ['docs', 'space', id] as const,
  /** Every level of a space's tree (invalidated together when a page moves, appears or goes). */
  tree: (spaceId: string) => ['docs', 'tree', spaceId] as const,
  level: (spaceId: string, parentId: string | null) => ['docs', 'tree', spaceId, parentId ?? 'top'] as const,
  document: (id: string) => ['docs', 'document', id] as const,
  /** A page read by a visitor who is not signed in (its public link): apart from a signed-in person's copy. */
  publicDocument: (id: string) => ['docs', 'public', id] as const,
  lists: ['docs', 'list'] as const,
  list: (kind: DocumentListKind) => ['docs', 'list', kind] as const,
  shares: (target: ShareTarget) => ['docs', 'shares', target.type, target.id] as const,
  versions: (documentId: string) => ['docs', 'versions', documentId] as const,
  version: (documentId: string, versionId: string) => ['docs', 'versions', documentId, versionId] as const,
  templates: (spaceId: string) => ['docs', 'templates', spaceId] as const,
};

export type DocumentListKind = 'favourites' | 'recent' | 'trash';

function sharesPath(target: ShareTarget): string {
  return target.type === 'space' ? `${base}/spaces/${encode(target.id)}/shares` : `${base}/${encode(target.id)}/shares`;
}

// Spaces

/** The person's spaces, their personal one (« Mes documents ») first. */
export function useSpaces() {
  return useQuery({
    queryKey: docsKeys.spaces,
    queryFn: async ({ signal }) => (await api<{ items: DocsSpace[] }>(`${base}/spaces`, { signal })).items,
  });
}

export function useSpace(id: string) {
  return useQuery({
    queryKey: docsKeys.space(id),
    queryFn: ({ signal }) => api<DocsSpace>(`${base}/spaces/${encode(id)}`, { signal }),
  });
}

export function createSpace(body: { name: string; description?: string }): Promise<DocsSpace> {
  return api<DocsSpace>(`${base}/spaces`, { method: 'POST', json: body });
}

export function updateSpace(
  id: string,
  body: { name?: string; description?: string; label?: DocsSpace['label'] },
): Promise<DocsSpace> {
  return api<DocsSpace>(`${base}/spaces/${encode(id)}`, { method: 'PATCH', json: body });
}

/** Deletes an empty shared space (owners), with the pages of its trash. */
export function deleteSpace(id: string): Promise<undefined> {
  return api<undefined>(`${base}/spaces/${encode(id)}`, { method: 'DELETE' });
}

/**
 * One level of a space's tree, in tree order: its top pages, or the sub-pages of `parentId` (asked of the
 * page itself, so that someone given one page only, not its space, sees its sub-pages too).
 */
export function useTreeLevel(spaceId: string, parentId: string | null, enabled = true) {
  return useInfiniteQuery({
    queryKey: docsKeys.level(spaceId, parentId),
    queryFn: ({ pageParam, signal }) =>
      api<Page<DocsDocumentSummary>>(
        parentId === null ? `${base}/spaces/${encode(spaceId)}/documents` : `${base}/${encode(parentId)}/children`,
        { query: { cursor: pageParam }, signal },
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

// Documents

export function useDocument(id: string) {
  return useQuery({
    queryKey: docsKeys.document(id),
    queryFn: ({ signal }) => api<DocsDocument>(`${base}/${encode(id)}`, { signal }),
  });
}

/**
 * A page as a visitor who is not signed in reads it, through its public link (the server answers 404
 * when there is none, or it expired).
 */
export function usePublicDocument(id: string) {
  return useQuery({
    queryKey: docsKeys.publicDocument(id),
    queryFn: ({ signal }) => api<DocsDocument>(`${base}/${encode(id)}`, { signal }),
  });
}

/** A new page, blank or a copy of a template's content and title (`templateId`). */
export function createDocument(body: {
  spaceId: string;
  parentId?: string | null;
  title?: string;
  templateId?: string;
}) {
  return api<DocsDocument>(base, { method: 'POST', json: body });
}

export function renameDocument(id: string, title: string): Promise<DocsDocument> {
  return api<DocsDocument>(`${base}/${encode(id)}`, { method: 'PATCH', json: { title } });
}

/** Sends the page and its sub-pages to the trash. */
export function trashDocument(id: string): Promise<undefined> {
  return api<undefined>(`${base}/${encode(id)}`, { method: 'DELETE' });
}

export function restoreDocument(id: string): Promise<DocsDocument> {
  return api<DocsDocument>(`${base}/${encode(id)}/restore`, { method: 'POST' });
}

export function deleteDocumentPermanently(id: string): Promise<undefined> {
  return api<undefined>(`${base}/${encode(id)}/permanently`, { method: 'DELETE' });
}

export function moveDocument(
  id: string,
  body: { spaceId?: string; parentId: string | null; beforeId?: string | null },
): Promise<DocsDocument> {
  return api<DocsDocument>(`${base}/${encode(id)}/move`, { method: 'POST', json: body });
}

export function duplicateDocument(id: string, withChildren: boolean): Promise<DocsDocument> {
  return api<DocsDocument>(`${base}/${encode(id)}/duplicate`, { method: 'POST', json: { withChildren } });
}

export function setFavourite(id: string, isFavourite: boolean): Promise<undefined> {
  return api<undefined>(`${base}/${encode(id)}/favourite`, { method: isFavourite ? 'PUT' : 'DELETE' });
}

/** The person's favourite pages, recent pages or trash, a page of results at a time. */
export function useDocumentList(kind: DocumentListKind) {
  return useInfiniteQuery({
    queryKey: docsKeys.list(kind),
    queryFn: ({ pageParam, signal }) =>
      api<Page<DocsDocumentSummary>>(`${base}/${kind}`, { query: { cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/**
 * After a page appeared, moved, changed its title or went to the trash: the trees, lists and the page
 * itself are fetched again where they show.
 */
export async function refreshAfterChange(queryClient: QueryClient, documentId?: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ['docs', 'tree'] }),
    queryClient.invalidateQueries({ queryKey: docsKeys.lists }),
    ...(documentId ? [queryClient.invalidateQueries({ queryKey: docsKeys.document(documentId) })] : []),
  ]);
}

// Templates

/** The templates one may start a page of the space from: the space's own, then those of one's units. */
export function useTemplates(spaceId: string) {
  return useQuery({
    queryKey: docsKeys.templates(spaceId),
    queryFn: async ({ signal }) =>
      (await api<{ items: DocsTemplate[] }>(`${base}/templates`, { query: { spaceId }, signal })).items,
  });
}

/** Offers a page as a template to its space or to its organisation unit, or stops (`null`). */
export function setTemplateScope(id: string, scope: TemplateScope | null): Promise<DocsDocument> {
  return api<DocsDocument>(`${base}/${encode(id)}/template`, { method: 'PUT', json: { scope } });
}

// Content added from elsewhere

/** Adds Markdown (an answer of Albert) at the end of a page, for everyone editing it at once. */
export function appendMarkdown(id: string, markdown: string): Promise<undefined> {
  return api<undefined>(`${base}/${encode(id)}/append`, { method: 'POST', json: { markdown } });
}

// Comments

/** Someone who wrote a comment, as BlockNote's user store holds them. */
export interface CommentAuthor {
  id: string;
  username: string;
  avatarUrl: string;
}

/** The names of the authors of comments (`GET /api/docs/users?ids=`, 100 at a time). */
export async function resolveCommentAuthors(ids: readonly string[]): Promise<CommentAuthor[]> {
  const authors: CommentAuthor[] = [];
  for (let start = 0; start < ids.length; start += 100) {
    const page = await api<{ items: CommentAuthor[] }>(`${base}/users`, {
      query: { ids: ids.slice(start, start + 100).join(',') },
    });
    authors.push(...page.items);
  }
  return authors;
}

/** The REST side of the comments of a page (BlockNote's `RESTYjsThreadStore`). */
export function threadsPath(documentId: string): string {
  return `${base}/${encode(documentId)}/threads`;
}

// Sharing

export function useShares(target: ShareTarget) {
  return useQuery({
    queryKey: docsKeys.shares(target),
    queryFn: async ({ signal }) => (await api<{ items: DocsShare[] }>(sharesPath(target), { signal })).items,
  });
}

export function addShare(target: ShareTarget, body: DocsShareRequest): Promise<DocsShare> {
  return api<DocsShare>(sharesPath(target), { method: 'POST', json: body });
}

export function removeShare(target: ShareTarget, grantId: string): Promise<undefined> {
  return api<undefined>(`${sharesPath(target)}/${encode(grantId)}`, { method: 'DELETE' });
}

// Versions

export function useVersions(documentId: string) {
  return useInfiniteQuery({
    queryKey: docsKeys.versions(documentId),
    queryFn: ({ pageParam, signal }) =>
      api<Page<DocsVersion>>(`${base}/${encode(documentId)}/versions`, { query: { cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** A version's content: BlockNote blocks, shown by a read-only editor. */
export interface VersionContent {
  version: DocsVersion;
  blocks: unknown[];
}

export function useVersionContent(documentId: string, versionId: string) {
  return useQuery({
    queryKey: docsKeys.version(documentId, versionId),
    queryFn: ({ signal }) =>
      api<VersionContent>(`${base}/${encode(documentId)}/versions/${encode(versionId)}`, { signal }),
    staleTime: Infinity,
  });
}

export function createVersion(documentId: string, name: string): Promise<DocsVersion> {
  return api<DocsVersion>(`${base}/${encode(documentId)}/versions`, { method: 'POST', json: { name } });
}

export function restoreVersion(documentId: string, versionId: string): Promise<DocsVersion> {
  return api<DocsVersion>(`${base}/${encode(documentId)}/versions/${encode(versionId)}/restore`, {
    method: 'POST',
  });
}

// Search (links between pages)

/** Pages whose title or text matches, among those the person may read (`GET /api/search`). */
export async function searchDocuments(query: string, signal?: AbortSignal): Promise<SearchResponse['items']> {
  const result = await api<SearchResponse>('/api/search', {
    query: { q: query, type: documentSearchType, limit: 8 },
    signal,
  });
  return result.items;
}

// Files: import, export, files of the editor

/** The error of an answer that was not JSON-parsed by {@link api} (raw uploads, downloads). */
function errorOf(status: number, text: string, fallback: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error =
    typeof parsed === 'object' && parsed !== null && 'error' in parsed && typeof parsed.error === 'object'
      ? (parsed.error as { code?: unknown; message?: unknown; details?: unknown } | null)
      : null;
  return new ApiError(
    status,
    typeof error?.code === 'string' ? error.code : `HTTP_${status}`,
    typeof error?.message === 'string' ? error.message : fallback,
    error?.details,
  );
}

/**
 * Sends a file as the raw body of a POST (import, a picture of a page) with XMLHttpRequest, whose upload
 * events give the progress. No time limit: a large file on a slow line takes its time.
 */
export function sendFile<T>(
  path: string,
  file: Blob,
  options: { csrfToken: string | null; onProgress?: (fraction: number) => void },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('accept', 'application/json');
    request.setRequestHeader('accept-language', activeLocale());
    request.setRequestHeader('content-type', file.type || 'application/octet-stream');
    if (options.csrfToken) request.setRequestHeader('x-csrf-token', options.csrfToken);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        try {
          resolve(JSON.parse(request.responseText) as T);
        } catch {
          reject(new ApiError(request.status, 'INVALID_RESPONSE', `POST ${path}: ${request.status}`));
        }
      } else reject(errorOf(request.status, request.responseText, `POST ${path}: ${request.status}`));
    };
    request.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', 'network'));
    request.send(file);
  });
}

/** Imports a Markdown, HTML, DOCX or ODT file as a new page of the space (under `parentId` when given). */
export function importDocument(
  target: { spaceId: string; parentId: string | null },
  file: File,
  options: { csrfToken: string | null; onProgress?: (fraction: number) => void },
): Promise<DocsDocument> {
  const query = new URLSearchParams({ spaceId: target.spaceId, name: file.name });
  if (target.parentId) query.set('parentId', target.parentId);
  return sendFile<DocsDocument>(`${base}/import?${query.toString()}`, file, options);
}

/** Stores a picture or a file inserted in a page; answers the address readers fetch it from. */
export async function uploadDocumentFile(documentId: string, file: File, csrfToken: string | null): Promise<string> {
  const path = `${base}/${encode(documentId)}/files?name=${encode(file.name)}`;
  return (await sendFile<{ url: string }>(path, file, { csrfToken })).url;
}

/** The file name of a `Content-Disposition` header (`filename*` first, UTF-8), or undefined. */
export function fileNameOfDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // A malformed escape: the plain name, if any.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^;]+))/.exec(header);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
  return name || undefined;
}

async function readWithProgress(
  response: Response,
  onProgress: ((received: number, total: number | null) => void) | undefined,
): Promise<Blob> {
  const reader = response.body?.getReader();
  if (!reader || !onProgress) return response.blob();
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress(received, total);
  }
  return new Blob(chunks, { type: response.headers.get('content-type') ?? 'application/octet-stream' });
}

/**
 * Exports a page (with its sub-pages: a zip) and hands the file to the browser. Fetched first, so that a
 * refusal or a failure is shown on the page rather than as a downloaded error.
 */
export async function downloadExport(
  documentId: string,
  options: {
    format: DocsExportFormat;
    withChildren: boolean;
    fallbackName: string;
    /** Bytes received so far, and how many are expected when the server says. */
    onProgress?: (received: number, total: number | null) => void;
    signal?: AbortSignal;
  },
): Promise<string> {
  const path = `${base}/${encode(documentId)}/export?format=${options.format}&withChildren=${String(options.withChildren)}`;
  let response: Response;
  try {
    response = await fetch(path, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'accept-language': activeLocale() },
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw errorOf(response.status, await response.text(), `GET ${path}: ${response.status}`);
  const blob = await readWithProgress(response, options.onProgress);
  const name = fileNameOfDisposition(response.headers.get('content-disposition')) ?? options.fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started the download by then; the object URL can go a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
