import { Button } from '@codegouvfr/react-dsfr/Button';
import { Link, useParams } from 'react-router';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { useOrganisation, usePeople } from './directory.api.ts';
import { directoryMessages } from './directory.messages.ts';
import { DirectoryFrame, DirectoryQueryState, PeopleList } from './DirectoryFrame.tsx';

/** An organisation unit: where it sits (breadcrumb), the units below it, and its people. */
export function OrganisationPage() {
  const t = useMessages(directoryMessages);
  const { id = '' } = useParams();
  const organisation = useOrganisation(id);
  const people = usePeople({ search: '', organisationId: id }, organisation.isSuccess);
  if (!organisation.isSuccess) {
    return <DirectoryQueryState error={organisation.error} onRetry={() => void organisation.refetch()} />;
  }
  const unit = organisation.data;
  const items = people.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <DirectoryFrame
      title={unit.name}
      trail={unit.path.map((parent) => ({ label: parent.name, to: `/annuaire/organisations/${parent.id}` }))}
    >
      {(unit.siret || unit.domains.length > 0) && (
        <dl className="bureau-card-fields fr-mb-4w">
          {unit.siret && (
            <>
              <dt>{t.siret}</dt>
              <dd>{unit.siret}</dd>
            </>
          )}
          {unit.domains.length > 0 && (
            <>
              <dt>{t.domains}</dt>
              <dd>{unit.domains.join(', ')}</dd>
            </>
          )}
        </dl>
      )}
      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-md-8" aria-labelledby="organisation-people">
          <h2 id="organisation-people" className="fr-h4">
            {t.peopleOf(unit.name)}
          </h2>
          {people.isPending && <p className="bureau-loading">{t.loading}</p>}
          {people.isError && <ErrorNotice error={people.error} onRetry={() => void people.refetch()} />}
          {people.isSuccess && items.length === 0 && <p>{t.noPeople}</p>}
          {items.length > 0 && <PeopleList people={items} label={t.peopleOf(unit.name)} />}
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
        <section className="fr-col-12 fr-col-md-4" aria-labelledby="organisation-units">
          <h2 id="organisation-units" className="fr-h4">
            {t.subUnits}
          </h2>
          {unit.children.length === 0 ? (
            <p>{t.noSubUnits}</p>
          ) : (
            <ul className="bureau-tree">
              {[...unit.children]
                .sort((a, b) => a.name.localeCompare(b.name, 'fr'))
                .map((child) => (
                  <li key={child.id}>
                    <span className="fr-icon-building-line fr-icon--sm fr-mr-1w" aria-hidden="true" />
                    <Link to={`/annuaire/organisations/${child.id}`}>{child.name}</Link>
                  </li>
                ))}
            </ul>
          )}
        </section>
      </div>
    </DirectoryFrame>
  );
}
