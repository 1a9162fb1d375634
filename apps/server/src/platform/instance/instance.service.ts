import type { ExternalService } from '@bureau/contracts';
import type { Clock } from '../clock.ts';
import type { Database, Executor } from '../db/database.ts';

type SettingsTables = {
  platform_settings: { key: string; value: string; updated_at: string };
};

export interface InstanceInfo {
  name: string;
  createdAt: string;
}

/**
 * What the instance says about itself before anyone signs in: the administration's name (given by
 * BUREAU_INSTANCE_NAME at first start and kept in the database, where administrators change it) and
 * when it was set up.
 */
export interface InstanceService {
  /** Records the instance's name and creation time at first start; does nothing afterwards. */
  initialise(defaultName: string): Promise<void>;
  info(): Promise<InstanceInfo>;
  rename(name: string): Promise<void>;
  /** The services outside Bureau that administrators add to the app switcher, in their order. */
  externalServices(): Promise<ExternalService[]>;
  /** Replaces the list (validated by the caller, at the edge). */
  setExternalServices(services: readonly ExternalService[]): Promise<void>;
}

export function createInstanceService(deps: { database: Database; clock: Clock }): InstanceService {
  const settings = (executor: Executor = deps.database.executor) => executor.withTables<SettingsTables>();

  async function read(keys: string[]): Promise<Map<string, unknown>> {
    const rows = await settings()
      .selectFrom('platform_settings')
      .select(['key', 'value'])
      .where('key', 'in', keys)
      .execute();
    return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }

  async function write(key: string, value: unknown, onlyIfMissing: boolean): Promise<void> {
    const now = deps.clock.now().toISOString();
    await settings()
      .insertInto('platform_settings')
      .values({ key, value: JSON.stringify(value), updated_at: now })
      .onConflict((conflict) =>
        onlyIfMissing
          ? conflict.column('key').doNothing()
          : conflict.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }),
      )
      .execute();
  }

  return {
    async initialise(defaultName) {
      await write('instance.name', defaultName, true);
      await write('instance.createdAt', deps.clock.now().toISOString(), true);
    },
    async info() {
      const values = await read(['instance.name', 'instance.createdAt']);
      const name = values.get('instance.name');
      const createdAt = values.get('instance.createdAt');
      return {
        name: typeof name === 'string' ? name : '',
        createdAt: typeof createdAt === 'string' ? createdAt : '',
      };
    },
    async rename(name) {
      await write('instance.name', name, false);
    },
    async externalServices() {
      const value = (await read(['instance.externalServices'])).get('instance.externalServices');
      return Array.isArray(value) ? (value as ExternalService[]) : [];
    },
    async setExternalServices(services) {
      await write('instance.externalServices', services, false);
    },
  };
}
