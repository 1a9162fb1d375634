import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { usePageTitle } from '../../app/page.ts';
import { SensitivityBadge } from '../../app/SensitivityBadge.tsx';
import { ErrorNotice, useSignedInUser } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { ActionsMenu, type MenuAction } from './ActionsMenu.tsx';
import { CollaborationStatus } from './CollaborationStatus.tsx';
import type { ConnectionState, Presence } from './collab-state.ts';
import {
  docsKeys,
  docsLimits,
  refreshAfterChange,
  renameDocument,
  restoreDocument,
  setFavourite,
  useDocument,
  useSpaces,
  type DocsDocument,
} from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';
import { EditorBoundary } from './EditorBoundary.tsx';
import { DuplicateDialog, MoveDialog, TrashDialog, type PageRef } from './PageDialogs.tsx';
import { ShareDialog } from './ShareDialog.tsx';
import { SpaceTree } from './SpaceTree.tsx';
import { TemplateDialog } from './TemplateDialogs.tsx';
import { ExportDialog, ImportDialog } from './TransferDialogs.tsx';
import { colourOfUser } from './user-colour.ts';
import { VersionsDialog } from './VersionsDialog.tsx';

const CollaborativeEditor = lazy(() =>
  import('./editor/CollaborativeEditor.tsx').then((module) => ({ default: module.CollaborativeEditor })),
);

/**
 * A page (`/documents/:id`): its space's tree beside it, the breadcrumb (space › pages above › this one),
 * its title (changed in place), its label, favourite, sharing and actions, who else is there and how the
 * connection goes, and the collaborative editor.
 */
export function DocumentPage() {
  const t = useMessages(docsMessages);
  const { id = '' } = useParams();
  const document = useDocument(id);
  const isMissing = document.error instanceof ApiError && [400, 403, 404].includes(document.error.status);
  usePageTitle(
    document.data ? `${document.data.title || t.untitled} – ${t.title}` : document.isPending ? undefined : t.notFound,
  );

  return (
    <div className="fr-container fr-mt-2w fr-mb-8w bureau-docs">
      {document.isPending && <p className="bureau-loading fr-mt-4w">{t.loading}</p>}
      {isMissing && <h1 className="fr-mt-4w">{t.notFound}</h1>}
      {document.isError && !isMissing && <ErrorNotice error={document.error} onRetry={() => void document.refetch()} />}
      {document.data && (
        <div className="bureau-docs__layout">
          <DocumentTree key={document.data.spaceId} document={document.data} />
          <DocumentMain key={document.data.id} document={document.data} />
        </div>
      )}
    </div>
  );
}

/**
 * The space's tree, or, for someone given this page but not its space (it is not among their spaces),
 * the tree under this page.
 */
function DocumentTree({ document }: { document: DocsDocument }) {
  const t = useMessages(docsMessages);
  const spaces = useSpaces();
  const space = spaces.data?.find((item) => item.id === document.spaceId);
  const name = space?.name ?? document.space.name;
  return (
    <aside className="bureau-docs__aside">
      <h2 className="fr-h6 fr-mb-1w">{name}</h2>
      {spaces.isPending && <p className="bureau-loading fr-text--sm">{t.loading}</p>}
      {spaces.isError && <ErrorNotice error={spaces.error} onRetry={() => void spaces.refetch()} />}
      {spaces.isSuccess && (
        <SpaceTree
          spaceId={document.spaceId}
          label={t.treeLabel(name)}
          canEdit={space ? space.abilities.edit : document.abilities.edit}
          currentId={document.id}
          ancestorIds={document.ancestors.map((ancestor) => ancestor.id)}
          root={space ? undefined : document}
        />
      )}
    </aside>
  );
}

type DialogKind = 'share' | 'export' | 'import' | 'duplicate' | 'move' | 'versions' | 'trash' | 'template';

