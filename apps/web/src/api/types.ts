import type {
  apiKeySchema,
  InstanceInfo,
  meSchema,
  notificationItemSchema,
  notificationPreferencesSchema,
  searchHitSchema,
  searchResultSchema,
  searchSnippetSegmentSchema,
  serviceKeySchema,
  sessionSchema,
  updateNotificationPreferencesRequestSchema,
  userSchema,
} from '@bureau/contracts';
import type { z } from 'zod';

/** Type-only imports: the schemas stay on the server, the web app takes their inferred shapes. */
export type Me = z.infer<typeof meSchema>;
export type Session = z.infer<typeof sessionSchema>;
export type ApiKey = z.infer<typeof apiKeySchema>;
export type User = z.infer<typeof userSchema>;

/** An external service an administrator adds to the app switcher (`GET /api/workplace/services`). */
export type { ExternalService } from '@bureau/contracts';

/** `GET /api/instance`: what the instance says about itself before sign-in. */
export type Instance = InstanceInfo;

/** `GET /api/auth/providers`: the ways to sign in. */
export interface AuthProviders {
  password: boolean;
  oidc: { name: string; loginUrl: string } | null;
}

/** A page of a list endpoint. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Sensitivity levels of resources (platform/sensitivity), lowest first. */
export const sensitivityLevels = ['public', 'internal', 'sensitive', 'restricted'] as const;
export type SensitivityLevel = (typeof sensitivityLevels)[number];

export interface Organisation {
  id: string;
  parentId: string | null;
  name: string;
  siret: string | null;
  domains: string[];
  /** The label new resources of the organisation get (being added to the API: may be absent). */
  defaultLabel?: SensitivityLevel;
}

export interface GroupMember {
  userId: string;
  email: string;
  displayName: string;
  role: 'member' | 'manager';
}

export interface Group {
  id: string;
  name: string;
  description: string | null;
  organisationId: string | null;
  members: GroupMember[];
}

export interface DirectoryEntry {
  id: string;
  displayName: string;
  email: string;
  title: string | null;
  organisationId: string | null;
  hasAvatar: boolean;
}

/** `GET /api/directory/users/:id`: a person's card (agents, or oneself). */
export interface DirectoryPerson {
  id: string;
  displayName: string;
  email: string;
  title: string | null;
  phone: string | null;
  kind: 'agent' | 'external';
  organisation: { id: string; name: string } | null;
  hasAvatar: boolean;
  groups: { id: string; name: string }[];
}

/** An organisation unit as agents browse it (`GET /api/directory/organisations`). */
export interface DirectoryOrganisation {
  id: string;
  parentId: string | null;
  name: string;
  siret: string | null;
}

/** `GET /api/directory/organisations/:id`: the unit, the units above it (root first) and below it. */
export interface DirectoryOrganisationDetail extends DirectoryOrganisation {
  domains: string[];
  path: { id: string; name: string }[];
  children: DirectoryOrganisation[];
}

/** A pending invitation (`GET /api/admin/invitations`). */
export interface Invitation {
  id: string;
  email: string;
  kind: 'agent' | 'external';
  organisationId: string | null;
  groupId: string | null;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

/** An organisation's service key: a program of another administration acting for the organisation. */
export type ServiceKey = z.infer<typeof serviceKeySchema>;

/** What `POST /api/admin/users/:id/merge` moved from the duplicate account. */
export interface MergeReport {
  user: User;
  moved: {
    identities: number;
    groups: number;
    administeredOrganisations: number;
    grants: number;
    passwordMoved: boolean;
  };
}

export interface AuditEvent {
  id: string;
  occurredAt: string;
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  actor: {
    userId: string | null;
    apiKeyId: string | null;
    label: string | null;
    ip: string | null;
    userAgent: string | null;
    system: boolean;
  };
  target: { type: string; id: string; label: string | null } | null;
  organisationId: string | null;
  details: Record<string, unknown>;
}

/** Unified search (`GET /api/search`) and the notification inbox: shapes from packages/contracts. */
export type SearchSnippetPart = z.infer<typeof searchSnippetSegmentSchema>;
export type SearchResult = z.infer<typeof searchHitSchema>;
export type SearchResponse = z.infer<typeof searchResultSchema>;
export type NotificationItem = z.infer<typeof notificationItemSchema>;
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;
export type NotificationPreferencesUpdate = z.infer<typeof updateNotificationPreferencesRequestSchema>;
