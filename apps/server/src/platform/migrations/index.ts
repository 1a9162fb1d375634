import type { Migration } from '../db/migrations.ts';
import { platformSettingsMigration } from './202611290500_platform_settings.ts';
import { platformJobsMigration } from './202611290600_platform_jobs.ts';
import { platformMailMigration } from './202611290610_platform_mail.ts';
import { platformAuditMigration } from './202611290700_platform_audit.ts';
import { platformAuthzMigration } from './202611290800_platform_authz.ts';
import { platformSearchMigration } from './202611300900_platform_search.ts';
import { platformNotificationsMigration } from './202611300910_platform_notifications.ts';
import { platformSearchPrefixesMigration } from './202612011100_platform_search_prefixes.ts';
import { platformAuditRetentionMigration } from './202612081000_platform_audit_retention.ts';

/** The migrations of the platform's own tables, in any order (the runner orders them by name). */
export const platformMigrations: readonly Migration[] = [
  platformSettingsMigration,
  platformJobsMigration,
  platformMailMigration,
  platformAuditMigration,
  platformAuthzMigration,
  platformSearchMigration,
  platformNotificationsMigration,
  platformSearchPrefixesMigration,
  platformAuditRetentionMigration,
];
