import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import { sensitivityLevels, type Group, type SensitivityLevel } from '../../api/types.ts';
import { usePageTitle } from '../../app/page.ts';
import { SensitivityBadge, sensitivityNames } from '../../app/SensitivityBadge.tsx';
import { ErrorNotice, useSignedInUser } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { AlbertNav } from './AlbertNav.tsx';
import {
  assistantKeys,
  createCollection,
  useCollections,
  type CollectionSummary,
  type NewCollection,
} from './assistant.api.ts';
import { collectionsMessages } from './collections.messages.ts';

/** Albert's collections (`/albert/collections`): those the person may read, and a form to create one. */
export function CollectionsPage() {
  const t = useMessages(collectionsMessages);
  const collections = useCollections();
  usePageTitle(t.title);
  return (
    <div className="fr-container fr-mt-3w fr-mb-8w bureau-albert">
      <AlbertNav />
      <h1>{t.title}</h1>
      <p className="fr-text--lead">{t.intro}</p>
      <section aria-labelledby="albert-collections-list" className="fr-mb-6w">
        <h2 id="albert-collections-list" className="fr-h4">
          {t.collectionsList}
        </h2>
        {collections.isPending && <p className="bureau-loading">{t.loading}</p>}
        {collections.isError && <ErrorNotice error={collections.error} onRetry={() => void collections.refetch()} />}
        {collections.isSuccess && collections.data.length === 0 && <p>{t.noCollections}</p>}
        {collections.isSuccess && collections.data.length > 0 && (
          <ul className="bureau-list">
            {collections.data.map((collection) => (
              <li key={collection.id}>
                <CollectionItem collection={collection} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <CreateCollectionForm />
    </div>
  );
}

function CollectionItem({ collection }: { collection: CollectionSummary }) {
  const t = useMessages(collectionsMessages);
  const { locale } = useLocale();
  return (
    <>
      <h3 className="fr-h6 fr-mb-1v">
        <Link to={`/albert/collections/${encodeURIComponent(collection.id)}`}>{collection.name}</Link>
      </h3>
      {collection.description && <p className="fr-text--sm fr-mb-1v">{collection.description}</p>}
      <CollectionBadges collection={collection} />
      <p className="bureau-meta">
        {t.documents(collection.documentCount)} · {t.updated(formatDateTime(locale, collection.updatedAt))}
        {collection.canEdit && <> · {t.canEdit}</>}
      </p>
      <ImportStatus collection={collection} />
    </>
  );
}

/** The collection's scope and sensitivity label, as badges (text, not colour only). */
export function CollectionBadges({ collection }: { collection: CollectionSummary }) {
  const t = useMessages(collectionsMessages);
  return (
    <ul className="fr-badges-group fr-mb-1v">
      <li>
        <Badge small noIcon as="span">
          {t.scopeNames[collection.scope]}
        </Badge>
      </li>
      <li>
        <SensitivityBadge level={collection.label} />
      </li>
    </ul>
  );
}

/** The last import of a public collection: running (with its progress), completed or failed. */
export function ImportStatus({ collection }: { collection: CollectionSummary }) {
  const t = useMessages(collectionsMessages);
  const { locale } = useLocale();
  const run = collection.lastImport;
  if (!run) return null;
  const number = (value: number) => new Intl.NumberFormat(locale).format(value);
  const progress = t.importProgress(number(run.processed), run.total === null ? null : number(run.total));
  return (
    <div className="bureau-albert-import fr-text--sm">
      <p className="fr-mb-0">
        <span
          className={`fr-icon--sm ${
            run.status === 'running'
              ? 'fr-icon-refresh-line'
              : run.status === 'completed'
                ? 'fr-icon-success-line'
                : 'fr-icon-error-warning-line'
          }`}
          aria-hidden="true"
        />{' '}
        <strong>{t.importStatus[run.status]}</strong>
        {run.finishedAt && run.status !== 'running' && <> {t.importFinished(formatDateTime(locale, run.finishedAt))}</>}
        {' — '}
        {progress}
      </p>
      {run.status === 'running' && run.total !== null && run.total > 0 && (
        <progress
          className="bureau-albert-progress"
          max={run.total}
          value={run.processed}
          aria-label={t.importProgressLabel(collection.name)}
        />
      )}
    </div>
  );
}

function CreateCollectionForm() {
  const t = useMessages(collectionsMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const groups = useQuery({ queryKey: ['groups'], queryFn: () => api<{ items: Group[] }>('/api/groups') });
  const myGroups = (groups.data?.items ?? []).filter((group) =>
    group.members.some((member) => member.userId === me.id),
  );
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [scope, setScope] = useState<NewCollection['scope']>('user');
  const [groupId, setGroupId] = useState('');
  const [label, setLabel] = useState<SensitivityLevel | ''>('');
  const [errors, setErrors] = useState<{ name?: string; groupId?: string }>({});

  const create = useMutation({
    mutationFn: createCollection,
    onSuccess: async (collection) => {
      await queryClient.invalidateQueries({ queryKey: assistantKeys.collections });
      void navigate(`/albert/collections/${encodeURIComponent(collection.id)}`);
    },
  });

  const scopes: { value: NewCollection['scope']; label: string }[] = [
    { value: 'user', label: t.scopeUser },
    ...(me.organisation ? [{ value: 'organisation' as const, label: t.scopeOrganisation(me.organisation.name) }] : []),
    ...(myGroups.length > 0 ? [{ value: 'group' as const, label: t.scopeGroup }] : []),
  ];

  return (
    <section aria-labelledby="albert-create-collection">
      <h2 id="albert-create-collection" className="fr-h4">
        {t.createTitle}
      </h2>
      <p>{t.createIntro}</p>
      <form
        className="bureau-albert-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const found = {
            ...(name.trim() ? {} : { name: t.nameRequired }),
            ...(scope === 'group' && !groupId ? { groupId: t.groupRequired } : {}),
          };
          setErrors(found);
          if (found.name) {
            document.getElementById('albert-collection-name')?.focus();
            return;
          }
          if (found.groupId) {
            document.getElementById('albert-collection-group')?.focus();
            return;
          }
          create.mutate({
            name: name.trim(),
            ...(description.trim() ? { description: description.trim() } : {}),
            scope,
            ...(scope === 'group' ? { groupId } : {}),
            ...(label ? { label } : {}),
          });
        }}
      >
        <Input
          label={t.name}
          state={errors.name ? 'error' : 'default'}
          stateRelatedMessage={errors.name}
          nativeInputProps={{
            id: 'albert-collection-name',
            value: name,
            required: true,
            maxLength: 200,
            onChange: (event) => setName(event.currentTarget.value),
          }}
        />
        <Input
          label={t.description}
          textArea
          nativeTextAreaProps={{
            value: description,
            maxLength: 2_000,
            rows: 3,
            onChange: (event) => setDescription(event.currentTarget.value),
          }}
        />
        <RadioButtons
          legend={t.scope}
          name="albert-collection-scope"
          options={scopes.map((option) => ({
            label: option.label,
            nativeInputProps: {
              value: option.value,
              checked: scope === option.value,
              onChange: () => setScope(option.value),
            },
          }))}
        />
        {scope === 'group' && (
          <Select
            label={t.group}
            state={errors.groupId ? 'error' : 'default'}
            stateRelatedMessage={errors.groupId}
            nativeSelectProps={{
              id: 'albert-collection-group',
              value: groupId,
              required: true,
              onChange: (event) => setGroupId(event.currentTarget.value),
            }}
          >
            <option value="">{t.chooseOption}</option>
            {myGroups.map((group) => (
              <option key={group.id} value={group.id}>
                {group.name}
              </option>
            ))}
          </Select>
        )}
        <Select
          label={t.label}
          hint={t.labelHint}
          nativeSelectProps={{
            value: label,
            onChange: (event) => {
              const value = sensitivityLevels.find((level) => level === event.currentTarget.value);
              setLabel(value ?? '');
            },
          }}
        >
          <option value="">{t.labelDefault}</option>
          {sensitivityLevels.map((level) => (
            <option key={level} value={level}>
              {sensitivityNames[level][locale]}
            </option>
          ))}
        </Select>
        {create.isError && <ErrorNotice error={create.error} />}
        <button type="submit" className="fr-btn fr-mt-2w" disabled={create.isPending}>
          {t.create}
        </button>
      </form>
    </section>
  );
}
