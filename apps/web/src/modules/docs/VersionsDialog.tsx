import { Input } from '@codegouvfr/react-dsfr/Input';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { Dialog } from './Dialog.tsx';
import {
  createVersion,
  docsKeys,
  docsLimits,
  restoreVersion,
  useVersionContent,
  useVersions,
  type DocsVersion,
} from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';
import { EditorBoundary } from './EditorBoundary.tsx';

const VersionPreview = lazy(() =>
  import('./editor/VersionPreview.tsx').then((module) => ({ default: module.VersionPreview })),
);

/**
 * A page's versions, newest first: naming the current state as a version, showing a version (read only,
 * in a dialog of its own) and restoring one after a confirmation (the current content is kept as a version
 * by the server first).
 */
export function VersionsDialog(props: { page: { id: string; title: string }; canEdit: boolean; onClose: () => void }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const versions = useVersions(props.page.id);
  const [status, setStatus] = useState('');
  const [shown, setShown] = useState<DocsVersion | undefined>();
  const statusRef = useRef<HTMLParagraphElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const focusIndex = useRef<number | undefined>(undefined);
  const items = versions.data?.pages.flatMap((page) => page.items) ?? [];
  const nameOf = (version: DocsVersion) => t.versionName(version, formatDateTime(locale, version.createdAt));

  useEffect(() => {
    const index = focusIndex.current;
    if (index === undefined || versions.isFetchingNextPage) return;
    focusIndex.current = undefined;
    listRef.current?.children[index]?.querySelector<HTMLElement>('button')?.focus();
  }, [items.length, versions.isFetchingNextPage]);

  function said(message: string): void {
    setStatus(message);
    statusRef.current?.focus();
  }

  return (
    <Dialog title={t.versionsTitle(props.page.title)} closeLabel={t.close} onClose={props.onClose}>
      {props.canEdit && <NameVersionForm documentId={props.page.id} onCreated={said} />}
      <p ref={statusRef} tabIndex={-1} role="status" className="fr-text--sm bureau-docs-status">
        {status}
      </p>
      <h3 className="fr-h6 fr-mb-1w">{t.versionsList}</h3>
      {versions.isPending && <p className="bureau-loading">{t.loading}</p>}
      {versions.isError && <ErrorNotice error={versions.error} onRetry={() => void versions.refetch()} />}
      {versions.isSuccess && items.length === 0 && <p className="fr-text--sm">{t.noVersions}</p>}
      {items.length > 0 && (
        <ul ref={listRef} className="bureau-list" aria-label={t.versionsList}>
          {items.map((version) => (
            <VersionItem
              key={version.id}
              documentId={props.page.id}
              version={version}
              name={nameOf(version)}
              canEdit={props.canEdit}
              onShow={() => setShown(version)}
              onRestored={said}
            />
          ))}
        </ul>
      )}
      {versions.hasNextPage && (
        <button
          type="button"
          className="fr-btn fr-btn--sm fr-btn--secondary fr-mt-2w"
          disabled={versions.isFetchingNextPage}
          onClick={() => {
            focusIndex.current = items.length;
            void versions.fetchNextPage();
          }}
        >
          {versions.isFetchingNextPage ? t.loading : t.loadMore}
        </button>
      )}
      {shown && (
        <Dialog
          title={t.versionPreviewTitle(nameOf(shown))}
          closeLabel={t.close}
          size="wide"
          onClose={() => setShown(undefined)}
        >
          <VersionContent documentId={props.page.id} versionId={shown.id} />
        </Dialog>
      )}
    </Dialog>
  );
}

function NameVersionForm(props: { documentId: string; onCreated: (message: string) => void }) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const create = useMutation({
    mutationFn: (versionName: string) => createVersion(props.documentId, versionName),
    onSuccess: async (version) => {
      setName('');
      props.onCreated(t.versionCreated(version.name ?? name));
      await queryClient.invalidateQueries({ queryKey: docsKeys.versions(props.documentId) });
    },
  });
  return (
    <form
      className="fr-mb-3w"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!name.trim()) {
          setError(t.versionNameRequired);
          inputRef.current?.focus();
          return;
        }
        setError('');
        create.mutate(name.trim());
      }}
    >
      <h3 className="fr-h6 fr-mb-1w">{t.nameVersion}</h3>
      <Input
        label={t.versionNameLabel}
        hintText={t.versionNameHint}
        state={error ? 'error' : 'default'}
        stateRelatedMessage={error}
        nativeInputProps={{
          ref: inputRef,
          value: name,
          required: true,
          maxLength: docsLimits.versionNameMaxLength,
          onChange: (event) => setName(event.currentTarget.value),
        }}
      />
      {create.isError && <ErrorNotice error={create.error} />}
      <button type="submit" className="fr-btn fr-btn--secondary" disabled={create.isPending}>
        {t.nameVersion}
      </button>
    </form>
  );
}

function VersionItem(props: {
  documentId: string;
  version: DocsVersion;
  name: string;
  canEdit: boolean;
  onShow: () => void;
  onRestored: (message: string) => void;
}) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const { version, name } = props;
  const date = formatDateTime(locale, version.createdAt);
  const restore = useMutation({
    mutationFn: () => restoreVersion(props.documentId, version.id),
    onSuccess: async () => {
      props.onRestored(t.versionRestored(name));
      // The page's content comes back through the collaboration connection; the list gains a version.
      await queryClient.invalidateQueries({ queryKey: docsKeys.versions(props.documentId) });
    },
  });
  return (
    <li>
      <p className="fr-mb-0">
        <strong>{name}</strong>
      </p>
      <p className="bureau-meta">
        {version.name ? `${t.versionKinds[version.kind]} · ` : ''}
        {version.createdBy ? t.versionBy(date, version.createdBy.displayName) : date}
      </p>
      <div className="bureau-actions fr-mt-1w">
        <button
          type="button"
          className="fr-btn fr-btn--sm fr-btn--secondary fr-icon-eye-line fr-btn--icon-left"
          title={t.viewOf(name)}
          aria-label={t.viewOf(name)}
          onClick={props.onShow}
        >
          {t.view}
        </button>
        {props.canEdit && (
          <ConfirmAction
            label={t.restoreVersion}
            title={t.restoreVersionOf(name)}
            question={t.confirmRestoreVersion(name)}
            confirmLabel={t.restoreVersion}
            disabled={restore.isPending}
            onConfirm={() => restore.mutate()}
          />
        )}
      </div>
      {restore.isError && <ErrorNotice error={restore.error} />}
    </li>
  );
}

function VersionContent(props: { documentId: string; versionId: string }) {
  const t = useMessages(docsMessages);
  const content = useVersionContent(props.documentId, props.versionId);
  if (content.isPending) return <p className="bureau-loading">{t.loading}</p>;
  if (content.isError) return <ErrorNotice error={content.error} onRetry={() => void content.refetch()} />;
  return (
    <EditorBoundary>
      <Suspense fallback={<p className="bureau-loading">{t.editorLoading}</p>}>
        <VersionPreview blocks={content.data.blocks} />
      </Suspense>
    </EditorBoundary>
  );
}
