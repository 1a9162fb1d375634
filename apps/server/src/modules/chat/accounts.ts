import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Executor, TransactionContext } from '../../platform/db/database.ts';
import type { ChatAccountRow, ChatDeviceRow, ChatTables } from './chat.tables.ts';
import { buildUserId, deriveLocalpart } from './protocol/index.ts';

/** A Bureau user as the chat module needs them. */
export interface ChatUser {
  readonly id: string;
  readonly email: string;
  readonly display_name: string;
}

/** Who a Matrix request comes from: an access token names one device of one account. */
export interface MatrixPrincipal {
  readonly account: ChatAccountRow;
  readonly userId: string;
  readonly deviceId: string;
  readonly tokenHash: string;
}

export type DeviceDeletedListener = (matrixId: string, deviceId: string, context: TransactionContext) => Promise<void>;

export interface ChatAccountsDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly serverName: string;
}

const tokenPrefix = 'bmx_';
/** How long an access token's principal is reused without reading it again (see `authenticate`). */
const principalTtlMs = 60_000;
const maxCachedPrincipals = 50_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function newDeviceId(): string {
  // Ten upper-case letters, like Synapse's device IDs.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(randomBytes(10), (byte) => alphabet[byte % 26]).join('');
}

/**
 * Matrix accounts of Bureau users (`@<localpart>:<server name>`, the localpart derived once from the
 * e-mail and never changed), their devices and access tokens (only hashes stored), single-use login tokens
 * for single sign-on. Deleting a device revokes its tokens and runs the listeners (E2EE keys, to-device
 * queue) in the same transaction.
 */