function DocumentMain({ document }: { document: DocsDocument }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // A notification's link (`?discussion=<thread>`) opens the page with that discussion shown.
  const [searchParams] = useSearchParams();
  const discussionId = searchParams.get('discussion') ?? undefined;
  const [dialog, setDialog] = useState<DialogKind | undefined>();
  const [status, setStatus] = useState('');
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [people, setPeople] = useState<Presence[]>([]);
  const title = document.title || t.untitled;
  const isTrashed = document.trashedAt !== null;
  const canEdit = document.abilities.edit && !isTrashed;
  const canComment = document.abilities.comment && !isTrashed;
  // Albert is for agents (app/modules.ts), and writes only where the person may edit.
  const canUseAlbert = canEdit && me.kind === 'agent';
  const page: PageRef = { id: document.id, title, spaceId: document.spaceId, parentId: document.parentId };
  const user = { id: me.id, name: me.displayName, colour: colourOfUser(me.id) };

  const restore = useMutation({
    mutationFn: () => restoreDocument(document.id),
    onSuccess: async (restored) => {
      queryClient.setQueryData(docsKeys.document(document.id), restored);
      setStatus(t.restored(title));
      await refreshAfterChange(queryClient, document.id);
    },
  });

  const actions: MenuAction[] = [
    { label: t.export, icon: 'fr-icon-download-line', onSelect: () => setDialog('export') },
    ...(canEdit
      ? [
          { label: t.import, icon: 'fr-icon-upload-line', onSelect: () => setDialog('import') },
          { label: t.duplicate, icon: 'fr-icon-file-copy-line', onSelect: () => setDialog('duplicate') },
          { label: t.move, icon: 'fr-icon-drag-move-2-line', onSelect: () => setDialog('move') },
        ]
      : []),
    { label: t.versions, icon: 'fr-icon-history-line', onSelect: () => setDialog('versions') },
    ...(document.abilities.share && !isTrashed
      ? [{ label: t.offerAsTemplate, icon: 'fr-icon-layout-grid-line', onSelect: () => setDialog('template') }]
      : []),
    ...(canEdit ? [{ label: t.toTrash, icon: 'fr-icon-delete-line', onSelect: () => setDialog('trash') }] : []),
  ];

  // Opening a page makes it a recent one: the home's list is fetched again when next shown.
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: docsKeys.list('recent'), refetchType: 'none' });
  }, [queryClient]);

  const close = () => setDialog(undefined);
  const onConnectionChange = useCallback((state: ConnectionState) => setConnection(state), []);
  const onPresenceChange = useCallback((present: Presence[]) => setPeople(present), []);

  return (
    <div className="bureau-docs__main">
      <Breadcrumb
        className="fr-mt-0 fr-mb-2w"
        homeLinkProps={{ to: '/' }}
        segments={[
          { label: t.breadcrumbDocuments, linkProps: { to: '/documents' } },
          {
            label: document.space.name,
            linkProps: { to: `/documents/espaces/${encodeURIComponent(document.space.id)}` },
          },
          ...document.ancestors.map((ancestor) => ({
            label: ancestor.title || t.untitled,
            linkProps: { to: `/documents/${encodeURIComponent(ancestor.id)}` },
          })),
        ]}
        currentPageLabel={title}
      />
      <div className="bureau-docs-header">
        <DocumentTitle document={document} canEdit={canEdit} />
        <div className="bureau-docs-header__tools">
          <FavouriteButton document={document} onChange={setStatus} />
          {document.abilities.share && (
            <button
              type="button"
              className="fr-btn fr-btn--sm fr-btn--secondary fr-icon-team-line fr-btn--icon-left"
              onClick={() => setDialog('share')}
            >
              {t.share}
            </button>
          )}
          <ActionsMenu label={t.documentActions} text={t.documentActions} actions={actions} />
        </div>
      </div>
      <ul className="fr-badges-group fr-mb-1w">
        <li>
          <SensitivityBadge level={document.label} />
        </li>
        {!canEdit && (
          <li>
            <Badge small noIcon as="span">
              {canComment ? t.commentOnly : t.readOnly}
            </Badge>
          </li>
        )}
        {document.templateScope && (
          <li>
            <Badge small noIcon as="span" severity="info">
              {t.templateBadges[document.templateScope]}
            </Badge>
          </li>
        )}
      </ul>
      <p className="bureau-meta">
        {document.updatedBy
          ? t.updatedBy(formatDateTime(locale, document.updatedAt), document.updatedBy.displayName)
          : t.updatedAt(formatDateTime(locale, document.updatedAt))}
      </p>
      {!isTrashed && <CollaborationStatus connection={connection} people={people} canEdit={canEdit} />}
      <p role="status" className="fr-text--sm bureau-docs-status">
        {status}
      </p>
      {isTrashed && (
        <div className="fr-alert fr-alert--info fr-alert--sm fr-mb-2w">
          <p>
            {t.trashedNotice}{' '}
            {document.abilities.edit && (
              <button type="button" className="fr-link" disabled={restore.isPending} onClick={() => restore.mutate()}>
                {t.restore}
              </button>
            )}
          </p>
        </div>
      )}
      {restore.isError && <ErrorNotice error={restore.error} />}
      <EditorBoundary>
        <Suspense fallback={<p className="bureau-loading">{t.editorLoading}</p>}>
          <CollaborativeEditor
            documentId={document.id}
            canEdit={canEdit}
            canComment={canComment}
            canUseAlbert={canUseAlbert}
            canMention={me.kind === 'agent'}
            label={document.label}
            discussionId={discussionId}
            user={user}
            csrfToken={me.csrfToken}
            onConnectionChange={onConnectionChange}
            onPresenceChange={onPresenceChange}
          />
        </Suspense>
      </EditorBoundary>

      {dialog === 'share' && (
        <ShareDialog target={{ type: 'document', id: document.id }} name={title} onClose={close} />
      )}
      {dialog === 'export' && <ExportDialog page={page} hasChildren={document.hasChildren} onClose={close} />}
      {dialog === 'import' && <ImportDialog spaceId={document.spaceId} parent={page} onClose={close} />}
      {dialog === 'versions' && <VersionsDialog page={page} canEdit={canEdit} onClose={close} />}
      {dialog === 'template' && (
        <TemplateDialog
          document={document}
          title={title}
          onClose={close}
          onDone={(message) => {
            close();
            setStatus(message);
          }}
        />
      )}
      {dialog === 'duplicate' && (
        <DuplicateDialog
          page={page}
          onClose={close}
          onDone={(copy) => {
            close();
            void navigate(`/documents/${encodeURIComponent(copy.id)}`);
          }}
        />
      )}
      {dialog === 'move' && (
        <MoveDialog
          page={page}
          ancestorIds={document.ancestors.map((ancestor) => ancestor.id)}
          onClose={close}
          onDone={() => {
            close();
            setStatus(t.moved(title));
          }}
        />
      )}
      {dialog === 'trash' && (
        <TrashDialog
          page={page}
          onClose={close}
          onDone={() => {
            close();
            void navigate(`/documents/espaces/${encodeURIComponent(document.spaceId)}`, { replace: true });
          }}
        />
      )}
    </div>
  );
}

