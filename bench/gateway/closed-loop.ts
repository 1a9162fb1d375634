/**
 * The gateway benchmark's load generator: N clients on keep-alive connections, each sending its next
 * request as soon as the previous answer has ended (a closed loop), for a number of seconds. Every
 * request's latency is kept (not bucketed: the differences measured are fractions of a millisecond), with
 * the time to the first byte of the body for streamed answers.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One request, prepared once and sent again and again. */
export interface PreparedRequest {
  readonly port: number;
  readonly path: string;
  readonly body: Buffer;
  readonly headers: http.OutgoingHttpHeaders;
  /** A server-sent event stream: it must end with `data: [DONE]`. */
  readonly isStream: boolean;
}

export function prepareRequest(
  url: string,
  body: unknown,
  options: { token?: string; isStream: boolean },
): PreparedRequest {
  const target = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  return {
    port: Number(target.port),
    path: target.pathname,
    body: payload,
    headers: {
      'content-type': 'application/json',
      'content-length': payload.length,
      accept: options.isStream ? 'text/event-stream' : 'application/json',
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    isStream: options.isStream,
  };
}

export interface Exchange {
  readonly status: number;
  /** From the call to the first byte of the response body. */
  readonly firstByteMs: number;
  /** From the call to the end of the response. */
  readonly totalMs: number;
  /** The body, only when asked for. */
  readonly text: string | undefined;
  /** Why the answer does not count as a success, if it does not. */
  readonly failure: string | undefined;
}

const streamEnd = 'data: [DONE]\n\n';

/** Sends `request` once on `agent` and times it; the body is kept only with `keepBody`. */
export function send(agent: http.Agent, request: PreparedRequest, keepBody = false): Promise<Exchange> {
  return new Promise((resolveExchange) => {
    const started = performance.now();
    let firstByteMs = Number.NaN;
    const fail = (failure: string) =>
      resolveExchange({
        status: 0,
        firstByteMs,
        totalMs: performance.now() - started,
        text: undefined,
        failure,
      });
    const outgoing = http.request(
      { agent, host: '127.0.0.1', port: request.port, method: 'POST', path: request.path, headers: request.headers },
      (response) => {
        const chunks: Buffer[] = [];
        // The last bytes received, to check that a stream ended as a stream should.
        let tail = '';
        response.on('data', (chunk: Buffer) => {
          if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
          if (keepBody || response.statusCode !== 200) chunks.push(chunk);
          if (request.isStream) tail = (tail + chunk.toString('latin1')).slice(-streamEnd.length);
        });
        response.on('error', (error) => fail(error.message));
        response.on('end', () => {
          const totalMs = performance.now() - started;
          const status = response.statusCode ?? 0;
          const text = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
          let failure: string | undefined;
          if (status !== 200) failure = `HTTP ${status} ${(text ?? '').slice(0, 200)}`;
          else if (request.isStream && tail !== streamEnd) failure = 'the stream did not end with [DONE]';
          resolveExchange({ status, firstByteMs, totalMs, text: keepBody ? text : undefined, failure });
        });
      },
    );
    outgoing.setTimeout(60_000, () => outgoing.destroy(new Error('no answer in 60 s')));
    outgoing.on('error', (error) => fail(error.message));
    outgoing.end(request.body);
  });
}

export interface LoopResult {
  /** From the start to the end of the last answer. */
  readonly seconds: number;
  /** Requests sent, failures included. */
  readonly sent: number;
  readonly failures: number;
  readonly firstFailure: string | undefined;
  /** Latencies of the successful requests, in milliseconds, ascending. */
  readonly totalMs: Float64Array;
  readonly firstByteMs: Float64Array;
}

/**
 * `concurrency` clients sending `request` back to back for `seconds` (none starts after that; those under
 * way finish and count). Only successful answers give latencies.
 */
export async function runClosedLoop(
  agent: http.Agent,
  request: PreparedRequest,
  concurrency: number,
  seconds: number,
): Promise<LoopResult> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const totals: number[] = [];
  const firstBytes: number[] = [];
  let sent = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const client = async () => {
    while (performance.now() < deadline) {
      sent += 1;
      const exchange = await send(agent, request);
      if (exchange.failure === undefined) {
        totals.push(exchange.totalMs);
        firstBytes.push(exchange.firstByteMs);
      } else {
        failures += 1;
        firstFailure ??= exchange.failure;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return {
    seconds: (performance.now() - started) / 1000,
    sent,
    failures,
    firstFailure,
    totalMs: Float64Array.from(totals).sort(),
    firstByteMs: Float64Array.from(firstBytes).sort(),
  };
}

/** The nearest-rank percentile of ascending `values` (NaN when there are none). */
export function percentile(values: Float64Array, fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(fraction * values.length));
  return values[Math.min(values.length, rank) - 1] ?? Number.NaN;
}
