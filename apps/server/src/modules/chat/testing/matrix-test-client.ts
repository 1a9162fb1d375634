import type { BureauApp } from '../../../app.ts';

export const testPassword = 'Correct-Horse-Battery-42';

export interface MatrixResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** A minimal Matrix client over `app.http.inject`, for conformance tests of the HTTP surface. */
export class InjectMatrixClient {
  readonly app: BureauApp;
  accessToken: string | undefined;
  userId = '';
  deviceId = '';
  #txn = 0;

  constructor(app: BureauApp, accessToken?: string) {
    this.app = app;
    this.accessToken = accessToken;
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<MatrixResponse<T>> {
    const response = await this.app.http.inject({
      method,
      url: path.startsWith('/') ? path : `/_matrix/client/v3/${path}`,
      headers: {
        ...(this.accessToken ? { authorization: `Bearer ${this.accessToken}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = response.body;
    let parsed: unknown = text;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.statusCode, body: parsed as T };
  }

  /** Like `request`, but fails the test unless the status is 200. */
  async ok<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (response.status !== 200) {
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  async loginWithEmail(email: string, password = testPassword): Promise<this> {
    const body = await this.ok<{ access_token: string; user_id: string; device_id: string }>('POST', 'login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.thirdparty', medium: 'email', address: email },
      password,
    });
    this.accessToken = body.access_token;
    this.userId = body.user_id;
    this.deviceId = body.device_id;
    return this;
  }

  nextTxnId(): string {
    this.#txn += 1;
    return `txn-${Date.now()}-${this.#txn}`;
  }

  async createRoom(body: Record<string, unknown> = {}): Promise<string> {
    return (await this.ok<{ room_id: string }>('POST', 'createRoom', body)).room_id;
  }

  async send(roomId: string, content: Record<string, unknown>, type = 'm.room.message'): Promise<string> {
    const path = `rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${this.nextTxnId()}`;
    return (await this.ok<{ event_id: string }>('PUT', path, content)).event_id;
  }

  async sync(query: Record<string, string> = {}): Promise<SyncBody> {
    const search = new URLSearchParams(query).toString();
    return this.ok<SyncBody>('GET', `sync${search ? `?${search}` : ''}`);
  }
}

export interface SyncRoom {
  timeline: {
    events: Array<Record<string, unknown> & { type: string; event_id: string; content: Record<string, unknown> }>;
    limited: boolean;
    prev_batch: string;
  };
  state: { events: Array<Record<string, unknown> & { type: string }> };
  ephemeral: { events: Array<{ type: string; content: Record<string, unknown> }> };
  unread_notifications: { notification_count: number; highlight_count: number };
  summary: Record<string, unknown>;
}

export interface SyncBody {
  next_batch: string;
  rooms: {
    join: Record<string, SyncRoom>;
    invite: Record<string, { invite_state: { events: Array<Record<string, unknown>> } }>;
    leave: Record<string, unknown>;
  };
  account_data: { events: Array<{ type: string; content: unknown }> };
  [key: string]: unknown;
}
