export { authzErrors } from './authz.errors.ts';
export {
  createAuthzService,
  defaultAuthzQueryThresholds,
  isResourceId,
  type AccessFilterOptions,
  type AccessQuery,
  type AccessiblePage,
  type AuditedWriteOptions,
  type AuthzQueryThresholds,
  type AuthzService,
  type AuthzServiceDependencies,
  type Grant,
  type GrantInput,
  type LabelChange,
  type ListedGrant,
  type OrganisationLabelSource,
  type ReadOptions,
  type RegisterResourceInput,
  type Resource,
  type ResourceRef,
  type WriteOptions,
} from './authz.service.ts';
export {
  linkScopes,
  principalKey,
  principalKinds,
  type LinkScope,
  type Principal,
  type PrincipalKind,
} from './principals.ts';
export type { ResourceTypeDefinition } from './resource-types.ts';
export { anonymousSubject, type Subject } from './subject.ts';
