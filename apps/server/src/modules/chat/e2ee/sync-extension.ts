import type { SyncExtension } from '../sync.ts';
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
}): SyncExtension {
  return {
    async contribute(input) {
      const { principal, executor, since, upTo } = input;
      const events = await deps.toDevice.deliver(executor, principal, since, upTo);
      const sections: Record<string, unknown> = {
        to_device: { events },
        device_one_time_keys_count: await deps.keys.oneTimeKeyCounts(executor, principal.userId, principal.deviceId),
        device_unused_fallback_key_types: await deps.keys.unusedFallbackKeyTypes(
          executor,
          principal.userId,
          principal.deviceId,
        ),
      };
      let hasChanges = events.length > 0;
      if (since !== undefined) {
        const lists = await deps.deviceLists.changesFor(executor, principal.userId, since, upTo, input);
        sections['device_lists'] = lists;
        hasChanges ||= lists.changed.length > 0 || lists.left.length > 0;
      }
      return { sections, hasChanges };
    },
  };
}
