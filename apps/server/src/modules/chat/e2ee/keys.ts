import { z } from 'zod';
import type { Clock } from '../../../platform/clock.ts';
import type { Database, Executor, TransactionContext } from '../../../platform/db/database.ts';
import type { MatrixPrincipal } from '../accounts.ts';
import type { ChatTables } from '../chat.tables.ts';
import { matrixError } from '../matrix-errors.ts';
import { ChangeTracker } from '../stream.ts';
import { encodeCanonicalJson, parseUserId, publicKeyFromRaw, verifyJsonSignature } from '../protocol/index.ts';
import type { DeviceLists } from './device-lists.ts';
import type { CrossSigningUsage, E2eeCrossSigningKeyRow, E2eeTables } from './e2ee.tables.ts';

type Tables = E2eeTables & ChatTables;
type JsonObject = Record<string, unknown>;
type Signatures = Record<string, Record<string, string>>;

const signaturesSchema = z.record(z.string().max(255), z.record(z.string().max(255), z.string().max(512)));

export const deviceKeysSchema = z
  .object({
    user_id: z.string().max(255),
    device_id: z.string().min(1).max(255),
    algorithms: z.array(z.string().max(128)).max(32),
    keys: z.record(z.string().max(255), z.string().max(512)),
    signatures: signaturesSchema,
  })
  .loose();

const keyObjectSchema = z.union([
  z.string().max(512),
  z
    .object({ key: z.string().max(512), signatures: signaturesSchema.optional(), fallback: z.boolean().optional() })
    .loose(),
]);

/** `<algorithm>:<key ID>` → key, as /keys/upload names one-time and fallback keys. */
const keyMapSchema = z
  .record(z.string().regex(/^[^:]{1,128}:.{1,126}$/, 'must be <algorithm>:<key id>'), keyObjectSchema)
  .refine((keys) => Object.keys(keys).length <= 1000, 'at most 1000 keys at a time');

export const uploadKeysSchema = z
  .object({
    device_keys: deviceKeysSchema.optional(),
    one_time_keys: keyMapSchema.optional(),
    fallback_keys: keyMapSchema.optional(),
  })
  .loose();

export const crossSigningKeySchema = z
  .object({
    user_id: z.string().max(255),
    usage: z.array(z.string().max(64)).min(1).max(8),
    keys: z.record(z.string().max(255), z.string().max(255)),
    signatures: signaturesSchema.optional(),
  })
  .loose();

export const uploadCrossSigningSchema = z
  .object({
    master_key: crossSigningKeySchema.optional(),
    self_signing_key: crossSigningKeySchema.optional(),
    user_signing_key: crossSigningKeySchema.optional(),
    auth: z.unknown().optional(),
  })
  .loose();

type CrossSigningKey = z.output<typeof crossSigningKeySchema>;

export interface KeyStoreDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly serverName: string;
  readonly deviceLists: DeviceLists;
}

/** 400 M_INVALID_SIGNATURE (cross_signing.yaml): the errcode replaces the one of the underlying error. */
export function invalidSignature(reason: string) {
  return matrixError('M_INVALID_PARAM', { reason }, { errcode: 'M_INVALID_SIGNATURE' });
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The canonical JSON of what a signature covers: the object without `signatures` and `unsigned`. */
function signedContent(value: JsonObject): string {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = value;
  return encodeCanonicalJson(rest);
}

function signaturesOf(value: JsonObject): Signatures {
  return isRecord(value['signatures']) ? (value['signatures'] as Signatures) : {};
}

function hasValidSignature(value: JsonObject, signer: string, keyId: string, publicKey: string): boolean {
  try {
    return verifyJsonSignature(value, { serverName: signer, keyId, publicKey });
  } catch {
    // A malformed public key (not 32 bytes of base64) verifies nothing.
    return false;
  }
}

function splitKeyName(name: string): { algorithm: string; keyId: string } {
  const colon = name.indexOf(':');
  return { algorithm: name.slice(0, colon), keyId: name.slice(colon + 1) };
}

/** The single `ed25519:<public key>` of a cross-signing key, checked. */
function publicKeyOf(key: CrossSigningKey, what: string): string {
  const entries = Object.entries(key.keys);
  const [entry] = entries;
  if (entries.length !== 1 || !entry || entry[0] !== `ed25519:${entry[1]}`) {
    throw matrixError('M_INVALID_PARAM', { reason: `${what} must hold exactly one key, named ed25519:<public key>` });
  }
  try {
    publicKeyFromRaw(entry[1]);
  } catch {
    throw matrixError('M_INVALID_PARAM', { reason: `${what}: not an ed25519 public key` });
  }
  return entry[1];
}

function mergeSignatures(
  value: JsonObject,
  rows: ReadonlyArray<{ signer_user: string; signer_key_id: string; signature: string }>,
) {
  if (rows.length === 0) return value;
  const signatures: Signatures = structuredClone(signaturesOf(value));
  for (const row of rows) {
    signatures[row.signer_user] = { ...(signatures[row.signer_user] ?? {}), [row.signer_key_id]: row.signature };
  }
  return { ...value, signatures };
}

const chunkSize = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += chunkSize) result.push(items.slice(index, index + chunkSize));
  return result;
}

