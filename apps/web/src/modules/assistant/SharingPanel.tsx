import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import type { DirectoryPerson, Group } from '../../api/types.ts';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { useOrganisations } from '../../app/PersonSearch.tsx';
import { usePrincipalChoice } from '../../app/PrincipalChoice.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import {
  addShare,
  assistantKeys,
  removeShare,
  useCollectionShares,
  type CollectionShare,
  type SharePrincipal,
  type ShareRole,
} from './assistant.api.ts';
import { collectionsMessages } from './collections.messages.ts';

type Kind = SharePrincipal['kind'];

/** The name of whom a share is for: a person, a group, a unit, or every agent. */
function usePrincipalName(principal: CollectionShare['principal']): string {
  const t = useMessages(collectionsMessages);
  const id = principal.id ?? '';
  const person = useQuery({
    queryKey: ['directory', 'person', id],
    queryFn: () => api<DirectoryPerson>(`/api/directory/users/${encodeURIComponent(id)}`),
    enabled: principal.kind === 'user' && id !== '',
    retry: false,
  });
  const group = useQuery({
    queryKey: ['groups', id],
    queryFn: () => api<Group>(`/api/groups/${encodeURIComponent(id)}`),
    enabled: principal.kind === 'group' && id !== '',
    retry: false,
  });
  const organisations = useOrganisations(principal.kind === 'organisation');
  if (principal.kind === 'all_agents') return t.allAgents;
  const name =
    principal.kind === 'user'
      ? person.data?.displayName
      : principal.kind === 'group'
        ? group.data?.name
        : organisations.data?.find((organisation) => organisation.id === id)?.name;
  return name ?? id;
}

/**
 * Who may read or add to a collection (for those who may share it): the grants, each removable but the
 * owner's, and a form to give access to a person, a group, a unit or every agent, as reader or editor.
 */
export function SharingPanel({ collectionId }: { collectionId: string }) {
  const t = useMessages(collectionsMessages);
  const shares = useCollectionShares(collectionId);
  const [outcome, setOutcome] = useState('');
  const outcomeRef = useRef<HTMLParagraphElement>(null);

  function said(message: string): void {
    setOutcome(message);
    outcomeRef.current?.focus();
  }

  return (
    <>
      <p className="fr-text--sm">{t.sharingIntro}</p>
      <p ref={outcomeRef} tabIndex={-1} role="status" className="fr-text--sm">
        {outcome}
      </p>
      {shares.isPending && <p className="bureau-loading">{t.loading}</p>}
      {shares.isError && <ErrorNotice error={shares.error} onRetry={() => void shares.refetch()} />}
      {shares.data && (
        <ul className="bureau-list fr-mb-3w" aria-label={t.sharesCaption}>
          {shares.data.map((share) => (
            <ShareItem key={share.id} collectionId={collectionId} share={share} onRemoved={said} />
          ))}
        </ul>
      )}
      <AddShareForm collectionId={collectionId} onAdded={said} />
    </>
  );
}

function ShareItem(props: { collectionId: string; share: CollectionShare; onRemoved: (message: string) => void }) {
  const t = useMessages(collectionsMessages);
  const queryClient = useQueryClient();
  const name = usePrincipalName(props.share.principal);
  const kind = props.share.principal.kind as Kind;
  const remove = useMutation({
    mutationFn: () => removeShare(props.collectionId, props.share.id),
    onSuccess: async () => {
      props.onRemoved(t.shareRemoved(name));
      await queryClient.invalidateQueries({ queryKey: assistantKeys.shares(props.collectionId) });
    },
  });
  return (
    <li className="bureau-actions bureau-actions--spread">
      <span>
        <strong>{name}</strong>
        <span className="bureau-meta">
          {' '}
          ({t.principalKinds[kind] ?? kind}) · {t.roleNames[props.share.role] ?? props.share.role}
        </span>
      </span>
      {props.share.role !== 'owner' && (
        <ConfirmAction
          label={t.removeShare}
          title={t.removeShareOf(name)}
          question={t.confirmRemoveShare(name)}
          disabled={remove.isPending}
          onConfirm={() => remove.mutate()}
        />
      )}
      {remove.isError && <ErrorNotice error={remove.error} />}
    </li>
  );
}

function AddShareForm({ collectionId, onAdded }: { collectionId: string; onAdded: (message: string) => void }) {
  const t = useMessages(collectionsMessages);
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Kind>('user');
  const [role, setRole] = useState<ShareRole>('reader');
  const [error, setError] = useState('');
  const named = usePrincipalChoice(kind);

  const add = useMutation({
    mutationFn: (input: { principal: SharePrincipal; name: string }) => addShare(collectionId, input.principal, role),
    onSuccess: async (_share, input) => {
      named.reset();
      onAdded(t.shareAdded(input.name));
      await queryClient.invalidateQueries({ queryKey: assistantKeys.shares(collectionId) });
    },
  });

  function chosen(): { principal: SharePrincipal; name: string } | undefined {
    if (kind === 'all_agents') return { principal: { kind }, name: t.allAgents };
    return named.chosen();
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const input = chosen();
        setError(input ? '' : t.choosePrincipal);
        if (input) add.mutate(input);
      }}
    >
      <h3 className="fr-h6">{t.addShareTitle}</h3>
      <RadioButtons
        legend={t.shareWith}
        name="albert-share-kind"
        orientation="horizontal"
        small
        options={(['user', 'group', 'organisation', 'all_agents'] as const).map((value) => ({
          label: t.principalKinds[value],
          nativeInputProps: { value, checked: kind === value, onChange: () => setKind(value) },
        }))}
      />
      {named.fields}
      <Select
        label={t.roleLabel}
        nativeSelectProps={{
          value: role,
          onChange: (event) => setRole(event.currentTarget.value === 'editor' ? 'editor' : 'reader'),
        }}
      >
        <option value="reader">{t.roleNames.reader}</option>
        <option value="editor">{t.roleNames.editor}</option>
      </Select>
      {error && (
        <p className="fr-message fr-message--error" role="alert">
          {error}
        </p>
      )}
      {add.isError && <ErrorNotice error={add.error} />}
      <button type="submit" className="fr-btn" disabled={add.isPending}>
        {t.share}
      </button>
    </form>
  );
}
