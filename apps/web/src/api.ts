import { isLocale, type Locale } from './i18n.ts';

/** What the instance says about itself (`GET /api/instance`, InstanceInfo in @bureau/contracts). */
export interface InstanceInfo {
  /** The administration's name. */
  name: string;
  publicUrl: string;
  version: string;
  defaultLocale: Locale;
  locales: Locale[];
}

/** Whether the server can serve requests (`GET /readyz`): 200 when ready, 503 while not. */
export type Readiness = 'ready' | 'not_ready';

const requestTimeoutMs = 10_000;

export class ApiError extends Error {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

async function get(path: string, signal: AbortSignal): Promise<Response> {
  return fetch(path, {
    headers: { accept: 'application/json' },
    cache: 'no-store',
    signal: AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]),
  });
}

export async function fetchInstanceInfo(signal: AbortSignal): Promise<InstanceInfo> {
  const response = await get('/api/instance', signal);
  if (!response.ok) throw new ApiError(`GET /api/instance answered ${response.status}`, response.status);
  const body: unknown = await response.json();
  if (!isInstanceInfo(body)) throw new ApiError('GET /api/instance answered an unexpected body', response.status);
  return body;
}

export async function fetchReadiness(signal: AbortSignal): Promise<Readiness> {
  const response = await get('/readyz', signal);
  if (response.status === 503) return 'not_ready';
  if (!response.ok) throw new ApiError(`GET /readyz answered ${response.status}`, response.status);
  const body: unknown = await response.json();
  return isRecord(body) && body.status === 'ready' ? 'ready' : 'not_ready';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInstanceInfo(value: unknown): value is InstanceInfo {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.publicUrl === 'string' &&
    typeof value.version === 'string' &&
    isLocale(value.defaultLocale) &&
    Array.isArray(value.locales) &&
    value.locales.every(isLocale)
  );
}
