import { activeLocale } from '../i18n.tsx';

/** An error answered by Bureau's API (`{ error: { code, message, details } }`), or a network failure. */
export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Stable error code (`IDENTITY_INVALID_CREDENTIALS`...), or `NETWORK_ERROR`. */
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Whether the error means the endpoint does not exist (yet) on this server. */
export function isMissingEndpoint(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405) && error.code !== 'NETWORK_ERROR';
}

let csrfToken: string | null = null;

/** The session's CSRF token (`csrfToken` of `GET /api/me`), sent with every state-changing request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const requestTimeoutMs = 15_000;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A JSON body (serialised here). */
  json?: unknown;
  /** A raw body with its content type (CSV import, avatar). */
  body?: { data: BodyInit; contentType: string };
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
}

/** The path with its query string; empty and undefined values are left out. */
export function withQuery(path: string, query: RequestOptions['query']): string {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    parameters.set(key, String(value));
  }
  const search = parameters.toString();
  return search ? `${path}?${search}` : path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Calls Bureau's API on the same origin with the session cookie. State-changing requests carry the CSRF
 * token. Answers 204 as `undefined`; errors become {@link ApiError} with the server's code and message
 * (in the person's language, through Accept-Language).
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': activeLocale() };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body) {
    headers['content-type'] = options.body.contentType;
    body = options.body.data;
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const signals = [AbortSignal.timeout(requestTimeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : String(error));
  }
  if (response.status === 204 || response.status === 202) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : {};
    throw new ApiError(
      response.status,
      typeof error.code === 'string' ? error.code : `HTTP_${response.status}`,
      typeof error.message === 'string' ? error.message : `${method} ${path}: ${response.status}`,
      error.details,
    );
  }
  return parsed as T;
}
