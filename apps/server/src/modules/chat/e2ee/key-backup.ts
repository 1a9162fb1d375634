import { sql } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../../../platform/clock.ts';
import type { Database, Executor } from '../../../platform/db/database.ts';
import { matrixError } from '../matrix-errors.ts';
import { encodeCanonicalJson } from '../protocol/index.ts';
import type { E2eeBackupKeyRow, E2eeBackupVersionRow, E2eeTables } from './e2ee.tables.ts';

export const keyBackupDataSchema = z.object({
  first_message_index: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  forwarded_count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  is_verified: z.boolean(),
  session_data: z.record(z.string(), z.unknown()),
});
export type KeyBackupData = z.output<typeof keyBackupDataSchema>;

export const roomKeyBackupSchema = z.object({ sessions: z.record(z.string().min(1).max(255), keyBackupDataSchema) });
export const roomKeysBackupSchema = z.object({ rooms: z.record(z.string().min(1).max(255), roomKeyBackupSchema) });

export const backupVersionSchema = z.object({
  algorithm: z.string().min(1).max(255),
  auth_data: z.record(z.string(), z.unknown()),
  version: z.string().max(64).optional(),
});

/** Which keys a read or deletion concerns: all, one room's, or one session's. */
export interface KeySelection {
  readonly roomId?: string;
  readonly sessionId?: string;
}

/**
 * Whether an uploaded session key replaces the stored one (end_to_end_encryption.md § "Server-side key
 * backups"): the verified one wins, then the lower first message index, then the lower forwarded count.
 */
export function shouldReplaceBackupKey(
  stored: Pick<KeyBackupData, 'is_verified' | 'first_message_index' | 'forwarded_count'>,
  candidate: Pick<KeyBackupData, 'is_verified' | 'first_message_index' | 'forwarded_count'>,
): boolean {
  if (stored.is_verified !== candidate.is_verified) return candidate.is_verified;
  if (stored.first_message_index !== candidate.first_message_index) {
    return candidate.first_message_index < stored.first_message_index;
  }
  return candidate.forwarded_count < stored.forwarded_count;
}

const versionPattern = /^[1-9]\d{0,14}$/;

function presentKey(row: E2eeBackupKeyRow): KeyBackupData {
  return {
    first_message_index: Number(row.first_message_index),
    forwarded_count: Number(row.forwarded_count),
    is_verified: Boolean(row.is_verified),
    session_data: JSON.parse(row.session_data) as Record<string, unknown>,
  };
}

/**
 * Server-side key backups: versions (opaque `auth_data`, an `etag` that changes with the keys) and the
 * encrypted session keys of each, which the server stores without reading. Keys are written to the current
 * (latest, undeleted) version only; older versions stay readable until deleted.
 */
