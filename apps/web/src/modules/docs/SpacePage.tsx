import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { sensitivityLevels } from '../../api/types.ts';
import { usePageTitle } from '../../app/page.ts';
import { sensitivityNames } from '../../app/SensitivityBadge.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { useLocale, useMessages } from '../../i18n.tsx';
import { Dialog } from './Dialog.tsx';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { deleteSpace, docsKeys, docsLimits, updateSpace, useSpace, type DocsSpace } from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';
import { SpaceBadges } from './DocsHomePage.tsx';
import { DocsNav } from './DocsNav.tsx';
import { ShareDialog } from './ShareDialog.tsx';
import { SpaceTree } from './SpaceTree.tsx';
import { NewPageDialog } from './TemplateDialogs.tsx';

/**
 * A space (`/documents/espaces/:spaceId`): what it is, a new page at its top, its tree of pages, its
 * settings (name, description; the sensitivity label for its owners) and its sharing.
 */
export function SpacePage() {
  const t = useMessages(docsMessages);
  const { spaceId = '' } = useParams();
  const space = useSpace(spaceId);
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'settings' | 'share' | 'page' | undefined>();
  const [status, setStatus] = useState('');
  const isMissing = space.error instanceof ApiError && [403, 404].includes(space.error.status);
  usePageTitle(space.data?.name ?? (space.isPending ? undefined : t.spaceNotFound));

  return (
    <div className="fr-container fr-mt-3w fr-mb-8w bureau-docs">
      <DocsNav />
      {space.isPending && <p className="bureau-loading">{t.loading}</p>}
      {isMissing && <h1>{t.spaceNotFound}</h1>}
      {space.isError && !isMissing && <ErrorNotice error={space.error} onRetry={() => void space.refetch()} />}
      {space.data && (
        <>
          <h1 className="fr-mb-1w">{space.data.name}</h1>
          <SpaceBadges space={space.data} />
          {space.data.description && <p className="fr-mt-1w">{space.data.description}</p>}
          <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--icon-left fr-mt-2w">
            {space.data.abilities.edit && (
              <li>
                <button type="button" className="fr-btn fr-icon-add-line" onClick={() => setDialog('page')}>
                  {t.newPage}
                </button>
              </li>
            )}
            {space.data.abilities.edit && (
              <li>
                <button
                  type="button"
                  className="fr-btn fr-btn--secondary fr-icon-settings-5-line"
                  onClick={() => setDialog('settings')}
                >
                  {t.spaceSettings}
                </button>
              </li>
            )}
            {space.data.abilities.share && (
              <li>
                <button
                  type="button"
                  className="fr-btn fr-btn--secondary fr-icon-team-line"
                  onClick={() => setDialog('share')}
                >
                  {t.share}
                </button>
              </li>
            )}
          </ul>
          <p role="status" className="fr-text--sm bureau-docs-status">
            {status}
          </p>
          {!space.data.abilities.edit && <p className="fr-text--sm">{t.readOnlySpace}</p>}
          <section aria-labelledby="docs-tree-title" className="fr-mt-2w">
            <h2 id="docs-tree-title" className="fr-h4">
              {t.treeTitle}
            </h2>
            <SpaceTree
              spaceId={space.data.id}
              label={t.treeLabel(space.data.name)}
              canEdit={space.data.abilities.edit}
            />
          </section>
          {dialog === 'settings' && (
            <SpaceSettingsDialog
              space={space.data}
              onClose={() => setDialog(undefined)}
              onSaved={() => {
                setDialog(undefined);
                setStatus(t.settingsSaved);
              }}
              onDeleted={(name) => void navigate('/documents', { state: { status: t.spaceDeleted(name) } })}
            />
          )}
          {dialog === 'page' && (
            <NewPageDialog
              title={t.newPage}
              spaceId={space.data.id}
              onClose={() => setDialog(undefined)}
              onCreated={(document) => void navigate(`/documents/${encodeURIComponent(document.id)}`)}
            />
          )}
          {dialog === 'share' && (
            <ShareDialog
              target={{ type: 'space', id: space.data.id }}
              name={space.data.name}
              onClose={() => setDialog(undefined)}
            />
          )}
        </>
      )}
    </div>
  );
}

