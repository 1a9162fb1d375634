import type { Migration } from '../db/migrations.ts';
import { platformSettingsMigration } from './202611290500_platform_settings.ts';

/** The migrations of the platform's own tables, in any order (the runner orders them by name). */
export const platformMigrations: readonly Migration[] = [platformSettingsMigration];
