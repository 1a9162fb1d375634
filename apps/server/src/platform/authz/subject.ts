/**
 * Who asks, as the permission model sees them. The identity module builds it for each request
 * (`resolveSubject`), so the platform does not depend on how users, groups and organisations are stored.
 */
export interface Subject {
  /** null for an anonymous visitor (who can only use public links). */
  readonly userId: string | null;
  /**
   * `agent`: a member of the administration; `external`: a partner, who sees only what is shared with
   * them personally or through a group, or by a link; `service`: a program acting for its organisation
   * (an organisation's service key), which gets what is shared with it, its groups and its organisation,
   * never what is shared with all agents; `anonymous`: not signed in.
   */
  readonly kind: 'agent' | 'external' | 'service' | 'anonymous';
  readonly groupIds: readonly string[];
  /** The user's organisation unit followed by all its ancestors up to the root (empty when none). */
  readonly organisationPath: readonly string[];
}

export const anonymousSubject: Subject = { userId: null, kind: 'anonymous', groupIds: [], organisationPath: [] };
