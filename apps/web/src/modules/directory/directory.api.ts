import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type {
  DirectoryEntry,
  DirectoryOrganisation,
  DirectoryOrganisationDetail,
  DirectoryPerson,
  Group,
  Page,
} from '../../api/types.ts';

/** Query keys of the directory; groups share the administration's `['groups']` prefix. */
export const directoryKeys = {
  people: (search: string, organisationId: string) => ['directory', 'people', search, organisationId] as const,
  person: (id: string) => ['directory', 'person', id] as const,
  organisations: ['directory', 'organisations'] as const,
  organisation: (id: string) => ['directory', 'organisation', id] as const,
  group: (id: string) => ['groups', id] as const,
};

/** People of the directory, 20 at a time (agents only: the API answers 403 to others). */
export function usePeople(filter: { search: string; organisationId: string }, enabled = true) {
  return useInfiniteQuery({
    queryKey: directoryKeys.people(filter.search, filter.organisationId),
    queryFn: ({ pageParam, signal }) =>
      api<Page<DirectoryEntry>>('/api/directory/users', {
        query: { search: filter.search, organisationId: filter.organisationId, limit: 20, cursor: pageParam },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function usePerson(id: string) {
  return useQuery({
    queryKey: directoryKeys.person(id),
    queryFn: () => api<DirectoryPerson>(`/api/directory/users/${encodeURIComponent(id)}`),
  });
}

export function useDirectoryOrganisations(enabled = true) {
  return useQuery({
    queryKey: directoryKeys.organisations,
    queryFn: async () => (await api<{ items: DirectoryOrganisation[] }>('/api/directory/organisations')).items,
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function useOrganisation(id: string) {
  return useQuery({
    queryKey: directoryKeys.organisation(id),
    queryFn: () => api<DirectoryOrganisationDetail>(`/api/directory/organisations/${encodeURIComponent(id)}`),
  });
}

export function useGroup(id: string) {
  return useQuery({
    queryKey: directoryKeys.group(id),
    queryFn: () => api<Group>(`/api/groups/${encodeURIComponent(id)}`),
  });
}

/** Adds a member, changes a member's role, or removes a member (managers; a member may remove themself). */
export function useGroupMembership(groupId: string) {
  const queryClient = useQueryClient();
  const onSuccess = async (group: Group | undefined) => {
    if (group) queryClient.setQueryData(directoryKeys.group(groupId), group);
    // Lists of groups (administration, a person's card) change too.
    await queryClient.invalidateQueries({ queryKey: ['groups'] });
    await queryClient.invalidateQueries({ queryKey: ['directory', 'person'] });
  };
  const setRole = useMutation({
    mutationFn: (change: { userId: string; role: 'member' | 'manager'; name: string }) =>
      api<Group>(`/api/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(change.userId)}`, {
        method: 'PUT',
        json: { role: change.role },
      }),
    onSuccess,
  });
  const remove = useMutation({
    mutationFn: (change: { userId: string; name: string }) =>
      api<Group>(`/api/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(change.userId)}`, {
        method: 'DELETE',
      }),
    onSuccess,
  });
  return { setRole, remove };
}

export interface OrganisationTreeNode extends DirectoryOrganisation {
  children: OrganisationTreeNode[];
}

/** The flat list as a forest, each level sorted by name (a unit whose parent is unknown is a root). */
export function organisationForest(organisations: readonly DirectoryOrganisation[]): OrganisationTreeNode[] {
  const nodes = new Map<string, OrganisationTreeNode>(
    organisations.map((organisation) => [organisation.id, { ...organisation, children: [] }]),
  );
  const roots: OrganisationTreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: OrganisationTreeNode[]): OrganisationTreeNode[] => {
    list.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    for (const node of list) sort(node.children);
    return list;
  };
  return sort(roots);
}