/**
 * Public keys of devices and users (the server never sees a private key): device identity keys, one-time
 * keys (each handed out once) and fallback keys, cross-signing keys and the signatures uploaded on keys.
 * Changes that other users must see (new device keys, cross-signing keys, signatures) are recorded in the
 * device-list change log.
 */
export function createKeyStore(deps: KeyStoreDependencies) {
  const tables = (executor: Executor = deps.database.executor) => executor.withTables<Tables>();
  const now = () => deps.clock.now().toISOString();
  const isLocal = (userId: string) => parseUserId(userId, 'historical')?.serverName === deps.serverName;

  // Each device's key counts as /sync reports them in every response, kept in memory until its keys change
  // (upload, claim, deletion; in this process). A read that raced with a change is not kept.
  const syncCounts = new Map<string, { counts: Record<string, number>; fallbackTypes: string[] }>();
  const countChanges = new ChangeTracker(100_000);
  countChanges.setFloor(0);
  let countSequence = 0;
  function keysChanged(matrixId: string, deviceId: string): void {
    const key = `${matrixId}\u0000${deviceId}`;
    countSequence += 1;
    countChanges.record(key, countSequence);
    syncCounts.delete(key);
  }

  async function unusedFallbackKeyTypes(executor: Executor, matrixId: string, deviceId: string): Promise<string[]> {
    const rows = await tables(executor)
      .selectFrom('chat_e2ee_fallback_keys')
      .select('algorithm')
      .where('matrix_id', '=', matrixId)
      .where('device_id', '=', deviceId)
      .where('used', '=', 0)
      .orderBy('algorithm')
      .execute();
    return rows.map((row) => row.algorithm);
  }

  async function oneTimeKeyCounts(executor: Executor, matrixId: string, deviceId: string) {
    const rows = await tables(executor)
      .selectFrom('chat_e2ee_one_time_keys')
      .select(['algorithm', (eb) => eb.fn.countAll<number | string>().as('count')])
      .where('matrix_id', '=', matrixId)
      .where('device_id', '=', deviceId)
      .groupBy('algorithm')
      .execute();
    // signed_curve25519 is always counted, so that clients see the server tracks it even at zero.
    const counts: Record<string, number> = { signed_curve25519: 0 };
    for (const row of rows) counts[row.algorithm] = Number(row.count);
    return counts;
  }

  async function crossSigningKeysOf(executor: Executor, matrixIds: readonly string[]) {
    const byUser = new Map<string, Partial<Record<CrossSigningUsage, E2eeCrossSigningKeyRow>>>();
    for (const users of chunks(matrixIds)) {
      const rows = await tables(executor)
        .selectFrom('chat_e2ee_cross_signing_keys')
        .selectAll()
        .where('matrix_id', 'in', users)
        .execute();
      for (const row of rows) byUser.set(row.matrix_id, { ...byUser.get(row.matrix_id), [row.usage]: row });
    }
    return byUser;
  }

  async function storeSignature(
    executor: Executor,
    row: { target_user: string; target_key: string; signer_user: string; signer_key_id: string; signature: string },
  ) {
    await tables(executor)
      .insertInto('chat_e2ee_signatures')
      .values({ ...row, created_at: now() })
      .onConflict((conflict) =>
        conflict
          .columns(['target_user', 'target_key', 'signer_user', 'signer_key_id'])
          .doUpdateSet({ signature: row.signature }),
      )
      .execute();
  }

  async function uploadDeviceKeys(
    context: TransactionContext,
    principal: MatrixPrincipal,
    deviceKeys: z.output<typeof deviceKeysSchema>,
  ) {
    if (deviceKeys.user_id !== principal.userId || deviceKeys.device_id !== principal.deviceId) {
      throw matrixError('M_INVALID_PARAM', {
        reason: 'device_keys must be those of the device of the access token (user_id and device_id)',
      });
    }
    const { unsigned: _unsigned, ...signed } = deviceKeys;
    const signingKeyId = `ed25519:${principal.deviceId}`;
    const signingKey = signed.keys[signingKeyId];
    if (signingKey === undefined) {
      throw matrixError('M_INVALID_PARAM', { reason: `device_keys.keys must hold the device's ${signingKeyId}` });
    }
    if (!hasValidSignature(signed, principal.userId, signingKeyId, signingKey)) {
      throw invalidSignature('device_keys must be signed by the device’s own ed25519 key');
    }
    const json = encodeCanonicalJson(signed);
    const existing = await tables(context.executor)
      .selectFrom('chat_e2ee_device_keys')
      .select('json')
      .where('matrix_id', '=', principal.userId)
      .where('device_id', '=', principal.deviceId)
      .executeTakeFirst();
    if (existing?.json === json) return;
    if (existing) {
      // A device's identity keys are set once: another identity is another device (sign in again).
      const previous = JSON.parse(existing.json) as JsonObject;
      if (encodeCanonicalJson(previous['keys']) !== encodeCanonicalJson(signed.keys)) {
        throw matrixError('M_INVALID_PARAM', {
          reason: 'this device already has other identity keys: sign in as a new device',
        });
      }
      await tables(context.executor)
        .updateTable('chat_e2ee_device_keys')
        .set({ json, updated_at: now() })
        .where('matrix_id', '=', principal.userId)
        .where('device_id', '=', principal.deviceId)
        .execute();
    } else {
      const inserted = await tables(context.executor)
        .insertInto('chat_e2ee_device_keys')
        .values({
          matrix_id: principal.userId,
          device_id: principal.deviceId,
          json,
          created_at: now(),
          updated_at: now(),
        })
        .onConflict((conflict) => conflict.columns(['matrix_id', 'device_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
        // A concurrent upload stored keys first: the same ones are fine, other ones are another identity.
        const raced = await tables(context.executor)
          .selectFrom('chat_e2ee_device_keys')
          .select('json')
          .where('matrix_id', '=', principal.userId)
          .where('device_id', '=', principal.deviceId)
          .executeTakeFirst();
        if (raced?.json === json) return;
        throw matrixError('M_INVALID_PARAM', { reason: 'this device already has other identity keys' });
      }
    }
    await deps.deviceLists.record(context, principal.userId);
  }

  async function uploadOneTimeKeys(
    context: TransactionContext,
    principal: MatrixPrincipal,
    keys: Record<string, unknown>,
  ) {
    const parsed = Object.entries(keys).map(([name, value]) => ({
      ...splitKeyName(name),
      json: encodeCanonicalJson(value),
    }));
    if (parsed.length === 0) return;
    const uploadedAt = now();
    for (const batch of chunks(parsed)) {
      const existing = await tables(context.executor)
        .selectFrom('chat_e2ee_one_time_keys')
        .select(['algorithm', 'key_id', 'json'])
        .where('matrix_id', '=', principal.userId)
        .where('device_id', '=', principal.deviceId)
        .where(
          'key_id',
          'in',
          batch.map((key) => key.keyId),
        )
        .execute();
      const known = new Map(existing.map((row) => [`${row.algorithm}:${row.key_id}`, row.json]));
      const fresh = [];
      for (const key of batch) {
        const stored = known.get(`${key.algorithm}:${key.keyId}`);
        if (stored === undefined) fresh.push(key);
        else if (stored !== key.json) {
          throw matrixError('M_INVALID_PARAM', {
            reason: `one-time key ${key.algorithm}:${key.keyId} already exists with another value`,
          });
        }
      }
      if (fresh.length === 0) continue;
      await tables(context.executor)
        .insertInto('chat_e2ee_one_time_keys')
        .values(
          fresh.map((key) => ({
            matrix_id: principal.userId,
            device_id: principal.deviceId,
            algorithm: key.algorithm,
            key_id: key.keyId,
            json: key.json,
            uploaded_at: uploadedAt,
          })),
        )
        .onConflict((conflict) => conflict.columns(['matrix_id', 'device_id', 'algorithm', 'key_id']).doNothing())
        .execute();
    }
  }

  async function uploadFallbackKeys(
    context: TransactionContext,
    principal: MatrixPrincipal,
    keys: Record<string, unknown>,
  ) {
    const byAlgorithm = new Map<string, { keyId: string; json: string }>();
    for (const [name, value] of Object.entries(keys)) {
      const { algorithm, keyId } = splitKeyName(name);
      if (byAlgorithm.has(algorithm)) {
        throw matrixError('M_INVALID_PARAM', { reason: `one fallback key per algorithm (${algorithm})` });
      }
      byAlgorithm.set(algorithm, { keyId, json: encodeCanonicalJson(value) });
    }
    for (const [algorithm, key] of byAlgorithm) {
      const existing = await tables(context.executor)
        .selectFrom('chat_e2ee_fallback_keys')
        .select(['key_id', 'json'])
        .where('matrix_id', '=', principal.userId)
        .where('device_id', '=', principal.deviceId)
        .where('algorithm', '=', algorithm)
        .executeTakeFirst();
      // The same key uploaded again keeps its "used" mark; a new key replaces it unused.
      if (existing?.key_id === key.keyId && existing.json === key.json) continue;
      await tables(context.executor)
        .insertInto('chat_e2ee_fallback_keys')
        .values({
          matrix_id: principal.userId,
          device_id: principal.deviceId,
          algorithm,
          key_id: key.keyId,
          json: key.json,
          used: 0,
          uploaded_at: now(),
        })
        .onConflict((conflict) =>
          conflict
            .columns(['matrix_id', 'device_id', 'algorithm'])
            .doUpdateSet({ key_id: key.keyId, json: key.json, used: 0, uploaded_at: now() }),
        )
        .execute();
    }
  }

  /** Hands out one key of the device: its oldest one-time key (deleted), else its fallback key (marked used). */
  async function claimOne(matrixId: string, deviceId: string, algorithm: string) {
    const keysTable = () =>
      tables()
        .selectFrom('chat_e2ee_one_time_keys')
        .where('matrix_id', '=', matrixId)
        .where('device_id', '=', deviceId)
        .where('algorithm', '=', algorithm);
    for (;;) {
      const candidate = await keysTable()
        .select(['key_id', 'json'])
        .orderBy('uploaded_at')
        .orderBy('key_id')
        .limit(1)
        .executeTakeFirst();
      if (!candidate) break;
      // Only one claimer deletes the row; the others see 0 rows deleted and try the next key.
      const deleted = await tables()
        .deleteFrom('chat_e2ee_one_time_keys')
        .where('matrix_id', '=', matrixId)
        .where('device_id', '=', deviceId)
        .where('algorithm', '=', algorithm)
        .where('key_id', '=', candidate.key_id)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 1) {
        keysChanged(matrixId, deviceId);
        return { name: `${algorithm}:${candidate.key_id}`, key: JSON.parse(candidate.json) as unknown };
      }
    }
    const fallback = await tables()
      .selectFrom('chat_e2ee_fallback_keys')
      .select(['key_id', 'json', 'used'])
      .where('matrix_id', '=', matrixId)
      .where('device_id', '=', deviceId)
      .where('algorithm', '=', algorithm)
      .executeTakeFirst();
    if (!fallback) return undefined;
    if (!fallback.used) {
      await tables()
        .updateTable('chat_e2ee_fallback_keys')
        .set({ used: 1 })
        .where('matrix_id', '=', matrixId)
        .where('device_id', '=', deviceId)
        .where('algorithm', '=', algorithm)
        .where('key_id', '=', fallback.key_id)
        .execute();
      keysChanged(matrixId, deviceId);
    }
    return { name: `${algorithm}:${fallback.key_id}`, key: JSON.parse(fallback.json) as unknown };
  }

  return {
    oneTimeKeyCounts,

    /** The algorithms of the device's fallback keys not handed out yet. */
    unusedFallbackKeyTypes,

    /** Forgets the key counts held in memory (another process may have changed keys). */
    forgetCounts(): void {
      countSequence += 1;
      countChanges.raiseFloor(countSequence);
      syncCounts.clear();
    },

    /** The device's one-time key counts and unused fallback key types, for /sync (from memory when known). */
    async syncKeyCounts(executor: Executor, matrixId: string, deviceId: string) {
      const key = `${matrixId}\u0000${deviceId}`;
      const known = syncCounts.get(key);
      if (known) return known;
      const reading = countSequence;
      const value = {
        counts: await oneTimeKeyCounts(executor, matrixId, deviceId),
        fallbackTypes: await unusedFallbackKeyTypes(executor, matrixId, deviceId),
      };
      if (!countChanges.mayHaveChanged(key, reading)) {
        syncCounts.set(key, value);
        if (syncCounts.size > 50_000) {
          const oldest = syncCounts.keys().next().value;
          if (oldest !== undefined) syncCounts.delete(oldest);
        }
      }
      return value;
    },

    /** POST /keys/upload: device keys (once per device), one-time keys, fallback keys. */
    async upload(principal: MatrixPrincipal, body: z.output<typeof uploadKeysSchema>) {
      return deps.database.transaction(async (context) => {
        context.afterCommit(() => keysChanged(principal.userId, principal.deviceId));
        if (body.device_keys) await uploadDeviceKeys(context, principal, body.device_keys);
        if (body.one_time_keys) await uploadOneTimeKeys(context, principal, body.one_time_keys);
        if (body.fallback_keys) await uploadFallbackKeys(context, principal, body.fallback_keys);
        return {
          one_time_key_counts: await oneTimeKeyCounts(context.executor, principal.userId, principal.deviceId),
        };
      });
    },

    /**
     * POST /keys/query: the device keys of the listed users (all their devices, or the listed ones), with the
     * signatures of their self-signing key merged; their master and self-signing keys (with the signatures
     * the requester may see: the user's own and the requester's); the requester's own user-signing key.
     * Users of other servers are left out (no federation).
     */
    async query(principal: MatrixPrincipal, request: Record<string, readonly string[]>) {
      const users = Object.keys(request).filter(isLocal);
      const deviceKeys: Record<string, Record<string, unknown>> = {};
      const masterKeys: Record<string, unknown> = {};
      const selfSigningKeys: Record<string, unknown> = {};
      const userSigningKeys: Record<string, unknown> = {};
      for (const batch of chunks(users)) {
        const devices = await tables()
          .selectFrom('chat_e2ee_device_keys as k')
          .innerJoin('chat_devices as d', (join) =>
            join.onRef('d.matrix_id', '=', 'k.matrix_id').onRef('d.device_id', '=', 'k.device_id'),
          )
          .select(['k.matrix_id', 'k.device_id', 'k.json', 'd.display_name'])
          .where('k.matrix_id', 'in', batch)
          .execute();
        const signatures = await tables()
          .selectFrom('chat_e2ee_signatures')
          .select(['target_user', 'target_key', 'signer_user', 'signer_key_id', 'signature'])
          .where('target_user', 'in', batch)
          .where((eb) =>
            eb.or([eb('signer_user', '=', eb.ref('target_user')), eb('signer_user', '=', principal.userId)]),
          )
          .execute();
        const signaturesOn = (user: string, key: string, bySelfOnly: boolean) =>
          signatures.filter(
            (row) => row.target_user === user && row.target_key === key && (!bySelfOnly || row.signer_user === user),
          );
        for (const user of batch) deviceKeys[user] = {};
        for (const device of devices) {
          const wanted = request[device.matrix_id] ?? [];
          if (wanted.length > 0 && !wanted.includes(device.device_id)) continue;
          const keys = mergeSignatures(
            JSON.parse(device.json) as JsonObject,
            signaturesOn(device.matrix_id, device.device_id, true),
          );
          const forUser = deviceKeys[device.matrix_id] ?? {};
          forUser[device.device_id] = {
            ...keys,
            unsigned: device.display_name !== null ? { device_display_name: device.display_name } : {},
          };
          deviceKeys[device.matrix_id] = forUser;
        }
        const crossSigning = await crossSigningKeysOf(deps.database.executor, batch);
        for (const [user, keys] of crossSigning) {
          if (keys.master) {
            masterKeys[user] = mergeSignatures(
              JSON.parse(keys.master.json) as JsonObject,
              signaturesOn(user, keys.master.public_key, false),
            );
          }
          if (keys.self_signing) selfSigningKeys[user] = JSON.parse(keys.self_signing.json) as unknown;
          if (keys.user_signing && user === principal.userId) {
            userSigningKeys[user] = JSON.parse(keys.user_signing.json) as unknown;
          }
        }
      }
      return {
        device_keys: deviceKeys,
        master_keys: masterKeys,
        self_signing_keys: selfSigningKeys,
        user_signing_keys: userSigningKeys,
        failures: {},
      };
    },

    /** POST /keys/claim: one key per requested device, each one-time key handed out once, even concurrently. */
    async claim(request: Record<string, Record<string, string>>) {
      const oneTimeKeys: Record<string, Record<string, Record<string, unknown>>> = {};
      for (const [user, devices] of Object.entries(request)) {
        if (!isLocal(user)) continue;
        for (const [deviceId, algorithm] of Object.entries(devices)) {
          const claimed = await claimOne(user, deviceId, algorithm);
          if (!claimed) continue;
          const forUser = oneTimeKeys[user] ?? {};
          forUser[deviceId] = { [claimed.name]: claimed.key };
          oneTimeKeys[user] = forUser;
        }
      }
      return { one_time_keys: oneTimeKeys, failures: {} };
    },

    /**
     * POST /keys/device_signing/upload. Keys identical to the stored ones change nothing; new keys need
     * `confirm` (user-interactive authentication) once the user has a master key. Self-signing and
     * user-signing keys must be signed by the master key (the uploaded one, or the stored one).
     */
    async uploadCrossSigningKeys(
      principal: MatrixPrincipal,
      body: z.output<typeof uploadCrossSigningSchema>,
      confirm: () => Promise<void>,
    ): Promise<void> {
      const provided: Array<[CrossSigningUsage, CrossSigningKey]> = [];
      if (body.master_key) provided.push(['master', body.master_key]);
      if (body.self_signing_key) provided.push(['self_signing', body.self_signing_key]);
      if (body.user_signing_key) provided.push(['user_signing', body.user_signing_key]);
      if (provided.length === 0) return;
      const existing =
        (await crossSigningKeysOf(deps.database.executor, [principal.userId])).get(principal.userId) ?? {};
      const publicKeys = new Map<CrossSigningUsage, string>();
      for (const [usage, key] of provided) {
        const what = `${usage}_key`;
        if (key.user_id !== principal.userId) {
          throw matrixError('M_INVALID_PARAM', { reason: `${what}.user_id must be the signed-in user` });
        }
        if (!key.usage.includes(usage)) {
          throw matrixError('M_INVALID_PARAM', { reason: `${what}.usage must include ${usage}` });
        }
        publicKeys.set(usage, publicKeyOf(key, what));
      }
      const isUnchanged = provided.every(([usage, key]) => {
        const stored = existing[usage];
        return stored !== undefined && signedContent(JSON.parse(stored.json) as JsonObject) === signedContent(key);
      });
      if (isUnchanged) return;

      const masterPublicKey = publicKeys.get('master') ?? existing.master?.public_key;
      if (masterPublicKey === undefined) throw matrixError('M_MISSING_PARAM', { param: 'master_key' });
      for (const [usage, key] of provided) {
        if (usage === 'master') continue;
        if (!hasValidSignature(key, principal.userId, `ed25519:${masterPublicKey}`, masterPublicKey)) {
          throw invalidSignature(`${usage}_key must be signed by the master key`);
        }
      }
      const deviceIds = await tables()
        .selectFrom('chat_devices')
        .select('device_id')
        .where('matrix_id', '=', principal.userId)
        .where('device_id', 'in', [...publicKeys.values()])
        .execute();
      if (deviceIds.length > 0) throw matrixError('M_FORBIDDEN', { reason: 'key ID in use by a device' });

      // Replacing keys is what user-interactive authentication protects; the first upload is free.
      const isConfirmed = existing.master !== undefined;
      if (isConfirmed) await confirm();

      await deps.database.transaction(async (context) => {
        for (const [usage, key] of provided) {
          const publicKey = publicKeys.get(usage) ?? '';
          const json = encodeCanonicalJson(key);
          if (usage === 'master' && !isConfirmed) {
            // The free first upload must not overwrite a master key stored meanwhile by a concurrent one.
            const inserted = await tables(context.executor)
              .insertInto('chat_e2ee_cross_signing_keys')
              .values({ matrix_id: principal.userId, usage, public_key: publicKey, json, updated_at: now() })
              .onConflict((conflict) => conflict.columns(['matrix_id', 'usage']).doNothing())
              .executeTakeFirst();
            if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
              throw matrixError('M_FORBIDDEN', { reason: 'cross-signing keys were uploaded meanwhile: try again' });
            }
            continue;
          }
          await tables(context.executor)
            .insertInto('chat_e2ee_cross_signing_keys')
            .values({ matrix_id: principal.userId, usage, public_key: publicKey, json, updated_at: now() })
            .onConflict((conflict) =>
              conflict.columns(['matrix_id', 'usage']).doUpdateSet({ public_key: publicKey, json, updated_at: now() }),
            )
            .execute();
        }
        await deps.deviceLists.record(context, principal.userId);
      });
    },

    /**
     * POST /keys/signatures/upload: signatures of the user's self-signing key on their devices, of their
     * devices on their master key, and of their user-signing key on other users' master keys. Each signed
     * object must be the stored key; each signature is checked. Failures are reported per key.
     */
    async uploadSignatures(principal: MatrixPrincipal, body: Record<string, Record<string, unknown>>) {
      const me = principal.userId;
      const failures: Record<string, Record<string, { errcode: string; error: string }>> = {};
      const fail = (user: string, keyId: string, errcode: string, error: string) => {
        failures[user] = { ...(failures[user] ?? {}), [keyId]: { errcode, error } };
      };
      const targets = Object.keys(body);
      const crossSigning = await crossSigningKeysOf(deps.database.executor, [
        me,
        ...targets.filter((user) => user !== me),
      ]);
      const mine = crossSigning.get(me) ?? {};
      const myDevices = new Map(
        (
          await tables()
            .selectFrom('chat_e2ee_device_keys')
            .select(['device_id', 'json'])
            .where('matrix_id', '=', me)
            .execute()
        ).map((row) => [row.device_id, JSON.parse(row.json) as JsonObject]),
      );
      const accepted: Array<{
        target_user: string;
        target_key: string;
        signer_user: string;
        signer_key_id: string;
        signature: string;
      }> = [];

      for (const [user, objects] of Object.entries(body)) {
        for (const [keyId, object] of Object.entries(objects)) {
          if (!isRecord(object)) {
            fail(user, keyId, 'M_INVALID_PARAM', 'a signed JSON object is expected');
            continue;
          }
          const mySignatures = signaturesOf(object)[me] ?? {};
          if (user === me && mine.master && keyId === mine.master.public_key) {
            if (signedContent(object) !== signedContent(JSON.parse(mine.master.json) as JsonObject)) {
              fail(user, keyId, 'M_INVALID_SIGNATURE', 'the signed object is not the stored master key');
              continue;
            }
            // The master key signed by the user's devices.
            let any = false;
            for (const [signerKeyId, signature] of Object.entries(mySignatures)) {
              const deviceId = signerKeyId.startsWith('ed25519:') ? signerKeyId.slice('ed25519:'.length) : '';
              const device = myDevices.get(deviceId);
              const deviceKey = (device?.['keys'] as Record<string, string> | undefined)?.[signerKeyId];
              if (deviceKey === undefined) continue;
              if (!hasValidSignature(object, me, signerKeyId, deviceKey)) continue;
              accepted.push({
                target_user: me,
                target_key: keyId,
                signer_user: me,
                signer_key_id: signerKeyId,
                signature,
              });
              any = true;
            }
            if (!any) fail(user, keyId, 'M_INVALID_SIGNATURE', 'no valid signature of one of your devices');
          } else if (user === me) {
            const device = myDevices.get(keyId);
            if (!device) {
              fail(user, keyId, 'M_NOT_FOUND', 'unknown device or key');
              continue;
            }
            if (signedContent(object) !== signedContent(device)) {
              fail(user, keyId, 'M_INVALID_SIGNATURE', 'the signed object is not the stored device keys');
              continue;
            }
            const selfSigning = mine.self_signing;
            const signerKeyId = selfSigning ? `ed25519:${selfSigning.public_key}` : '';
            const signature = mySignatures[signerKeyId];
            if (
              !selfSigning ||
              signature === undefined ||
              !hasValidSignature(object, me, signerKeyId, selfSigning.public_key)
            ) {
              fail(user, keyId, 'M_INVALID_SIGNATURE', 'no valid signature of your self-signing key');
              continue;
            }
            accepted.push({
              target_user: me,
              target_key: keyId,
              signer_user: me,
              signer_key_id: signerKeyId,
              signature,
            });
          } else {
            const master = crossSigning.get(user)?.master;
            if (!master || master.public_key !== keyId) {
              fail(user, keyId, 'M_NOT_FOUND', 'unknown master key');
              continue;
            }
            if (signedContent(object) !== signedContent(JSON.parse(master.json) as JsonObject)) {
              fail(user, keyId, 'M_INVALID_SIGNATURE', 'the signed object is not the stored master key');
              continue;
            }
            const userSigning = mine.user_signing;
            const signerKeyId = userSigning ? `ed25519:${userSigning.public_key}` : '';
            const signature = mySignatures[signerKeyId];
            if (
              !userSigning ||
              signature === undefined ||
              !hasValidSignature(object, me, signerKeyId, userSigning.public_key)
            ) {
              fail(user, keyId, 'M_INVALID_SIGNATURE', 'no valid signature of your user-signing key');
              continue;
            }
            accepted.push({
              target_user: user,
              target_key: keyId,
              signer_user: me,
              signer_key_id: signerKeyId,
              signature,
            });
          }
        }
      }

      if (accepted.length > 0) {
        await deps.database.transaction(async (context) => {
          for (const row of accepted) await storeSignature(context.executor, row);
          // The user's own keys changed for everyone; a signature on another user is news to its author only.
          if (accepted.some((row) => row.target_user === me)) await deps.deviceLists.record(context, me);
          for (const target of new Set(accepted.map((row) => row.target_user).filter((user) => user !== me))) {
            await deps.deviceLists.record(context, target, { visibleTo: me });
          }
        });
      }
      return { failures };
    },

    /** Forgets a deleted device's keys and the signatures on and by it (in the deleting transaction). */
    async forgetDevice(context: TransactionContext, matrixId: string, deviceId: string): Promise<void> {
      const executor = context.executor;
      context.afterCommit(() => keysChanged(matrixId, deviceId));
      const device = (table: 'chat_e2ee_device_keys' | 'chat_e2ee_one_time_keys' | 'chat_e2ee_fallback_keys') =>
        tables(executor)
          .deleteFrom(table)
          .where('matrix_id', '=', matrixId)
          .where('device_id', '=', deviceId)
          .execute();
      await device('chat_e2ee_device_keys');
      await device('chat_e2ee_one_time_keys');
      await device('chat_e2ee_fallback_keys');
      await tables(executor)
        .deleteFrom('chat_e2ee_signatures')
        .where('target_user', '=', matrixId)
        .where('target_key', '=', deviceId)
        .execute();
      await tables(executor)
        .deleteFrom('chat_e2ee_signatures')
        .where('signer_user', '=', matrixId)
        .where('signer_key_id', '=', `ed25519:${deviceId}`)
        .execute();
    },
  };
}

export type KeyStore = ReturnType<typeof createKeyStore>;