export function createChatAccounts(deps: ChatAccountsDependencies) {
  const deviceDeletedListeners: DeviceDeletedListener[] = [];
  // When each device was last recorded as seen, so that most requests skip the write.
  const lastTouched = new Map<string, number>();
  // The same, by principal (the cached principal of a token is one object): no key to build per request.
  const touchedPrincipals = new WeakMap<MatrixPrincipal, number>();
  // The principal of each recently used access token (a /sync long-poll comes back every 30 s per device),
  // kept a minute; forgotten in this process as soon as one of the account's tokens, devices or profile
  // changes. Another process's revocation takes effect here within `principalTtlMs`. Keyed by the token
  // itself, as Synapse's cache of access tokens is: hashing it on every request cost 3 µs of each /sync.
  const principals = new Map<string, { principal: MatrixPrincipal; at: number }>();
  let principalsGeneration = 0;
  function forgetAccount(matrixId: string): void {
    principalsGeneration += 1;
    for (const [token, entry] of principals) {
      if (entry.principal.userId === matrixId) principals.delete(token);
    }
  }
  const tables = (executor: Executor = deps.database.executor) => executor.withTables<ChatTables>();
  const now = () => deps.clock.now().toISOString();

  async function accountOfUser(userId: string, executor?: Executor): Promise<ChatAccountRow | undefined> {
    return tables(executor).selectFrom('chat_accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async function accountOfMatrixId(matrixId: string, executor?: Executor): Promise<ChatAccountRow | undefined> {
    return tables(executor)
      .selectFrom('chat_accounts')
      .selectAll()
      .where('matrix_id', '=', matrixId)
      .executeTakeFirst();
  }

  /** The user's Matrix account, created on first need (sign-in, invitation, directory). */
  async function ensureAccount(user: ChatUser): Promise<ChatAccountRow> {
    const existing = await accountOfUser(user.id);
    if (existing) return existing;
    for (let attempt = 0; ; attempt += 1) {
      const emailLocal = user.email.split('@')[0] ?? '';
      const localpart = await deriveLocalpart(emailLocal, async (candidate) => {
        const taken = await tables()
          .selectFrom('chat_accounts')
          .select('user_id')
          .where('localpart', '=', candidate)
          .executeTakeFirst();
        return taken !== undefined;
      });
      const row: ChatAccountRow = {
        user_id: user.id,
        matrix_id: buildUserId(localpart, deps.serverName),
        localpart,
        displayname: user.display_name,
        avatar_url: null,
        created_at: now(),
        expires_at: null,
      };
      try {
        await tables().insertInto('chat_accounts').values(row).execute();
        return row;
      } catch (error) {
        // Two sign-ins raced: the user's account exists now, or the localpart was taken meanwhile.
        const raced = await accountOfUser(user.id);
        if (raced) return raced;
        if (attempt >= 3) throw error;
      }
    }
  }

  /** Opens a device (or reuses the given one) and returns a new access token for it. */
  async function openDevice(
    account: ChatAccountRow,
    options: { deviceId?: string | undefined; displayName?: string | undefined; ip?: string | undefined },
  ): Promise<{ deviceId: string; accessToken: string }> {
    const deviceId = options.deviceId ?? newDeviceId();
    const accessToken = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
    const at = now();
    await deps.database.transaction(async (context) => {
      const executor = context.executor;
      const existing = await tables(executor)
        .selectFrom('chat_devices')
        .select('device_id')
        .where('matrix_id', '=', account.matrix_id)
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
      if (existing) {
        // Logging in again with a known device_id: its earlier tokens end (spec: "invalidates any
        // access token previously associated with that device").
        await tables(executor)
          .deleteFrom('chat_access_tokens')
          .where('matrix_id', '=', account.matrix_id)
          .where('device_id', '=', deviceId)
          .execute();
        forgetAccount(account.matrix_id);
        context.afterCommit(() => forgetAccount(account.matrix_id));
        if (options.displayName !== undefined) {
          await tables(executor)
            .updateTable('chat_devices')
            .set({ display_name: options.displayName })
            .where('matrix_id', '=', account.matrix_id)
            .where('device_id', '=', deviceId)
            .execute();
        }
      } else {
        await tables(executor)
          .insertInto('chat_devices')
          .values({
            matrix_id: account.matrix_id,
            device_id: deviceId,
            display_name: options.displayName ?? null,
            created_at: at,
            last_seen_at: at,
            last_seen_ip: options.ip ?? null,
          })
          .execute();
      }
      await tables(executor)
        .insertInto('chat_access_tokens')
        .values({
          token_hash: hashToken(accessToken),
          matrix_id: account.matrix_id,
          device_id: deviceId,
          created_at: at,
        })
        .execute();
    });
    return { deviceId, accessToken };
  }

  async function deleteDevices(matrixId: string, deviceIds: readonly string[], parent?: TransactionContext) {
    if (deviceIds.length === 0) return;
    await deps.database.transaction(async (context) => {
      await tables(context.executor)
        .deleteFrom('chat_access_tokens')
        .where('matrix_id', '=', matrixId)
        .where('device_id', 'in', deviceIds)
        .execute();
      await tables(context.executor)
        .deleteFrom('chat_devices')
        .where('matrix_id', '=', matrixId)
        .where('device_id', 'in', deviceIds)
        .execute();
      for (const deviceId of deviceIds) {
        for (const listener of deviceDeletedListeners) await listener(matrixId, deviceId, context);
      }
      forgetAccount(matrixId);
      context.afterCommit(() => forgetAccount(matrixId));
    }, parent);
  }

  return {
    accountOfUser,
    accountOfMatrixId,
    ensureAccount,
    openDevice,

    /** The device and account of an access token; undefined when unknown or revoked. */
    async authenticate(accessToken: string): Promise<MatrixPrincipal | undefined> {
      if (!accessToken.startsWith(tokenPrefix)) return undefined;
      const at = deps.clock.now().getTime();
      const cached = principals.get(accessToken);
      if (cached && at - cached.at < principalTtlMs && at >= cached.at) return cached.principal;
      const tokenHash = hashToken(accessToken);
      const generation = principalsGeneration;
      const row = await tables()
        .selectFrom('chat_access_tokens as t')
        .innerJoin('chat_accounts as a', 'a.matrix_id', 't.matrix_id')
        .select([
          't.device_id',
          'a.user_id',
          'a.matrix_id',
          'a.localpart',
          'a.displayname',
          'a.avatar_url',
          'a.created_at',
          'a.expires_at',
        ])
        .where('t.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      const { device_id: deviceId, ...account } = row;
      const principal: MatrixPrincipal = { account, userId: account.matrix_id, deviceId, tokenHash };
      // Unless a change of tokens or accounts committed while reading.
      if (generation === principalsGeneration) {
        principals.delete(accessToken);
        principals.set(accessToken, { principal, at });
        if (principals.size > maxCachedPrincipals) {
          const oldest = principals.keys().next().value;
          if (oldest !== undefined) principals.delete(oldest);
        }
      }
      return principal;
    },

    /** Ends one access token (POST /logout): the device goes with it, as the spec says. */
    async logout(principal: MatrixPrincipal): Promise<void> {
      await deleteDevices(principal.userId, [principal.deviceId]);
    },

    /** Ends every device of the account (POST /logout/all, deactivation in Bureau). */
    async logoutAll(matrixId: string, parent?: TransactionContext): Promise<void> {
      const devices = await tables(parent?.executor)
        .selectFrom('chat_devices')
        .select('device_id')
        .where('matrix_id', '=', matrixId)
        .execute();
      await deleteDevices(
        matrixId,
        devices.map((device) => device.device_id),
        parent,
      );
    },

    deleteDevices,

    /**
     * Forgets the account's principals held in memory: call after committing a change of its row (profile,
     * expiry) that the next request must see. Token and device changes made here do it themselves.
     */
    forgetAccount,

    /** Runs inside the transaction deleting a device (its keys, its to-device queue...). */
    onDeviceDeleted(listener: DeviceDeletedListener): void {
      deviceDeletedListeners.push(listener);
    },

    async listDevices(matrixId: string): Promise<ChatDeviceRow[]> {
      return tables()
        .selectFrom('chat_devices')
        .selectAll()
        .where('matrix_id', '=', matrixId)
        .orderBy('created_at')
        .execute();
    },

    async getDevice(matrixId: string, deviceId: string): Promise<ChatDeviceRow | undefined> {
      return tables()
        .selectFrom('chat_devices')
        .selectAll()
        .where('matrix_id', '=', matrixId)
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
    },

    async renameDevice(matrixId: string, deviceId: string, displayName: string): Promise<boolean> {
      const result = await tables()
        .updateTable('chat_devices')
        .set({ display_name: displayName })
        .where('matrix_id', '=', matrixId)
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /**
     * Records when and from where a device was last used, at most once a minute: undefined (nothing to
     * wait for, nothing allocated) when it was recorded less than a minute ago, as for most requests.
     */
    touchDevice(principal: MatrixPrincipal, ip: string): Promise<void> | undefined {
      const at = deps.clock.now().getTime();
      const principalLast = touchedPrincipals.get(principal);
      if (principalLast !== undefined && at - principalLast < 60_000 && at >= principalLast) return undefined;
      const key = `${principal.userId}\u0000${principal.deviceId}`;
      const last = lastTouched.get(key);
      if (last !== undefined && at - last < 60_000 && at >= last) {
        touchedPrincipals.set(principal, last);
        return undefined;
      }
      lastTouched.delete(key);
      lastTouched.set(key, at);
      touchedPrincipals.set(principal, at);
      if (lastTouched.size > 100_000) {
        const oldest = lastTouched.keys().next().value;
        if (oldest !== undefined) lastTouched.delete(oldest);
      }
      const threshold = new Date(at - 60_000).toISOString();
      return tables()
        .updateTable('chat_devices')
        .set({ last_seen_at: new Date(at).toISOString(), last_seen_ip: ip })
        .where('matrix_id', '=', principal.userId)
        .where('device_id', '=', principal.deviceId)
        .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', threshold)]))
        .execute()
        .then(() => undefined);
    },

    /** A single-use token for `m.login.token`, valid two minutes (the single sign-on redirect). */
    async issueLoginToken(userId: string): Promise<string> {
      const token = `bml_${randomBytes(32).toString('base64url')}`;
      await tables()
        .insertInto('chat_login_tokens')
        .values({
          token_hash: hashToken(token),
          user_id: userId,
          expires_at: new Date(deps.clock.now().getTime() + 120_000).toISOString(),
          used_at: null,
        })
        .execute();
      return token;
    },

    /** The Bureau user of a login token, consumed at once; undefined when unknown, used or expired. */
    async consumeLoginToken(token: string): Promise<string | undefined> {
      return deps.database.transaction(async ({ executor }) => {
        const row = await tables(executor)
          .updateTable('chat_login_tokens')
          .set({ used_at: now() })
          .where('token_hash', '=', hashToken(token))
          .where('used_at', 'is', null)
          .where('expires_at', '>', now())
          .returning('user_id')
          .executeTakeFirst();
        return row?.user_id;
      });
    },
  };
}

export type ChatAccounts = ReturnType<typeof createChatAccounts>;
