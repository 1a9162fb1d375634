import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../../../platform/audit/audit-log.ts';
import type { Database } from '../../../platform/db/database.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { ChatAccounts, MatrixPrincipal } from '../accounts.ts';
import type { ChatDeviceRow } from '../chat.tables.ts';
import { matrixError } from '../matrix-errors.ts';
import type { MatrixAuthenticator } from '../matrix-http.ts';
import { jsonObjectBody, parseMatrix } from '../matrix-validation.ts';
import { isValidUserId } from '../protocol/index.ts';
import { parseSyncToken } from '../sync.ts';
import type { DeviceLists } from './device-lists.ts';
import {
  backupVersionSchema,
  keyBackupDataSchema,
  roomKeyBackupSchema,
  roomKeysBackupSchema,
  type KeyBackup,
  type KeySelection,
} from './key-backup.ts';
import { uploadCrossSigningSchema, uploadKeysSchema, type KeyStore } from './keys.ts';
import type { ToDeviceQueue } from './to-device.ts';
import type { UserInteractiveAuth } from './uia.ts';

export interface E2eeRoutesDeps {
  readonly database: Database;
  readonly audit: AuditLog;
  readonly accounts: ChatAccounts;
  readonly authenticate: MatrixAuthenticator;
  readonly keys: KeyStore;
  readonly toDevice: ToDeviceQueue;
  readonly deviceLists: DeviceLists;
  readonly backup: KeyBackup;
  readonly uia: UserInteractiveAuth;
}

const c = '/_matrix/client/v3';
const hidden = { schema: { hide: true } } as const;
/** Key backups and to-device messages for large rooms come in big batches. */
const largeBody = { schema: { hide: true }, bodyLimit: 16 * 1024 * 1024 } as const;

const maxUsersPerRequest = 5000;
const maxToDeviceMessages = 10_000;

const deviceIdSchema = z.string().min(1).max(255);

/** A JSON object body (M_NOT_JSON otherwise), `{}` when there is none (DELETE). */
function bodyOf(request: FastifyRequest): Record<string, unknown> {
  return request.body === undefined || request.body === null ? {} : jsonObjectBody(request.body);
}

function checkUserIds(userIds: readonly string[]): void {
  if (userIds.length > maxUsersPerRequest) {
    throw matrixError('M_INVALID_PARAM', { reason: `at most ${maxUsersPerRequest} users per request` });
  }
  const invalid = userIds.find((userId) => !isValidUserId(userId, 'historical'));
  if (invalid !== undefined)
    throw matrixError('M_INVALID_PARAM', { reason: `invalid user ID ${invalid.slice(0, 60)}` });
}

function presentDevice(row: ChatDeviceRow) {
  return {
    device_id: row.device_id,
    ...(row.display_name !== null ? { display_name: row.display_name } : {}),
    ...(row.last_seen_ip !== null ? { last_seen_ip: row.last_seen_ip } : {}),
    ...(row.last_seen_at !== null ? { last_seen_ts: Date.parse(row.last_seen_at) } : {}),
  };
}

/**
 * The end-to-end encryption endpoints: keys (upload, query, claim, changes, cross-signing, signatures),
 * send-to-device, device management (deleting needs user-interactive authentication) and key backups.
 */
