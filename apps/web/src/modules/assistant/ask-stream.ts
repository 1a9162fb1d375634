import { isRecord, postEventStream, streamInterruptedCode } from '../../api/event-stream.ts';
import type { Locale } from '../../i18n.tsx';
import type { AskResponse, Citation, FlaggedCitation, ServedBy, WriteRequest, WriteResponse } from './assistant.api.ts';

export { streamInterruptedCode };

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

/**
 * Asks Albert with `Accept: text/event-stream` and reads the answer as it comes. Resolves with the final
 * answer of the `done` event, whose text replaces the streamed one (the server removes the citations that
 * failed its check). Rejects with an `ApiError` (the JSON error of a refused request, the `error` event of
 * a failed answer, a cut stream), or with the abort error when `signal` aborts.
 */
export function askAlbert(request: AskRequest, options: AskOptions): Promise<AskResponse> {
  return postEventStream<AskResponse>('/api/assistant/ask', request, {
    signal: options.signal,
    csrfToken: options.csrfToken,
    locale: options.locale,
    onEvent: (event, payload) => {
      if (event === 'delta' && typeof payload.text === 'string') options.onDelta(payload.text);
      else if (event === 'citations') {
        options.onCitations?.(
          (payload.citations as Citation[] | undefined) ?? [],
          (payload.flaggedCitations as FlaggedCitation[] | undefined) ?? [],
        );
      } else if (event === 'done') return payload as unknown as AskResponse;
      return undefined;
    },
    onJson: (body) => {
      const answer = body as AskResponse;
      options.onDelta(answer.answer);
      return answer;
    },
  });
}

export interface WriteOptions {
  signal: AbortSignal;
  csrfToken: string | null;
  locale: Locale;
  /** A piece of the text as it is written (to append). */
  onDelta: (text: string) => void;
}

/**
 * Asks Albert to summarise, rewrite, translate, continue or correct a text (`POST /api/assistant/write`,
 * streamed): the editors of the other modules (a page of Documents) call it. Resolves with the final text
 * (Markdown) and who processed it; rejects as {@link askAlbert} does.
 */
export function writeWithAlbert(request: WriteRequest, options: WriteOptions): Promise<WriteResponse> {
  return postEventStream<WriteResponse>('/api/assistant/write', request, {
    signal: options.signal,
    csrfToken: options.csrfToken,
    locale: options.locale,
    onEvent: (event, payload) => {
      if (event === 'delta' && typeof payload.text === 'string') options.onDelta(payload.text);
      else if (event === 'done' && typeof payload.text === 'string') {
        return { text: payload.text, provider: isRecord(payload.provider) ? (payload.provider as ServedBy) : null };
      }
      return undefined;
    },
    onJson: (body) => {
      const written = body as WriteResponse;
      options.onDelta(written.text);
      return written;
    },
  });
}
