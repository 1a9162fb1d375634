import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Organisation } from '../../api/types.ts';

export function useOrganisations() {
  return useQuery({
    queryKey: ['admin', 'organisations'],
    queryFn: () => api<{ items: Organisation[] }>('/api/admin/organisations'),
  });
}

export interface OrganisationNode extends Organisation {
  depth: number;
}

/** The organisations in tree order (each followed by its sub-organisations), with their depth. */
export function treeOrder(organisations: readonly Organisation[]): OrganisationNode[] {
  const ids = new Set(organisations.map((organisation) => organisation.id));
  const children = new Map<string | null, Organisation[]>();
  for (const organisation of organisations) {
    // A parent the caller may not see: the organisation is a root of what they administer.
    const parent = organisation.parentId !== null && ids.has(organisation.parentId) ? organisation.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), organisation]);
  }
  const ordered: OrganisationNode[] = [];
  const visit = (parent: string | null, depth: number): void => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    for (const organisation of list) {
      ordered.push({ ...organisation, depth });
      visit(organisation.id, depth + 1);
    }
  };
  visit(null, 0);
  return ordered;
}

/** "Ministère › Direction" options for selects. */
export function organisationOptions(organisations: readonly Organisation[]): { id: string; label: string }[] {
  return treeOrder(organisations).map((organisation) => ({
    id: organisation.id,
    label: `${'\u00a0\u00a0'.repeat(organisation.depth)}${organisation.depth > 0 ? '› ' : ''}${organisation.name}`,
  }));
}