export function registerE2eeRoutes(http: HttpServer, deps: E2eeRoutesDeps): void {
  // --- Keys ----------------------------------------------------------------------------------------------------

  http.post(`${c}/keys/upload`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const body = parseMatrix(uploadKeysSchema, jsonObjectBody(request.body));
    return deps.keys.upload(me, body);
  });

  http.post(`${c}/keys/query`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const body = parseMatrix(
      z
        .object({
          device_keys: z.record(z.string().max(255), z.array(deviceIdSchema).max(1000)),
          timeout: z.number().int().optional(),
        })
        .loose(),
      jsonObjectBody(request.body),
    );
    checkUserIds(Object.keys(body.device_keys));
    return deps.keys.query(me, body.device_keys);
  });

  http.post(`${c}/keys/claim`, hidden, async (request) => {
    await deps.authenticate(request);
    const body = parseMatrix(
      z
        .object({
          one_time_keys: z.record(z.string().max(255), z.record(deviceIdSchema, z.string().min(1).max(128))),
          timeout: z.number().int().optional(),
        })
        .loose(),
      jsonObjectBody(request.body),
    );
    checkUserIds(Object.keys(body.one_time_keys));
    return deps.keys.claim(body.one_time_keys);
  });

  http.get(`${c}/keys/changes`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const query = parseMatrix(z.object({ from: z.string().max(64), to: z.string().max(64) }), request.query, 'query');
    const from = parseSyncToken(query.from).position;
    const to = parseSyncToken(query.to).position;
    if (to <= from) return { changed: [], left: [] };
    const executor = deps.database.executor;
    const window = await deps.deviceLists.membershipWindow(executor, me.userId, from, to);
    return deps.deviceLists.changesFor(executor, me.userId, from, to, window);
  });

  http.post(`${c}/keys/device_signing/upload`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const body = parseMatrix(uploadCrossSigningSchema, jsonObjectBody(request.body));
    let replaced = false;
    await deps.keys.uploadCrossSigningKeys(me, body, async () => {
      await deps.uia.require(request, me, body.auth, {
        action: 'POST /keys/device_signing/upload',
        description: { fr: 'remplacer vos clés de signature croisée', en: 'replace your cross-signing keys' },
      });
      replaced = true;
    });
    if (replaced) await audit(me, request, 'chat.cross_signing.replaced', { type: 'chat.account', id: me.userId });
    return {};
  });

  http.post(`${c}/keys/signatures/upload`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const body = parseMatrix(
      z.record(z.string().max(255), z.record(z.string().max(255), z.unknown())),
      jsonObjectBody(request.body),
    );
    checkUserIds(Object.keys(body));
    return deps.keys.uploadSignatures(me, body);
  });

  // --- Send-to-device ------------------------------------------------------------------------------------------

  http.put(`${c}/sendToDevice/:eventType/:txnId`, largeBody, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(
      z.object({ eventType: z.string().min(1).max(255), txnId: z.string().min(1).max(255) }),
      request.params,
      'query',
    );
    const body = parseMatrix(
      z.object({
        messages: z.record(
          z.string().max(255),
          z.record(z.string().min(1).max(255), z.record(z.string(), z.unknown())),
        ),
      }),
      jsonObjectBody(request.body),
    );
    const count = Object.values(body.messages).reduce((total, devices) => total + Object.keys(devices).length, 0);
    if (count > maxToDeviceMessages) {
      throw matrixError('M_TOO_LARGE', { reason: `at most ${maxToDeviceMessages} messages per request` });
    }
    await deps.toDevice.send(me, params.eventType, params.txnId, body.messages);
    return {};
  });

  // --- Devices -------------------------------------------------------------------------------------------------

  async function audit(
    me: MatrixPrincipal,
    request: FastifyRequest,
    action: string,
    target: { type: string; id: string },
    details?: Record<string, unknown>,
  ) {
    await deps.audit.record({
      action,
      outcome: 'success',
      actor: {
        userId: me.account.user_id,
        label: me.userId,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      },
      target,
      ...(details ? { details } : {}),
    });
  }

  async function deleteDevices(me: MatrixPrincipal, request: FastifyRequest, deviceIds: readonly string[]) {
    await deps.accounts.deleteDevices(me.userId, deviceIds);
    for (const deviceId of deviceIds) {
      await audit(me, request, 'chat.device.deleted', { type: 'chat.device', id: `${me.userId}/${deviceId}` });
    }
  }

  http.get(`${c}/devices`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    return { devices: (await deps.accounts.listDevices(me.userId)).map(presentDevice) };
  });

  http.get(`${c}/devices/:deviceId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { deviceId } = parseMatrix(z.object({ deviceId: deviceIdSchema }), request.params, 'query');
    const device = await deps.accounts.getDevice(me.userId, deviceId);
    if (!device) throw matrixError('M_NOT_FOUND', { what: `device ${deviceId}` });
    return presentDevice(device);
  });

  // Renaming is not a device-list change: the name is not part of the signed keys.
  http.put(`${c}/devices/:deviceId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { deviceId } = parseMatrix(z.object({ deviceId: deviceIdSchema }), request.params, 'query');
    const body = parseMatrix(z.object({ display_name: z.string().max(255).optional() }).loose(), bodyOf(request));
    const found =
      body.display_name !== undefined
        ? await deps.accounts.renameDevice(me.userId, deviceId, body.display_name)
        : (await deps.accounts.getDevice(me.userId, deviceId)) !== undefined;
    if (!found) throw matrixError('M_NOT_FOUND', { what: `device ${deviceId}` });
    return {};
  });

  http.delete(`${c}/devices/:deviceId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { deviceId } = parseMatrix(z.object({ deviceId: deviceIdSchema }), request.params, 'query');
    const body = bodyOf(request);
    await deps.uia.require(request, me, body['auth'], {
      action: `DELETE /devices/${deviceId}`,
      description: { fr: `supprimer l’appareil ${deviceId}`, en: `delete the device ${deviceId}` },
    });
    await deleteDevices(me, request, [deviceId]);
    return {};
  });

  http.post(`${c}/delete_devices`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const body = parseMatrix(
      z.object({ devices: z.array(deviceIdSchema).max(1000), auth: z.unknown().optional() }).loose(),
      jsonObjectBody(request.body),
    );
    const deviceIds = [...new Set(body.devices)].sort();
    await deps.uia.require(request, me, body.auth, {
      action: `POST /delete_devices ${deviceIds.join(',')}`,
      description: {
        fr: `supprimer ${deviceIds.length} appareil(s) : ${deviceIds.join(', ')}`,
        en: `delete ${deviceIds.length} device(s): ${deviceIds.join(', ')}`,
      },
    });
    await deleteDevices(me, request, deviceIds);
    return {};
  });

  // --- Key backup ----------------------------------------------------------------------------------------------

  const versionParams = z.object({ version: z.string().min(1).max(64) });

  http.post(`${c}/room_keys/version`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const body = parseMatrix(backupVersionSchema, jsonObjectBody(request.body));
    return deps.backup.createVersion(me.userId, body.algorithm, body.auth_data);
  });

  http.get(`${c}/room_keys/version`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    return deps.backup.currentVersion(me.userId);
  });

  http.get(`${c}/room_keys/version/:version`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { version } = parseMatrix(versionParams, request.params, 'query');
    return deps.backup.getVersion(me.userId, version);
  });

  http.put(`${c}/room_keys/version/:version`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { version } = parseMatrix(versionParams, request.params, 'query');
    const body = parseMatrix(backupVersionSchema, jsonObjectBody(request.body));
    await deps.backup.updateVersion(me.userId, version, body);
    return {};
  });

  http.delete(`${c}/room_keys/version/:version`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const { version } = parseMatrix(versionParams, request.params, 'query');
    await deps.backup.deleteVersion(me.userId, version);
    return {};
  });

  const keyParams = z.object({
    roomId: z.string().min(1).max(255).optional(),
    sessionId: z.string().min(1).max(255).optional(),
  });
  const versionQuery = z.object({ version: z.string().min(1).max(64) }).loose();

  function selectionOf(request: FastifyRequest): KeySelection {
    const params = parseMatrix(keyParams, request.params, 'query');
    return {
      ...(params.roomId !== undefined ? { roomId: params.roomId } : {}),
      ...(params.sessionId !== undefined ? { sessionId: params.sessionId } : {}),
    };
  }

  for (const path of ['room_keys/keys', 'room_keys/keys/:roomId', 'room_keys/keys/:roomId/:sessionId']) {
    http.put(`${c}/${path}`, largeBody, async (request) => {
      const me = await deps.authenticate(request);
      const { version } = parseMatrix(versionQuery, request.query, 'query');
      const selection = selectionOf(request);
      const body = jsonObjectBody(request.body);
      let rooms: Record<string, Record<string, z.output<typeof keyBackupDataSchema>>>;
      if (selection.roomId === undefined) {
        rooms = Object.fromEntries(
          Object.entries(parseMatrix(roomKeysBackupSchema, body).rooms).map(([roomId, room]) => [
            roomId,
            room.sessions,
          ]),
        );
      } else if (selection.sessionId === undefined) {
        rooms = { [selection.roomId]: parseMatrix(roomKeyBackupSchema, body).sessions };
      } else {
        rooms = { [selection.roomId]: { [selection.sessionId]: parseMatrix(keyBackupDataSchema, body) } };
      }
      return deps.backup.putKeys(me.userId, version, rooms);
    });
    http.get(`${c}/${path}`, hidden, async (request) => {
      const me = await deps.authenticate(request);
      const { version } = parseMatrix(versionQuery, request.query, 'query');
      return deps.backup.getKeys(me.userId, version, selectionOf(request));
    });
    http.delete(`${c}/${path}`, hidden, async (request) => {
      const me = await deps.authenticate(request);
      const { version } = parseMatrix(versionQuery, request.query, 'query');
      return deps.backup.deleteKeys(me.userId, version, selectionOf(request));
    });
  }
}
