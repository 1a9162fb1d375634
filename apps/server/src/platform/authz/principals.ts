import type { Subject } from './subject.ts';

/** Who a grant is for. */
export type Principal =
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'group'; readonly id: string }
  /** The organisation unit and every unit below it. */
  | { readonly kind: 'organisation'; readonly id: string }
  /** Every agent of the instance (never external users nor anonymous visitors). */
  | { readonly kind: 'all_agents' }
  /**
   * Anyone with the link: `authenticated` for any signed-in user (agent or external), `public` for
   * anyone, anonymous visitors included.
   */
  | { readonly kind: 'link'; readonly scope: LinkScope };

export type PrincipalKind = Principal['kind'];

export type LinkScope = 'authenticated' | 'public';

export const principalKinds: readonly PrincipalKind[] = ['user', 'group', 'organisation', 'all_agents', 'link'];

export const linkScopes: readonly LinkScope[] = ['authenticated', 'public'];

/**
 * One string per principal (`user:<id>`, `group:<id>`, `organisation:<id>`, `all_agents`, `link:public`...),
 * stored with each grant: a subject's grants are then found with one `IN` on one indexed column.
 */
export function principalKey(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
    case 'group':
    case 'organisation':
      return `${principal.kind}:${principal.id}`;
    case 'all_agents':
      return 'all_agents';
    case 'link':
      return `link:${principal.scope}`;
  }
}

interface SubjectKeys {
  readonly direct: readonly string[];
  readonly withLinks: readonly string[];
}

// Keyed by the subject object, which the identity module builds once per request: no grant is cached,
// only the list of keys derived from the subject itself.
const keysBySubject = new WeakMap<Subject, SubjectKeys>();

/**
 * The principal keys whose grants apply to `subject`. The policy for people outside the administration
 * lives here: external users get their own, their groups' and link grants, never organisation or
 * all-agents grants; services (an organisation's programs) their own, their groups' and their
 * organisation's, never all-agents grants; anonymous visitors only public links. Link grants are left out unless asked for.
 */
export function subjectPrincipalKeys(subject: Subject, options: { includeLinks: boolean }): readonly string[] {
  let keys = keysBySubject.get(subject);
  if (!keys) {
    const direct: string[] = [];
    const signedIn = subject.kind !== 'anonymous' && subject.userId !== null;
    if (signedIn) {
      direct.push(`user:${subject.userId}`);
      for (const groupId of subject.groupIds) direct.push(`group:${groupId}`);
    }
    if (signedIn && (subject.kind === 'agent' || subject.kind === 'service')) {
      for (const unitId of subject.organisationPath) direct.push(`organisation:${unitId}`);
    }
    if (signedIn && subject.kind === 'agent') direct.push('all_agents');
    const withLinks = [...direct, 'link:public'];
    if (signedIn) withLinks.push('link:authenticated');
    keys = { direct, withLinks };
    keysBySubject.set(subject, keys);
  }
  return options.includeLinks ? keys.withLinks : keys.direct;
}
