export type {
  AuditActor,
  AuditEvent,
  AuditEventInput,
  AuditLog,
  AuditOutcome,
  AuditPage,
  AuditQuery,
} from './audit-log.ts';
export { auditErrors } from './audit.errors.ts';
export {
  auditActionPattern,
  auditLimits,
  auditOutcomes,
  createAuditLog,
  isSecretDetailKey,
  systemAuditActor,
  type AuditLogDependencies,
} from './audit.service.ts';
