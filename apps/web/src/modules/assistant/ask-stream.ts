import { ApiError } from '../../api/client.ts';
import type { Locale } from '../../i18n.tsx';
import type { AskResponse, Citation, FlaggedCitation } from './assistant.api.ts';

/** What `POST /api/assistant/ask` takes. */
export interface AskRequest {
  question: string;
  /** Collection ids or slugs; absent: the public collections. */
  collections?: string[];
  conversationId?: string;
}

export interface AskOptions {
  signal: AbortSignal;
  /** The session's CSRF token (`GET /api/me`), sent as the `api()` client sends it. */
  csrfToken: string | null;
  locale: Locale;
  /** A piece of the answer as it is written (to append). */
  onDelta: (text: string) => void;
  /** The sources the answer cites, once the model has finished. */
  onCitations?: (citations: Citation[], flagged: FlaggedCitation[]) => void;
}

/** The code of a stream that ended before its `done` event (connection cut, server stopped). */
export const streamInterruptedCode = 'AI_STREAM_INTERRUPTED';

interface ServerSentEvent {
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function errorOf(response: Response): Promise<ApiError> {
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
    typeof error.message === 'string' ? error.message : `POST /api/assistant/ask: ${response.status}`,
    error.details,
  );
}

/**
 * Asks Albert with `Accept: text/event-stream` and reads the answer as it comes (a POST: fetch and a stream
 * reader, not EventSource). Resolves with the final answer of the `done` event, whose text replaces the
 * streamed one (the server removes the citations that failed its check). Rejects with an {@link ApiError}
 * (the JSON error of a refused request, the `error` event of a failed answer, a cut stream), or with the
 * abort error when `signal` aborts.
 */
export async function askAlbert(request: AskRequest, options: AskOptions): Promise<AskResponse> {
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    'accept-language': options.locale,
    'content-type': 'application/json',
  };
  if (options.csrfToken) headers['x-csrf-token'] = options.csrfToken;
  let response: Response;
  try {
    response = await fetch('/api/assistant/ask', {
      method: 'POST',
      headers,
      body: JSON.stringify(request),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new ApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await errorOf(response);
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    // A server answering JSON despite the Accept header: the whole answer at once.
    const answer = (await response.json()) as AskResponse;
    options.onDelta(answer.answer);
    return answer;
  }
  const body = response.body;
  if (!body) throw new ApiError(0, streamInterruptedCode, 'No response body');
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
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
        if (event === 'delta' && typeof payload.text === 'string') options.onDelta(payload.text);
        else if (event === 'citations') {
          options.onCitations?.(
            (payload.citations as Citation[] | undefined) ?? [],
            (payload.flaggedCitations as FlaggedCitation[] | undefined) ?? [],
          );
        } else if (event === 'done') return payload as unknown as AskResponse;
        else if (event === 'error') {
          const messages = isRecord(payload.messages) ? payload.messages : {};
          const localised = messages[options.locale];
          throw new ApiError(
            200,
            typeof payload.code === 'string' ? payload.code : 'AI_UPSTREAM_FAILED',
            typeof localised === 'string'
              ? localised
              : typeof payload.message === 'string'
                ? payload.message
                : 'Albert could not answer.',
          );
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
  throw new ApiError(0, streamInterruptedCode, 'The answer stream ended before its end.');
}