export function createKeyBackup(deps: { readonly database: Database; readonly clock: Clock }) {
  const tables = (executor: Executor = deps.database.executor) => executor.withTables<E2eeTables>();

  async function currentRow(executor: Executor, matrixId: string): Promise<E2eeBackupVersionRow | undefined> {
    return tables(executor)
      .selectFrom('chat_e2ee_backup_versions')
      .selectAll()
      .where('matrix_id', '=', matrixId)
      .where('deleted', '=', 0)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** An undeleted version, or 404 M_NOT_FOUND. */
  async function existingRow(executor: Executor, matrixId: string, version: string): Promise<E2eeBackupVersionRow> {
    const row = versionPattern.test(version)
      ? await tables(executor)
          .selectFrom('chat_e2ee_backup_versions')
          .selectAll()
          .where('matrix_id', '=', matrixId)
          .where('version', '=', Number(version))
          .where('deleted', '=', 0)
          .executeTakeFirst()
      : undefined;
    if (!row) throw matrixError('M_NOT_FOUND', { what: `key backup version ${version.slice(0, 20)}` });
    return row;
  }

  async function countOf(executor: Executor, matrixId: string, version: number): Promise<number> {
    const row = await tables(executor)
      .selectFrom('chat_e2ee_backup_keys')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('matrix_id', '=', matrixId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async function present(executor: Executor, row: E2eeBackupVersionRow) {
    return {
      algorithm: row.algorithm,
      auth_data: JSON.parse(row.auth_data) as unknown,
      count: await countOf(executor, row.matrix_id, Number(row.version)),
      etag: String(row.etag),
      version: String(row.version),
    };
  }

  /** Takes the version's row lock (PostgreSQL) so that concurrent writes to its keys run one after another. */
  async function lockVersion(executor: Executor, matrixId: string, version: number) {
    await tables(executor)
      .updateTable('chat_e2ee_backup_versions')
      .set({ etag: sql<number>`etag` })
      .where('matrix_id', '=', matrixId)
      .where('version', '=', version)
      .execute();
  }

  async function bumpEtag(executor: Executor, matrixId: string, version: number) {
    await tables(executor)
      .updateTable('chat_e2ee_backup_versions')
      .set({ etag: sql<number>`etag + 1` })
      .where('matrix_id', '=', matrixId)
      .where('version', '=', version)
      .execute();
  }

  async function etagAndCount(executor: Executor, matrixId: string, version: number) {
    const row = await tables(executor)
      .selectFrom('chat_e2ee_backup_versions')
      .select('etag')
      .where('matrix_id', '=', matrixId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
    return { etag: String(row.etag), count: await countOf(executor, matrixId, version) };
  }

  return {
    async createVersion(matrixId: string, algorithm: string, authData: Record<string, unknown>) {
      for (let attempt = 0; ; attempt += 1) {
        const created = await deps.database.transaction(async ({ executor }) => {
          const latest = await tables(executor)
            .selectFrom('chat_e2ee_backup_versions')
            .select((eb) => eb.fn.max('version').as('version'))
            .where('matrix_id', '=', matrixId)
            .executeTakeFirst();
          const version = Number(latest?.version ?? 0) + 1;
          const result = await tables(executor)
            .insertInto('chat_e2ee_backup_versions')
            .values({
              matrix_id: matrixId,
              version,
              algorithm,
              auth_data: encodeCanonicalJson(authData),
              etag: 0,
              deleted: 0,
              created_at: deps.clock.now().toISOString(),
            })
            .onConflict((conflict) => conflict.columns(['matrix_id', 'version']).doNothing())
            .executeTakeFirst();
          return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1 ? version : undefined;
        });
        // Two creations raced for the same number: the loser takes the next one.
        if (created !== undefined) return { version: String(created) };
        if (attempt >= 5) throw matrixError('M_UNKNOWN', { reason: 'could not allocate a backup version' });
      }
    },

    /** The current version, or 404 M_NOT_FOUND when the user has no backup. */
    async currentVersion(matrixId: string) {
      const row = await currentRow(deps.database.executor, matrixId);
      if (!row) throw matrixError('M_NOT_FOUND', { what: 'key backup (no current version)' });
      return present(deps.database.executor, row);
    },

    async getVersion(matrixId: string, version: string) {
      return present(deps.database.executor, await existingRow(deps.database.executor, matrixId, version));
    },

    /** Only `auth_data` changes; the algorithm and the version named in the body must be the stored ones. */
    async updateVersion(matrixId: string, version: string, body: z.output<typeof backupVersionSchema>) {
      if (body.version !== undefined && body.version !== version) {
        throw matrixError('M_INVALID_PARAM', { reason: 'the version in the body differs from the one in the path' });
      }
      const row = await existingRow(deps.database.executor, matrixId, version);
      if (row.algorithm !== body.algorithm) {
        throw matrixError('M_INVALID_PARAM', { reason: 'the algorithm of a backup version cannot change' });
      }
      await tables()
        .updateTable('chat_e2ee_backup_versions')
        .set({ auth_data: encodeCanonicalJson(body.auth_data) })
        .where('matrix_id', '=', matrixId)
        .where('version', '=', row.version)
        .execute();
    },

    /** Deletes a version and its keys; deleting it again succeeds, an unknown version is 404. */
    async deleteVersion(matrixId: string, version: string) {
      await deps.database.transaction(async ({ executor }) => {
        const row = versionPattern.test(version)
          ? await tables(executor)
              .selectFrom('chat_e2ee_backup_versions')
              .select(['version', 'deleted'])
              .where('matrix_id', '=', matrixId)
              .where('version', '=', Number(version))
              .executeTakeFirst()
          : undefined;
        if (!row) throw matrixError('M_NOT_FOUND', { what: `key backup version ${version.slice(0, 20)}` });
        await tables(executor)
          .updateTable('chat_e2ee_backup_versions')
          .set({ deleted: 1 })
          .where('matrix_id', '=', matrixId)
          .where('version', '=', row.version)
          .execute();
        await tables(executor)
          .deleteFrom('chat_e2ee_backup_keys')
          .where('matrix_id', '=', matrixId)
          .where('version', '=', row.version)
          .execute();
      });
    },

    /**
     * Stores session keys in the current version (403 M_WRONG_ROOM_KEYS_VERSION, with `current_version`,
     * for another one), keeping the better of two keys of one session. Returns the new etag and count.
     */
    async putKeys(matrixId: string, version: string, rooms: Record<string, Record<string, KeyBackupData>>) {
      return deps.database.transaction(async ({ executor }) => {
        if (versionPattern.test(version)) await lockVersion(executor, matrixId, Number(version));
        const current = await currentRow(executor, matrixId);
        if (!current) throw matrixError('M_NOT_FOUND', { what: 'key backup (no current version)' });
        if (String(current.version) !== version) {
          throw matrixError('M_WRONG_ROOM_KEYS_VERSION', undefined, { current_version: String(current.version) });
        }
        const versionNumber = Number(current.version);
        let changed = false;
        for (const [roomId, sessions] of Object.entries(rooms)) {
          const sessionIds = Object.keys(sessions);
          for (let index = 0; index < sessionIds.length; index += 200) {
            const batch = sessionIds.slice(index, index + 200);
            const stored = new Map(
              (
                await tables(executor)
                  .selectFrom('chat_e2ee_backup_keys')
                  .selectAll()
                  .where('matrix_id', '=', matrixId)
                  .where('version', '=', versionNumber)
                  .where('room_id', '=', roomId)
                  .where('session_id', 'in', batch)
                  .execute()
              ).map((row) => [row.session_id, presentKey(row)]),
            );
            for (const sessionId of batch) {
              const candidate = sessions[sessionId];
              if (!candidate) continue;
              const existing = stored.get(sessionId);
              if (existing && !shouldReplaceBackupKey(existing, candidate)) continue;
              const values = {
                first_message_index: candidate.first_message_index,
                forwarded_count: candidate.forwarded_count,
                is_verified: candidate.is_verified ? 1 : 0,
                session_data: encodeCanonicalJson(candidate.session_data),
              };
              await tables(executor)
                .insertInto('chat_e2ee_backup_keys')
                .values({
                  matrix_id: matrixId,
                  version: versionNumber,
                  room_id: roomId,
                  session_id: sessionId,
                  ...values,
                })
                .onConflict((conflict) =>
                  conflict.columns(['matrix_id', 'version', 'room_id', 'session_id']).doUpdateSet(values),
                )
                .execute();
              changed = true;
            }
          }
        }
        if (changed) await bumpEtag(executor, matrixId, versionNumber);
        return etagAndCount(executor, matrixId, versionNumber);
      });
    },

    /** The keys of a version (all, a room's or one session's); one missing session is 404 M_NOT_FOUND. */
    async getKeys(matrixId: string, version: string, selection: KeySelection) {
      const row = await existingRow(deps.database.executor, matrixId, version);
      let query = tables()
        .selectFrom('chat_e2ee_backup_keys')
        .selectAll()
        .where('matrix_id', '=', matrixId)
        .where('version', '=', row.version);
      if (selection.roomId !== undefined) query = query.where('room_id', '=', selection.roomId);
      if (selection.sessionId !== undefined) query = query.where('session_id', '=', selection.sessionId);
      const keys = await query.orderBy('room_id').orderBy('session_id').execute();
      if (selection.sessionId !== undefined) {
        const [key] = keys;
        if (!key) throw matrixError('M_NOT_FOUND', { what: `backed-up key of session ${selection.sessionId}` });
        return presentKey(key);
      }
      const rooms: Record<string, { sessions: Record<string, KeyBackupData> }> = {};
      for (const key of keys) {
        const room = rooms[key.room_id] ?? { sessions: {} };
        room.sessions[key.session_id] = presentKey(key);
        rooms[key.room_id] = room;
      }
      if (selection.roomId !== undefined) return rooms[selection.roomId] ?? { sessions: {} };
      return { rooms };
    },

    async deleteKeys(matrixId: string, version: string, selection: KeySelection) {
      return deps.database.transaction(async ({ executor }) => {
        const row = await existingRow(executor, matrixId, version);
        const versionNumber = Number(row.version);
        await lockVersion(executor, matrixId, versionNumber);
        let query = tables(executor)
          .deleteFrom('chat_e2ee_backup_keys')
          .where('matrix_id', '=', matrixId)
          .where('version', '=', versionNumber);
        if (selection.roomId !== undefined) query = query.where('room_id', '=', selection.roomId);
        if (selection.sessionId !== undefined) query = query.where('session_id', '=', selection.sessionId);
        const result = await query.executeTakeFirst();
        if (Number(result.numDeletedRows) > 0) await bumpEtag(executor, matrixId, versionNumber);
        return etagAndCount(executor, matrixId, versionNumber);
      });
    },
  };
}

export type KeyBackup = ReturnType<typeof createKeyBackup>;