/**
 * The page's title: for those who may edit it, a field that saves itself (a moment after typing stops,
 * on leaving it, on Enter, which then moves to the text); for the others, the heading.
 */
function DocumentTitle({ document, canEdit }: { document: DocsDocument; canEdit: boolean }) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(document.title);
  // What is typed and what the server has, in refs: the save on leaving runs after the field is gone.
  const typed = useRef(document.title);
  const saved = useRef(document.title);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inputRef = useRef<HTMLInputElement>(null);

  const rename = useMutation({
    mutationFn: (title: string) => renameDocument(document.id, title),
    onSuccess: async (renamed) => {
      queryClient.setQueryData<DocsDocument>(docsKeys.document(document.id), (old) =>
        old ? { ...old, title: renamed.title, updatedAt: renamed.updatedAt } : renamed,
      );
      await refreshAfterChange(queryClient);
    },
  });
  const { mutate } = rename;

  const save = useCallback(() => {
    clearTimeout(timer.current);
    const title = typed.current.trim();
    if (title === saved.current) return;
    saved.current = title;
    mutate(title);
  }, [mutate]);

  // Someone else renamed the page (fetched again): shown, unless the person is typing a title.
  useEffect(() => {
    if (globalThis.document.activeElement !== inputRef.current) {
      saved.current = document.title;
      typed.current = document.title;
      setDraft(document.title);
    }
  }, [document.title]);

  // Leaving the page while a title waits to be saved: saved now.
  useEffect(() => () => save(), [save]);

  if (!canEdit) return <h1 className="bureau-docs-title fr-mb-1w">{document.title || t.untitled}</h1>;
  return (
    <div className="bureau-docs-title-field">
      <h1 className="fr-sr-only">{draft.trim() || t.untitled}</h1>
      <label className="fr-sr-only" htmlFor="docs-title">
        {t.titleLabel}
      </label>
      <input
        ref={inputRef}
        id="docs-title"
        className="bureau-docs-title bureau-docs-title--editable"
        value={draft}
        placeholder={t.untitled}
        maxLength={docsLimits.titleMaxLength}
        autoComplete="off"
        onChange={(event) => {
          setDraft(event.target.value);
          typed.current = event.target.value;
          clearTimeout(timer.current);
          timer.current = setTimeout(save, 800);
        }}
        onBlur={save}
        onKeyDown={(event) => {
          if (event.key !== 'Enter') return;
          event.preventDefault();
          save();
          globalThis.document.querySelector<HTMLElement>('.bureau-docs-editor .bn-editor')?.focus();
        }}
      />
      {rename.isError && <ErrorNotice error={rename.error} />}
    </div>
  );
}

function FavouriteButton(props: { document: DocsDocument; onChange: (message: string) => void }) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const { document } = props;
  const toggle = useMutation({
    mutationFn: (isFavourite: boolean) => setFavourite(document.id, isFavourite),
    onSuccess: async (_nothing, isFavourite) => {
      queryClient.setQueryData<DocsDocument>(docsKeys.document(document.id), (old) =>
        old ? { ...old, isFavourite } : old,
      );
      props.onChange(isFavourite ? t.favouriteAdded : t.favouriteRemoved);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: docsKeys.list('favourites') }),
        queryClient.invalidateQueries({ queryKey: ['docs', 'tree'] }),
      ]);
    },
  });
  return (
    <>
      <button
        type="button"
        className={`fr-btn fr-btn--sm fr-btn--tertiary fr-btn--icon-left ${
          document.isFavourite ? 'fr-icon-star-fill' : 'fr-icon-star-line'
        }`}
        aria-pressed={document.isFavourite}
        title={t.favouriteHint(document.isFavourite)}
        disabled={toggle.isPending}
        onClick={() => toggle.mutate(!document.isFavourite)}
      >
        {t.favourite}
      </button>
      {toggle.isError && <ErrorNotice error={toggle.error} />}
    </>
  );
}