function SpaceSettingsDialog(props: {
  space: DocsSpace;
  onClose: () => void;
  onSaved: () => void;
  onDeleted: (name: string) => void;
}) {
  const { space, onClose } = props;
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const nameRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState(space.name);
  const [description, setDescription] = useState(space.description);
  const [label, setLabel] = useState(space.label);
  const [nameError, setNameError] = useState('');
  const isOwner = space.role === 'owner';
  const save = useMutation({
    mutationFn: () =>
      updateSpace(space.id, {
        ...(name.trim() !== space.name ? { name: name.trim() } : {}),
        ...(description.trim() !== space.description ? { description: description.trim() } : {}),
        ...(isOwner && label !== space.label ? { label } : {}),
      }),
    onSuccess: async (updated) => {
      queryClient.setQueryData(docsKeys.space(space.id), updated);
      await queryClient.invalidateQueries({ queryKey: docsKeys.spaces });
      props.onSaved();
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteSpace(space.id),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: docsKeys.space(space.id) });
      await queryClient.invalidateQueries({ queryKey: docsKeys.spaces });
      props.onDeleted(space.name);
    },
  });
  const canDelete = isOwner && space.kind === 'shared';
  const hasChanges =
    name.trim() !== space.name || description.trim() !== space.description || (isOwner && label !== space.label);
  return (
    <Dialog title={t.settingsTitle(space.name)} closeLabel={t.close} onClose={onClose} initialFocus={nameRef}>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!name.trim()) {
            setNameError(t.nameRequired);
            nameRef.current?.focus();
            return;
          }
          setNameError('');
          if (hasChanges) save.mutate();
          else onClose();
        }}
      >
        <Input
          label={t.spaceName}
          state={nameError ? 'error' : 'default'}
          stateRelatedMessage={nameError}
          nativeInputProps={{
            ref: nameRef,
            value: name,
            required: true,
            maxLength: docsLimits.spaceNameMaxLength,
            onChange: (event) => setName(event.currentTarget.value),
          }}
        />
        <Input
          label={t.spaceDescription}
          textArea
          nativeTextAreaProps={{
            value: description,
            rows: 3,
            maxLength: docsLimits.descriptionMaxLength,
            onChange: (event) => setDescription(event.currentTarget.value),
          }}
        />
        <Select
          label={t.label}
          hint={isOwner ? t.labelHint : t.labelOwnersOnly}
          disabled={!isOwner}
          nativeSelectProps={{
            value: label,
            onChange: (event) =>
              setLabel(sensitivityLevels.find((level) => level === event.currentTarget.value) ?? label),
          }}
        >
          {sensitivityLevels.map((level) => (
            <option key={level} value={level}>
              {sensitivityNames[level][locale]}
            </option>
          ))}
        </Select>
        {save.isError && <ErrorNotice error={save.error} />}
        {canDelete && (
          <div className="fr-mt-2w">
            <p className="fr-text--sm fr-mb-1w">{t.deleteSpaceHint}</p>
            <ConfirmAction
              label={t.deleteSpace}
              question={t.confirmDeleteSpace(space.name)}
              confirmLabel={t.deleteSpace}
              priority="secondary"
              disabled={remove.isPending || save.isPending}
              onConfirm={() => remove.mutate()}
            />
            {remove.isError && <ErrorNotice error={remove.error} />}
          </div>
        )}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={onClose}>
              {t.cancel}
            </button>
          </li>
          <li>
            <button type="submit" className="fr-btn" disabled={save.isPending}>
              {t.save}
            </button>
          </li>
        </ul>
      </form>
    </Dialog>
  );
}
