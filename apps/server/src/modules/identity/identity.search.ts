import type { AuthzService } from '../../platform/authz/index.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logging.ts';
import type { SearchDocument, SearchIndexChange, SearchService } from '../../platform/search/index.ts';
import { directoryRepository, type GroupRow, type OrganisationRow, type UserRow } from './directory.repository.ts';

/**
 * The directory as a resource of the permission model: one resource that every agent reads (an
 * `all_agents` grant), so that people, groups and organisations are found by agents, and never by
 * external users or services, who cannot browse the directory.
 */
export const directoryResource = { type: 'identity.directory', id: '00000000-0000-7000-8000-00000000d1e0' } as const;

export const searchTypes = {
  user: 'identity.user',
  group: 'identity.group',
  organisation: 'identity.organisation',
} as const;

const system = { system: true, label: 'identity' };

/** Where the web app shows each kind of directory entry. */
export const directoryUrls = {
  user: (id: string) => `/annuaire/personnes/${id}`,
  group: (id: string) => `/annuaire/groupes/${id}`,
  organisation: (id: string) => `/annuaire/organisations/${id}`,
};

export interface IdentitySearchDependencies {
  database: Database;
  authz: AuthzService;
  search: SearchService;
  logger: Logger;
}

/**
 * The identity module as the first producer of the unified search: users, groups and organisations,
 * kept in step by the module's events and rebuilt in the background at each start.
 */
export function createIdentitySearch(deps: IdentitySearchDependencies) {
  const { authz, search } = deps;
  authz.defineResourceType({ type: directoryResource.type, roles: ['reader'], actions: { read: 'reader' } });
  for (const type of Object.values(searchTypes)) search.defineType({ type, resourceType: directoryResource.type });

  const read = () => directoryRepository(deps.database.executor);

  function userDocument(user: UserRow, organisationName: string | undefined): SearchDocument {
    return {
      type: searchTypes.user,
      id: user.id,
      title: user.display_name,
      text: [user.email, user.title, organisationName, user.phone].filter(Boolean).join('\n'),
      resource: directoryResource,
      url: directoryUrls.user(user.id),
      updatedAt: user.updated_at,
      organisationId: user.organisation_id,
    };
  }

  function groupDocument(group: GroupRow): SearchDocument {
    return {
      type: searchTypes.group,
      id: group.id,
      title: group.name,
      text: group.description ?? '',
      resource: directoryResource,
      url: directoryUrls.group(group.id),
      updatedAt: group.updated_at,
      organisationId: group.organisation_id,
    };
  }

  function organisationDocument(organisation: OrganisationRow, domains: readonly string[]): SearchDocument {
    return {
      type: searchTypes.organisation,
      id: organisation.id,
      title: organisation.name,
      text: [organisation.siret, ...domains].filter(Boolean).join('\n'),
      resource: directoryResource,
      url: directoryUrls.organisation(organisation.id),
      updatedAt: organisation.updated_at,
      organisationId: organisation.id,
    };
  }

  /** People are searchable while active; services never. */
  const isListed = (user: UserRow) => user.status === 'active' && user.kind !== 'service';

  async function userChange(userId: string): Promise<SearchIndexChange> {
    const repository = read();
    const user = await repository.getUser(userId);
    if (!user || !isListed(user)) return { remove: [{ type: searchTypes.user, id: userId }] };
    const organisation = user.organisation_id ? await repository.getOrganisation(user.organisation_id) : undefined;
    return { index: [userDocument(user, organisation?.name)] };
  }

  async function organisationChange(organisationId: string): Promise<SearchIndexChange | undefined> {
    const repository = read();
    const organisation = await repository.getOrganisation(organisationId);
    if (!organisation) return undefined;
    const domains = (await repository.domainsOf([organisationId])).map((row) => row.domain);
    return { index: [organisationDocument(organisation, domains)] };
  }

  search.follow('identity.user.created', ({ userId }) => userChange(userId));
  search.follow('identity.user.updated', ({ userId }) => userChange(userId));
  search.follow('identity.user.deactivated', ({ userId }) => userChange(userId));
  search.follow('identity.user.merged', ({ sourceUserId }) => userChange(sourceUserId));
  search.follow('identity.group.created', async ({ groupId }) => {
    const group = await read().getGroup(groupId);
    return group ? { index: [groupDocument(group)] } : undefined;
  });
  search.follow('identity.organisation.created', ({ organisationId }) => organisationChange(organisationId));
  search.follow('identity.organisation.updated', ({ organisationId }) => organisationChange(organisationId));

  async function* users(): AsyncIterable<SearchDocument> {
    const repository = read();
    const names = new Map((await repository.listOrganisations()).map((row) => [row.id, row.name]));
    let before: string | undefined;
    for (;;) {
      const page = await repository.listUsers({
        limit: 500,
        kinds: ['agent', 'external'],
        activeOnly: true,
        ...(before === undefined ? {} : { before }),
      });
      for (const user of page)
        yield userDocument(user, user.organisation_id ? names.get(user.organisation_id) : undefined);
      if (page.length < 500) return;
      before = page.at(-1)?.id;
    }
  }

  async function* groups(): AsyncIterable<SearchDocument> {
    const repository = read();
    let before: string | undefined;
    for (;;) {
      const page = await repository.listGroups({ limit: 500, ...(before === undefined ? {} : { before }) });
      for (const group of page) yield groupDocument(group);
      if (page.length < 500) return;
      before = page.at(-1)?.id;
    }
  }

  async function* organisations(): AsyncIterable<SearchDocument> {
    const repository = read();
    const all = await repository.listOrganisations();
    const domains = await repository.domainsOf(all.map((organisation) => organisation.id));
    for (const organisation of all) {
      yield organisationDocument(
        organisation,
        domains.filter((row) => row.organisation_id === organisation.id).map((row) => row.domain),
      );
    }
  }

  return {
    /** Registers the directory resource and lets every agent read it (idempotent). */
    async ensureDirectoryResource(): Promise<void> {
      if (await authz.getResource(directoryResource)) return;
      await deps.database.transaction(async (context) => {
        await authz.registerResource({ ...directoryResource, defaultLabel: 'internal' }, { context });
        await authz.grant(
          { resource: directoryResource, principal: { kind: 'all_agents' }, role: 'reader' },
          { actor: system, context },
        );
      });
    },

    /** Rebuilds the three types from the directory; searches go on meanwhile. */
    async reindex(): Promise<{ indexed: number; removed: number }> {
      const started = Date.now();
      let indexed = 0;
      let removed = 0;
      for (const [type, documents] of [
        [searchTypes.organisation, organisations()],
        [searchTypes.group, groups()],
        [searchTypes.user, users()],
      ] as const) {
        const result = await search.reindex(type, documents);
        indexed += result.indexed;
        removed += result.removed;
      }
      deps.logger.info({ indexed, removed, ms: Date.now() - started }, 'directory search index rebuilt');
      return { indexed, removed };
    },
  };
}

export type IdentitySearch = ReturnType<typeof createIdentitySearch>;
