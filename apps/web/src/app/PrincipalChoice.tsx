import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState, type ReactNode } from 'react';
import type { DirectoryEntry } from '../api/types.ts';
import { useMessages, type Dictionary } from '../i18n.tsx';
import { PersonSearch, useGroups, useOrganisations } from './PersonSearch.tsx';

const principalChoiceMessages: Dictionary<{ groupLabel: string; organisationLabel: string; chooseOption: string }> = {
  fr: { groupLabel: 'Groupe', organisationLabel: 'Unité', chooseOption: '— Choisir —' },
  en: { groupLabel: 'Group', organisationLabel: 'Unit', chooseOption: '— Choose —' },
};

/** A person, group or organisation unit chosen to share with, and the name to say it by. */
export interface ChosenPrincipal {
  principal: { kind: 'user' | 'group' | 'organisation'; id: string };
  name: string;
}

/**
 * The fields of a sharing form that name someone, for the kind of principal picked (documents, Albert's
 * collections): a person found in the directory, a group, or an organisation unit. `chosen()` says who, once
 * complete; `reset()` empties the fields after a share was given.
 */
export function usePrincipalChoice(kind: string): {
  fields: ReactNode;
  chosen: () => ChosenPrincipal | undefined;
  reset: () => void;
} {
  const t = useMessages(principalChoiceMessages);
  const [person, setPerson] = useState<DirectoryEntry | undefined>();
  const [groupId, setGroupId] = useState('');
  const [organisationId, setOrganisationId] = useState('');
  const groups = useGroups(kind === 'group');
  const organisations = useOrganisations(kind === 'organisation');

  function chosen(): ChosenPrincipal | undefined {
    if (kind === 'user' && person) return { principal: { kind, id: person.id }, name: person.displayName };
    const group = groups.data?.items.find((item) => item.id === groupId);
    if (kind === 'group' && group) return { principal: { kind, id: group.id }, name: group.name };
    const organisation = organisations.data?.find((item) => item.id === organisationId);
    if (kind === 'organisation' && organisation) {
      return { principal: { kind, id: organisation.id }, name: organisation.name };
    }
    return undefined;
  }

  function reset(): void {
    setPerson(undefined);
    setGroupId('');
    setOrganisationId('');
  }

  const fields = (
    <>
      {kind === 'user' && <PersonSearch chosen={person} onChoose={setPerson} />}
      {kind === 'group' && (
        <Select
          label={t.groupLabel}
          nativeSelectProps={{ value: groupId, onChange: (event) => setGroupId(event.currentTarget.value) }}
        >
          <option value="">{t.chooseOption}</option>
          {(groups.data?.items ?? []).map((group) => (
            <option key={group.id} value={group.id}>
              {group.name}
            </option>
          ))}
        </Select>
      )}
      {kind === 'organisation' && (
        <Select
          label={t.organisationLabel}
          nativeSelectProps={{
            value: organisationId,
            onChange: (event) => setOrganisationId(event.currentTarget.value),
          }}
        >
          <option value="">{t.chooseOption}</option>
          {(organisations.data ?? []).map((organisation) => (
            <option key={organisation.id} value={organisation.id}>
              {organisation.name}
            </option>
          ))}
        </Select>
      )}
    </>
  );
  return { fields, chosen, reset };
}
