import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { usePageTitle } from '../../app/page.ts';
import { SensitivityBadge } from '../../app/SensitivityBadge.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { Dialog } from './Dialog.tsx';
import { createSpace, docsKeys, docsLimits, useSpaces, type DocsSpace } from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';
import { DocsNav } from './DocsNav.tsx';
import { DocumentList } from './DocumentList.tsx';
import { NewPageDialog } from './TemplateDialogs.tsx';

/**
 * The documents' home (`/documents`): a new page (in the personal space, blank or from a template, opened
 * at once), a new space, the spaces (the personal one first), the pages opened lately and the favourites.
 */
export function DocsHomePage() {
  const t = useMessages(docsMessages);
  const spaces = useSpaces();
  const navigate = useNavigate();
  // What happened before coming here (a space deleted from its settings), said once.
  const { state } = useLocation() as { state: { status?: string } | null };
  const [dialog, setDialog] = useState<'space' | 'page' | undefined>();
  usePageTitle(t.title);
  const personal = spaces.data?.find((space) => space.kind === 'personal') ?? spaces.data?.[0];

  return (
    <div className="fr-container fr-mt-3w fr-mb-8w bureau-docs">
      <DocsNav />
      <h1>{t.title}</h1>
      <p className="fr-text--lead">{t.intro}</p>
      <p role="status" className="fr-text--sm bureau-docs-status">
        {state?.status ?? ''}
      </p>
      <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--icon-left">
        <li>
          <button
            type="button"
            className="fr-btn fr-icon-add-line"
            disabled={!personal}
            onClick={() => setDialog('page')}
          >
            {t.newDocument}
          </button>
        </li>
        <li>
          <button
            type="button"
            className="fr-btn fr-btn--secondary fr-icon-folder-2-line"
            onClick={() => setDialog('space')}
          >
            {t.newSpace}
          </button>
        </li>
      </ul>
      <div className="fr-grid-row fr-grid-row--gutters fr-mt-2w">
        <section className="fr-col-12 fr-col-lg-4" aria-labelledby="docs-spaces-title">
          <h2 id="docs-spaces-title" className="fr-h4">
            {t.spacesTitle}
          </h2>
          {spaces.isPending && <p className="bureau-loading">{t.loading}</p>}
          {spaces.isError && <ErrorNotice error={spaces.error} onRetry={() => void spaces.refetch()} />}
          {spaces.isSuccess && spaces.data.length === 0 && <p>{t.noSpaces}</p>}
          {spaces.isSuccess && spaces.data.length > 0 && (
            <ul className="bureau-list" aria-label={t.spacesList}>
              {spaces.data.map((space) => (
                <li key={space.id}>
                  <SpaceItem space={space} />
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="fr-col-12 fr-col-md-6 fr-col-lg-4" aria-labelledby="docs-recent-title">
          <h2 id="docs-recent-title" className="fr-h4">
            {t.recentTitle}
          </h2>
          <DocumentList kind="recent" label={t.recentTitle} empty={t.noRecent} />
        </section>
        <section className="fr-col-12 fr-col-md-6 fr-col-lg-4" aria-labelledby="docs-favourites-title">
          <h2 id="docs-favourites-title" className="fr-h4">
            {t.favouritesTitle}
          </h2>
          <DocumentList kind="favourites" label={t.favouritesTitle} empty={t.noFavourites} />
        </section>
      </div>
      {dialog === 'space' && <NewSpaceDialog onClose={() => setDialog(undefined)} />}
      {dialog === 'page' && personal && (
        <NewPageDialog
          title={t.newDocument}
          spaceId={personal.id}
          onClose={() => setDialog(undefined)}
          onCreated={(document) => void navigate(`/documents/${encodeURIComponent(document.id)}`)}
        />
      )}
    </div>
  );
}

function SpaceItem({ space }: { space: DocsSpace }) {
  return (
    <>
      <h3 className="fr-h6 fr-mb-1v">
        <Link to={`/documents/espaces/${encodeURIComponent(space.id)}`}>{space.name}</Link>
      </h3>
      {space.description && <p className="fr-text--sm fr-mb-1v">{space.description}</p>}
      <SpaceBadges space={space} />
    </>
  );
}

/** A space's kind, sensitivity label and the person's role in it, as badges (text, not colour only). */
export function SpaceBadges({ space }: { space: DocsSpace }) {
  const t = useMessages(docsMessages);
  return (
    <ul className="fr-badges-group fr-mb-0">
      <li>
        <Badge small noIcon as="span">
          {t.spaceKinds[space.kind]}
        </Badge>
      </li>
      <li>
        <SensitivityBadge level={space.label} />
      </li>
      {space.kind === 'shared' && (
        <li>
          <Badge small noIcon as="span" severity="new">
            {t.yourRole(t.roleNames[space.role])}
          </Badge>
        </li>
      )}
    </ul>
  );
}

function NewSpaceDialog({ onClose }: { onClose: () => void }) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const nameRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [nameError, setNameError] = useState('');
  const create = useMutation({
    mutationFn: createSpace,
    onSuccess: async (space) => {
      await queryClient.invalidateQueries({ queryKey: docsKeys.spaces });
      onClose();
      void navigate(`/documents/espaces/${encodeURIComponent(space.id)}`);
    },
  });
  return (
    <Dialog title={t.newSpace} closeLabel={t.close} onClose={onClose} initialFocus={nameRef}>
      <p className="fr-text--sm">{t.newSpaceIntro}</p>
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
          create.mutate({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
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
        {create.isError && <ErrorNotice error={create.error} />}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={onClose}>
              {t.cancel}
            </button>
          </li>
          <li>
            <button type="submit" className="fr-btn" disabled={create.isPending}>
              {t.createSpace}
            </button>
          </li>
        </ul>
      </form>
    </Dialog>
  );
}
