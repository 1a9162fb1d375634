import type { ChatFeature, ChatFeatureContext } from '../feature.ts';
import { createDeviceLists } from './device-lists.ts';
import { registerE2eeRoutes } from './e2ee.routes.ts';
import { createKeyBackup } from './key-backup.ts';
import { createKeyStore } from './keys.ts';
import { chatE2eeMigration } from './migrations/202612010910_chat_e2ee.ts';
import { createE2eeSyncExtension } from './sync-extension.ts';
import { createToDeviceQueue } from './to-device.ts';
import { createUserInteractiveAuth } from './uia.ts';

export { createUserInteractiveAuth, uiaStages, type UiaOperation, type UserInteractiveAuth } from './uia.ts';

/**
 * End-to-end encryption, server side: device keys, one-time and fallback keys, to-device messages, device
 * lists, cross-signing, key backup, device management and user-interactive authentication (see README.md).
 */
export function createE2eeFeature(context: ChatFeatureContext): ChatFeature {
  const deviceLists = createDeviceLists({ notifier: context.notifier });
  const keys = createKeyStore({
    database: context.database,
    clock: context.clock,
    serverName: context.serverName,
    deviceLists,
  });
  const toDevice = createToDeviceQueue({
    database: context.database,
    clock: context.clock,
    notifier: context.notifier,
    serverName: context.serverName,
  });
  const backup = createKeyBackup({ database: context.database, clock: context.clock });
  const uia = createUserInteractiveAuth({
    database: context.database,
    clock: context.clock,
    identity: context.identity,
    accounts: context.accounts,
  });

  context.notifier.onForeignChanges(() => keys.forgetCounts());
  context.syncExtensions.push(
    createE2eeSyncExtension({ keys, toDevice, deviceLists, changes: context.notifier.changes }),
  );
  // A deleted device (DELETE /devices, logout, deactivation) takes its keys and its queue with it, and the
  // users sharing a room with its owner learn that the device list changed.
  context.accounts.onDeviceDeleted(async (matrixId, deviceId, transaction) => {
    await keys.forgetDevice(transaction, matrixId, deviceId);
    await toDevice.forgetDevice(transaction, matrixId, deviceId);
    await deviceLists.record(transaction, matrixId);
  });

  return {
    migrations: [chatE2eeMigration],
    registerRoutes(http) {
      registerE2eeRoutes(http, {
        database: context.database,
        audit: context.audit,
        accounts: context.accounts,
        authenticate: context.authenticate,
        keys,
        toDevice,
        deviceLists,
        backup,
        uia,
      });
      uia.registerFallbackRoutes(http);
    },
  };
}
