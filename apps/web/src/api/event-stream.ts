import type { Locale } from '../i18n.tsx';
import { ApiError } from './client.ts';

/*
 * A POST answered with server-sent events (`Accept: text/event-stream`), read with fetch and a stream reader
 * (EventSource cannot POST). Albert's answers (`/api/assistant/ask`) and its writing in an editor
 * (`/api/assistant/write`) stream this way: `delta` events, then `done`, or `error` (then the stream ends).
 */

/** The code of a stream that ended before its last event (connection cut, server stopped). */
export const streamInterruptedCode = 'AI_STREAM_INTERRUPTED';

export interface ServerSentEvent {
  event: string;
  data: string;
}

/** Splits a server-sent events buffer into complete events; returns them and what is left to complete. */
export function parseEvents(buffer: string): { events: ServerSentEvent[]; rest: string } {
  const events: ServerSentEvent[] = [];
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function errorOf(response: Response, path: string): Promise<ApiError> {
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    parsed = undefined;
  }
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : {};
  return new ApiError(
    response.status,
    typeof error.code === 'string' ? error.code : `HTTP_${response.status}`,
    typeof error.message === 'string' ? error.message : `POST ${path}: ${response.status}`,
    error.details,
  );
}

/** The `error` event of a stream, as an {@link ApiError} in the person's language. */
function streamErrorOf(payload: Record<string, unknown>, locale: Locale): ApiError {
  const messages = isRecord(payload.messages) ? payload.messages : {};
  const localised = messages[locale];
  return new ApiError(
    200,
    typeof payload.code === 'string' ? payload.code : 'AI_UPSTREAM_FAILED',
    typeof localised === 'string'
      ? localised
      : typeof payload.message === 'string'
        ? payload.message
        : 'The stream failed.',
    payload.details,
  );
}

export interface EventStreamOptions<T> {
  signal: AbortSignal;
  /** The session's CSRF token (`GET /api/me`), sent as the `api()` client sends it. */
  csrfToken: string | null;
  locale: Locale;
  /**
   * Each event but `error`, as it comes. Returning a value ends the reading: the call resolves with it
   * (the `done` event, usually).
   */
  onEvent: (event: string, payload: Record<string, unknown>) => T | undefined;
  /** A server that answered JSON despite the Accept header: the whole result at once. */
  onJson: (body: unknown) => T;
}

/**
 * POSTs `body` as JSON to `path` with `Accept: text/event-stream` and reads the events as they come.
 * Rejects with an {@link ApiError}: the JSON error of a refused request, the `error` event of a failed
 * stream, or {@link streamInterruptedCode} when the stream ends without a result; or with the abort error
 * when `signal` aborts.
 */
export async function postEventStream<T>(path: string, body: unknown, options: EventStreamOptions<T>): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    'accept-language': options.locale,
    'content-type': 'application/json',
  };
  if (options.csrfToken) headers['x-csrf-token'] = options.csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new ApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await errorOf(response, path);
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return options.onJson(await response.json());
  }
  const stream = response.body;
  if (!stream) throw new ApiError(0, streamInterruptedCode, 'No response body');
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (options.signal.aborted) throw error;
        throw new ApiError(0, streamInterruptedCode, error instanceof Error ? error.message : String(error));
      }
      if (chunk.done) break;
      buffer += chunk.value;
      const { events, rest } = parseEvents(buffer);
      buffer = rest;
      for (const { event, data } of events) {
        const payload = JSON.parse(data) as unknown;
        if (!isRecord(payload)) continue;
        if (event === 'error') throw streamErrorOf(payload, options.locale);
        const result = options.onEvent(event, payload);
        if (result !== undefined) return result;
      }
    }
  } finally {
    reader.releaseLock();
  }
  throw new ApiError(0, streamInterruptedCode, 'The stream ended before its end.');
}
