import { Button } from '@codegouvfr/react-dsfr/Button';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Link, Route, Routes, useSearchParams } from 'react-router';
import { ErrorNotice, ForbiddenPage, NotFoundPage, useSignedInUser } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import {
  organisationForest,
  useDirectoryOrganisations,
  usePeople,
  type OrganisationTreeNode,
} from './directory.api.ts';
import { directoryMessages } from './directory.messages.ts';
import { DirectoryFrame, PeopleList } from './DirectoryFrame.tsx';
import { GroupPage } from './GroupPage.tsx';
import { OrganisationPage } from './OrganisationPage.tsx';
import { PersonPage } from './PersonPage.tsx';

/**
 * The directory ("Annuaire"): people, organisation units and groups. Agents browse it; external users
 * reach only their own card and the groups they belong to (the API refuses the rest).
 */
export function DirectoryRoutes() {
  return (
    <Routes>
      <Route index element={<DirectoryHomePage />} />
      <Route path="personnes/:id" element={<PersonPage />} />
      <Route path="groupes/:id" element={<GroupPage />} />
      <Route path="organisations/:id" element={<OrganisationPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

function DirectoryHomePage() {
  const me = useSignedInUser();
  if (me.kind !== 'agent') return <ForbiddenPage />;
  return <DirectoryHome />;
}

function DirectoryHome() {
  const t = useMessages(directoryMessages);
  const [searchParams, setSearchParams] = useSearchParams();
  const search = (searchParams.get('q') ?? '').trim();
  const organisationId = searchParams.get('organisation') ?? '';
  const organisations = useDirectoryOrganisations();
  const people = usePeople({ search, organisationId });
  const list = organisations.data ?? [];
  const forest = organisationForest(list);
  const names = new Map(list.map((organisation) => [organisation.id, organisation.name]));
  const items = people.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <DirectoryFrame title={t.title} isInsideDirectory={false} lead={<p className="fr-text--lead">{t.intro}</p>}>
      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-md-8" aria-labelledby="directory-people">
          <h2 id="directory-people" className="fr-h4">
            {t.peopleTitle}
          </h2>
          <form
            role="search"
            aria-label={t.searchPeople}
            className="fr-mb-3w"
            onSubmit={(event) => {
              event.preventDefault();
              const data = new FormData(event.currentTarget);
              const next = new URLSearchParams();
              const q = data.get('q');
              const organisation = data.get('organisation');
              if (typeof q === 'string' && q.trim()) next.set('q', q.trim());
              if (typeof organisation === 'string' && organisation) next.set('organisation', organisation);
              setSearchParams(next);
            }}
          >
            <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
              <div className="fr-col-12 fr-col-lg-5">
                <div className="fr-input-group fr-mb-0">
                  <label className="fr-label" htmlFor="directory-search">
                    {t.searchPeople}
                    <span className="fr-hint-text">{t.searchPeopleHint}</span>
                  </label>
                  <input
                    className="fr-input"
                    id="directory-search"
                    name="q"
                    type="search"
                    maxLength={100}
                    autoComplete="off"
                    defaultValue={search}
                    key={search}
                  />
                </div>
              </div>
              <div className="fr-col-12 fr-col-lg-4">
                <Select
                  className="fr-mb-0"
                  label={t.organisationFilter}
                  nativeSelectProps={{ name: 'organisation', defaultValue: organisationId, key: organisationId }}
                >
                  <option value="">{t.allOrganisations}</option>
                  {forestOptions(forest).map((option) => (
                    <option key={option.id} value={option.id}>
                      {option.label}
                    </option>
                  ))}
                </Select>
              </div>
              <div className="fr-col-12 fr-col-lg-3">
                <Button type="submit" iconId="fr-icon-search-line">
                  {t.searchSubmit}
                </Button>
              </div>
            </div>
          </form>
          {people.isPending && <p className="bureau-loading">{t.loading}</p>}
          {people.isError && <ErrorNotice error={people.error} onRetry={() => void people.refetch()} />}
          {people.isSuccess && (
            <p role="status" className="fr-text--sm fr-mb-1w">
              {items.length === 0 ? t.noPeople : t.peopleFound(items.length, people.hasNextPage)}
            </p>
          )}
          {items.length > 0 && <PeopleList people={items} label={t.peopleTitle} organisationNames={names} />}
          {people.hasNextPage && (
            <Button
              priority="secondary"
              className="fr-mt-3w"
              onClick={() => void people.fetchNextPage()}
              disabled={people.isFetchingNextPage}
            >
              {t.more}
            </Button>
          )}
        </section>
        <section className="fr-col-12 fr-col-md-4" aria-labelledby="directory-organisations">
          <h2 id="directory-organisations" className="fr-h4">
            {t.organisationsTitle}
          </h2>
          {organisations.isPending && <p className="bureau-loading">{t.loading}</p>}
          {organisations.isError && <ErrorNotice error={organisations.error} />}
          {organisations.isSuccess && forest.length === 0 && <p>{t.noOrganisations}</p>}
          {forest.length > 0 && (
            <nav aria-labelledby="directory-organisations" className="bureau-tree">
              <OrganisationBranch nodes={forest} />
            </nav>
          )}
        </section>
      </div>
    </DirectoryFrame>
  );
}

function OrganisationBranch({ nodes }: { nodes: OrganisationTreeNode[] }) {
  return (
    <ul>
      {nodes.map((node) => (
        <li key={node.id}>
          <span className="fr-icon-building-line fr-icon--sm fr-mr-1w" aria-hidden="true" />
          <Link to={`/annuaire/organisations/${node.id}`}>{node.name}</Link>
          {node.children.length > 0 && <OrganisationBranch nodes={node.children} />}
        </li>
      ))}
    </ul>
  );
}

/** "Ministère › Direction" options, in tree order. */
function forestOptions(forest: OrganisationTreeNode[], depth = 0): { id: string; label: string }[] {
  return forest.flatMap((node) => [
    { id: node.id, label: `${'\u00a0\u00a0'.repeat(depth)}${depth > 0 ? '› ' : ''}${node.name}` },
    ...forestOptions(node.children, depth + 1),
  ]);
}
