import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Link, useParams } from 'react-router';
import { useSignedInUser } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { usePerson } from './directory.api.ts';
import { directoryMessages } from './directory.messages.ts';
import { Avatar, DirectoryFrame, DirectoryQueryState } from './DirectoryFrame.tsx';

/** A person's card: who they are, how to reach them, their organisation and their groups. */
export function PersonPage() {
  const t = useMessages(directoryMessages);
  const me = useSignedInUser();
  const { id = '' } = useParams();
  const person = usePerson(id);
  if (!person.isSuccess) return <DirectoryQueryState error={person.error} onRetry={() => void person.refetch()} />;
  const card = person.data;
  // Only agents browse organisations; an external user sees their own card without that link.
  const mayBrowse = me.kind === 'agent';
  return (
    <DirectoryFrame
      title={card.displayName}
      lead={
        <div className="bureau-person fr-mb-4w">
          <Avatar person={card} size="lg" />
          <div>
            {card.title && <p className="fr-text--lead fr-mb-1w">{card.title}</p>}
            {card.kind === 'external' && (
              <Badge small severity="warning" noIcon>
                {t.external}
              </Badge>
            )}
          </div>
        </div>
      }
    >
      <dl className="bureau-card-fields">
        <dt>{t.email}</dt>
        <dd>
          <a href={`mailto:${card.email}`} title={`${card.email} – ${t.writeTo(card.displayName)}`}>
            {card.email}
          </a>
        </dd>
        {card.phone && (
          <>
            <dt>{t.phone}</dt>
            <dd>
              <a
                href={`tel:${card.phone.replace(/[^+0-9]/g, '')}`}
                title={`${card.phone} – ${t.call(card.displayName)}`}
              >
                {card.phone}
              </a>
            </dd>
          </>
        )}
        <dt>{t.organisation}</dt>
        <dd>
          {card.organisation === null ? (
            t.noOrganisation
          ) : mayBrowse ? (
            <Link to={`/annuaire/organisations/${card.organisation.id}`}>{card.organisation.name}</Link>
          ) : (
            card.organisation.name
          )}
        </dd>
        <dt>{t.groups}</dt>
        <dd>
          {card.groups.length === 0 ? (
            t.noGroups
          ) : (
            <ul className="bureau-inline-list">
              {card.groups.map((group) => (
                <li key={group.id}>
                  <Link to={`/annuaire/groupes/${group.id}`}>{group.name}</Link>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </DirectoryFrame>
  );
}
