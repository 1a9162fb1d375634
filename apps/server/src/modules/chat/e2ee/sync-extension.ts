import { roomMembersKey, type ChangeTracker } from '../stream.ts';
import type { SyncExtension } from '../sync.ts';
import { deviceListsKey } from './device-lists.ts';
import type { DeviceLists } from './device-lists.ts';
import type { KeyStore } from './keys.ts';
import type { ToDeviceQueue } from './to-device.ts';

/**
 * The end-to-end encryption sections of /sync (end_to_end_encryption.md § "Extensions to /sync",
 * send_to_device.md): `to_device` (the device's queue), `device_lists` (incremental syncs only),
 * `device_one_time_keys_count` and `device_unused_fallback_key_types` (always present). A long-poll returns
 * early for to-device messages and device-list changes, not for key counts.
 */
export function createE2eeSyncExtension(deps: {
  readonly keys: KeyStore;
  readonly toDevice: ToDeviceQueue;
  readonly deviceLists: DeviceLists;
  /** What changed when (the notifier's): lets an incremental sync skip the device lists' queries. */
  readonly changes: ChangeTracker;
}): SyncExtension {
  return {
    async contribute(input) {
      const { principal, executor, since, upTo } = input;
      const events = await deps.toDevice.deliver(executor, principal, since, upTo, {
        userMayHaveChanged: input.userMayHaveChanged,
      });
      const keyCounts = await deps.keys.syncKeyCounts(executor, principal.userId, principal.deviceId);
      const sections: Record<string, unknown> = {
        to_device: { events },
        device_one_time_keys_count: keyCounts.counts,
        device_unused_fallback_key_types: keyCounts.fallbackTypes,
      };
      let hasChanges = events.length > 0;
      if (since !== undefined) {
        // Device lists change with a device-list change anywhere (recorded under one key), or with the
        // membership of the user or of one of their rooms; when none happened since the token, none changed.
        const unchanged =
          !input.userMayHaveChanged &&
          !deps.changes.mayHaveChanged(deviceListsKey, since) &&
          input.joinedRoomIds.every((roomId) => !deps.changes.mayHaveChanged(roomMembersKey(roomId), since));
        const lists = unchanged
          ? { changed: [], left: [] }
          : await deps.deviceLists.changesFor(executor, principal.userId, since, upTo, input);
        sections['device_lists'] = lists;
        hasChanges ||= lists.changed.length > 0 || lists.left.length > 0;
      }
      return { sections, hasChanges };
    },
  };
}
