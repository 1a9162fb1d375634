import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** A provider's answer once its headers arrived: read it whole, as chunks, or drop it. */
export interface UpstreamResponse {
  readonly status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** The body as it arrives; throws when the provider goes away before its end. */
  chunks(): AsyncIterableIterator<Uint8Array>;
  /** Stops reading and closes the connection (when the answer will not be read to its end). */
  cancel(): void;
}

/**
 * POSTs JSON to OpenAI-compatible providers over keep-alive connections (one pool per provider, as large as
 * its capacity). `node:http` rather than `fetch`: the gateway adds well under a millisecond to a call, and
 * fetch's WHATWG streams cost more than that per request here.
 */
export class UpstreamClient {
  readonly #agents = new Map<string, http.Agent>();

  /** Resolves when the response's headers arrive; rejects on a connection error or when `signal` aborts. */
  post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    options: { readonly pool: string; readonly maxSockets: number; readonly signal: AbortSignal },
  ): Promise<UpstreamResponse> {
    const target = new URL(url);
    const isHttps = target.protocol === 'https:';
    const agent = this.#agent(`${options.pool}\u0000${target.origin}`, isHttps, options.maxSockets);
    return new Promise((resolve, reject) => {
      if (options.signal.aborted) {
        reject(options.signal.reason as Error);
        return;
      }
      const request = (isHttps ? https : http).request(
        target,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (message) => {
          options.signal.removeEventListener('abort', onAbort);
          // Errors reach whoever reads the body (through its iterator); one destroyed unread must not crash.
          message.on('error', () => undefined);
          // Past the headers, an abort closes the body being read.
          const onLateAbort = () => message.destroy(options.signal.reason as Error);
          options.signal.addEventListener('abort', onLateAbort, { once: true });
          message.once('close', () => options.signal.removeEventListener('abort', onLateAbort));
          resolve(wrap(message));
        },
      );
      const onAbort = () => request.destroy(options.signal.reason as Error);
      options.signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error) => {
        options.signal.removeEventListener('abort', onAbort);
        reject(error);
      });
      request.end(body);
    });
  }

  /** Closes every pooled connection (shutdown). */
  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }

  #agent(key: string, isHttps: boolean, maxSockets: number): http.Agent {
    let agent = this.#agents.get(key);
    if (!agent || agent.maxSockets !== maxSockets) {
      agent?.destroy();
      agent = isHttps
        ? new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets })
        : new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
      this.#agents.set(key, agent);
    }
    return agent;
  }
}

function wrap(message: IncomingMessage): UpstreamResponse {
  async function text(): Promise<string> {
    const parts: Buffer[] = [];
    for await (const part of message) parts.push(part as Buffer);
    if (!message.complete) throw new Error('the provider closed the connection before the end of its answer');
    return Buffer.concat(parts).toString('utf8');
  }
  return {
    status: message.statusCode ?? 0,
    text,
    json: async () => JSON.parse(await text()) as unknown,
    chunks: () => {
      const iterator = message[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>;
      return {
        [Symbol.asyncIterator]() {
          return this;
        },
        async next() {
          const result = await iterator.next();
          if (result.done === true && !message.complete) {
            throw new Error('the provider closed the connection before the end of its answer');
          }
          return result;
        },
      };
    },
    cancel: () => {
      if (!message.complete) message.destroy();
      else message.resume();
    },
  };
}
