import type { AuditLog } from '../platform/audit/audit-log.ts';

/** An audit log that accepts every record and keeps none: for tests and benchmarks of other services. */
export const silentAuditLog: AuditLog = {
  record: () => Promise.resolve(),
  query: () => Promise.resolve({ items: [], nextCursor: null }),
  async *exportJsonLines() {},
  purgeBefore: () => Promise.resolve(0),
};
