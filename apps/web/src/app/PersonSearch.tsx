import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import type { DirectoryEntry, DirectoryOrganisation, Group, Page } from '../api/types.ts';
import { useMessages, type Dictionary } from '../i18n.tsx';
import { ErrorNotice } from './states.tsx';

interface PersonSearchMessages {
  personLabel: string;
  personHint: string;
  searching: string;
  noPeople: string;
  peopleFound: (count: number) => string;
  chosenPerson: (name: string) => string;
  changePerson: string;
}

const personSearchMessages: Dictionary<PersonSearchMessages> = {
  fr: {
    personLabel: 'Personne',
    personHint: 'Tapez au moins deux caractères de son nom ou de son adresse.',
    searching: 'Recherche…',
    noPeople: 'Personne ne correspond.',
    peopleFound: (count) => (count === 1 ? '1 personne trouvée' : `${count} personnes trouvées`),
    chosenPerson: (name) => `Personne choisie : ${name}`,
    changePerson: 'Changer de personne',
  },
  en: {
    personLabel: 'Person',
    personHint: 'Type at least two characters of their name or address.',
    searching: 'Searching…',
    noPeople: 'Nobody matches.',
    peopleFound: (count) => (count === 1 ? '1 person found' : `${count} people found`),
    chosenPerson: (name) => `Person chosen: ${name}`,
    changePerson: 'Change the person',
  },
};

/**
 * Choosing a person of the directory to share with (documents, Albert's collections): what is typed (two
 * characters at least) lists the matching people, each a button; once one is chosen, their name and a button
 * to change. The number found is announced (a status), and the focus comes back to the field on a change.
 */
export function PersonSearch(props: {
  chosen: DirectoryEntry | undefined;
  onChoose: (person?: DirectoryEntry) => void;
}) {
  const t = useMessages(personSearchMessages);
  const [term, setTerm] = useState('');
  const [search, setSearch] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => {
    const timer = setTimeout(() => setSearch(term.trim()), 250);
    return () => clearTimeout(timer);
  }, [term]);
  const people = useQuery({
    queryKey: ['directory', 'people', search],
    queryFn: ({ signal }) => api<Page<DirectoryEntry>>('/api/directory/users', { query: { search, limit: 8 }, signal }),
    enabled: search.length >= 2 && !props.chosen,
  });
  if (props.chosen) {
    return (
      <div className="bureau-actions fr-mb-2w">
        <p className="fr-mb-0" role="status">
          {t.chosenPerson(`${props.chosen.displayName} (${props.chosen.email})`)}
        </p>
        <button
          type="button"
          className="fr-btn fr-btn--sm fr-btn--tertiary"
          onClick={() => {
            props.onChoose(undefined);
            setTimeout(() => inputRef.current?.focus(), 0);
          }}
        >
          {t.changePerson}
        </button>
      </div>
    );
  }
  const found = people.data?.items ?? [];
  const status =
    search.length < 2
      ? ''
      : people.isFetching
        ? t.searching
        : found.length === 0
          ? t.noPeople
          : t.peopleFound(found.length);
  return (
    <div className="fr-input-group">
      <label className="fr-label" htmlFor={`${id}-person`}>
        {t.personLabel}
        <span className="fr-hint-text">{t.personHint}</span>
      </label>
      <input
        ref={inputRef}
        id={`${id}-person`}
        className="fr-input"
        type="search"
        autoComplete="off"
        value={term}
        aria-describedby={`${id}-status`}
        onChange={(event) => setTerm(event.target.value)}
      />
      <p id={`${id}-status`} role="status" className="fr-hint-text fr-mt-1v">
        {status}
      </p>
      {people.isError && <ErrorNotice error={people.error} />}
      {found.length > 0 && (
        <ul className="bureau-person-choices">
          {found.map((entry) => (
            <li key={entry.id}>
              <button
                type="button"
                className="fr-btn fr-btn--sm fr-btn--tertiary"
                onClick={() => {
                  setTerm('');
                  setSearch('');
                  props.onChoose(entry);
                }}
              >
                {entry.displayName} ({entry.email})
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The organisation units of the directory (for choosing one to share with), kept five minutes. */
export function useOrganisations(enabled: boolean) {
  return useQuery({
    queryKey: ['directory', 'organisations'],
    queryFn: async () => (await api<{ items: DirectoryOrganisation[] }>('/api/directory/organisations')).items,
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** The groups the user sees (for choosing one to share with). */
export function useGroups(enabled: boolean) {
  return useQuery({ queryKey: ['groups'], queryFn: () => api<{ items: Group[] }>('/api/groups'), enabled });
}
