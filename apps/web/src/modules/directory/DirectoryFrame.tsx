import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api/client.ts';
import type { DirectoryEntry } from '../../api/types.ts';
import { usePageTitle } from '../../app/page.ts';
import { ErrorNotice, ForbiddenPage, NotFoundPage, PageLoading } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { directoryMessages } from './directory.messages.ts';

/** A directory page: the breadcrumb (Home › Directory › … › this page), its one h1, its content. */
export function DirectoryFrame(props: {
  title: string;
  /** The pages between the directory and this one (an organisation's parents). */
  trail?: { label: string; to: string }[];
  /** False on the directory's own start page, which is the last segment itself. */
  isInsideDirectory?: boolean;
  lead?: ReactNode;
  children: ReactNode;
}) {
  const t = useMessages(directoryMessages);
  usePageTitle(props.title);
  const isInside = props.isInsideDirectory ?? true;
  return (
    <div className="fr-container fr-mb-8w">
      <Breadcrumb
        className="fr-mt-2w fr-mb-3w"
        homeLinkProps={{ to: '/' }}
        segments={[
          ...(isInside ? [{ label: t.title, linkProps: { to: '/annuaire' } }] : []),
          ...(props.trail ?? []).map((segment) => ({ label: segment.label, linkProps: { to: segment.to } })),
        ]}
        currentPageLabel={props.title}
      />
      <h1>{props.title}</h1>
      {props.lead}
      {props.children}
    </div>
  );
}

/**
 * While a directory page's data loads, or when it fails: 403 is the "access denied" page (external
 * users browsing the directory), 404 the "page not found" one.
 */
export function DirectoryQueryState({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  if (error instanceof ApiError && error.status === 403) return <ForbiddenPage />;
  if (error instanceof ApiError && (error.status === 404 || error.code === 'VALIDATION_FAILED')) {
    return <NotFoundPage />;
  }
  if (error) {
    return (
      <div className="fr-container fr-my-6w">
        <ErrorNotice error={error} onRetry={onRetry} />
      </div>
    );
  }
  return <PageLoading />;
}

/** Two letters standing for a person without a picture. */
function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? '') + (words.length > 1 ? (words.at(-1)?.[0] ?? '') : '')).toUpperCase();
}

/** A person's picture, or their initials; decorative (their name is always written beside it). */
export function Avatar({
  person,
  size,
}: {
  person: { id: string; displayName: string; hasAvatar: boolean };
  size: 'sm' | 'lg';
}) {
  if (person.hasAvatar) {
    return (
      <img
        className={`bureau-avatar bureau-avatar--${size}`}
        src={`/api/users/${encodeURIComponent(person.id)}/avatar`}
        alt=""
        loading="lazy"
      />
    );
  }
  return (
    <span className={`bureau-avatar bureau-avatar--${size}`} aria-hidden="true">
      {initials(person.displayName)}
    </span>
  );
}

/** People as a list of short cards: picture, name (a link to their card), title, e-mail. */
export function PeopleList(props: {
  people: DirectoryEntry[];
  label: string;
  organisationNames?: Map<string, string>;
}) {
  return (
    <ul className="bureau-list" aria-label={props.label}>
      {props.people.map((person) => {
        const organisation =
          person.organisationId === null ? undefined : props.organisationNames?.get(person.organisationId);
        return (
          <li key={person.id} className="bureau-person">
            <Avatar person={person} size="sm" />
            <div>
              <p className="fr-text--bold fr-mb-0">
                <Link to={`/annuaire/personnes/${person.id}`}>{person.displayName}</Link>
              </p>
              {(person.title || organisation) && (
                <p className="bureau-meta">{[person.title, organisation].filter(Boolean).join(' – ')}</p>
              )}
              <p className="bureau-meta">{person.email}</p>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
