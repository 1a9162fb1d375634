import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import { ConfirmAction } from '../../app/ConfirmAction.tsx';
import { usePageTitle } from '../../app/page.ts';
import { ErrorNotice } from '../../app/states.tsx';
import { formatDate, formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import {
  deleteDocumentPermanently,
  docsTrashRetentionDays,
  refreshAfterChange,
  restoreDocument,
  type DocsDocument,
  type DocsDocumentSummary,
} from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';
import { DocsNav } from './DocsNav.tsx';
import { DocumentList } from './DocumentList.tsx';

/**
 * The trash (`/documents/corbeille`): the pages the person sent there (with their sub-pages), each to
 * restore, or to delete permanently after a confirmation; the server deletes them itself after
 * `docsTrashRetentionDays`, and each says when.
 */
export function TrashPage() {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const [status, setStatus] = useState<{ text: string; restored?: DocsDocument }>({ text: '' });
  const statusRef = useRef<HTMLParagraphElement>(null);
  usePageTitle(t.trashTitle);

  // The page acted on leaves the list: the focus goes to what happened to it.
  function said(outcome: { text: string; restored?: DocsDocument }): void {
    setStatus(outcome);
    statusRef.current?.focus();
  }

  return (
    <div className="fr-container fr-mt-3w fr-mb-8w bureau-docs">
      <DocsNav />
      <h1>{t.trashTitle}</h1>
      <p className="fr-text--lead">{t.trashIntro(docsTrashRetentionDays)}</p>
      <p ref={statusRef} tabIndex={-1} role="status" className="bureau-docs-status">
        {status.text}
        {status.restored && (
          <>
            {' '}
            <Link to={`/documents/${encodeURIComponent(status.restored.id)}`}>
              {status.restored.title || t.untitled}
            </Link>
          </>
        )}
      </p>
      <DocumentList
        kind="trash"
        label={t.trashTitle}
        empty={t.emptyTrash}
        meta={(document) => {
          const trashedAt = document.trashedAt ?? document.updatedAt;
          const purgeAt = new Date(new Date(trashedAt).getTime() + docsTrashRetentionDays * 86_400_000).toISOString();
          return t.trashedOn(formatDateTime(locale, trashedAt), formatDate(locale, purgeAt));
        }}
        actions={(document) => <TrashActions document={document} onDone={said} />}
      />
    </div>
  );
}

function TrashActions(props: {
  document: DocsDocumentSummary;
  onDone: (status: { text: string; restored?: DocsDocument }) => void;
}) {
  const t = useMessages(docsMessages);
  const queryClient = useQueryClient();
  const title = props.document.title || t.untitled;
  const restore = useMutation({
    mutationFn: () => restoreDocument(props.document.id),
    onSuccess: async (restored) => {
      props.onDone({ text: t.restored(title), restored });
      await refreshAfterChange(queryClient, props.document.id);
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteDocumentPermanently(props.document.id),
    onSuccess: async () => {
      props.onDone({ text: t.deleted(title) });
      await refreshAfterChange(queryClient, props.document.id);
    },
  });
  return (
    <>
      <button
        type="button"
        className="fr-btn fr-btn--sm fr-btn--secondary fr-icon-arrow-go-back-line fr-btn--icon-left"
        title={t.restoreOf(title)}
        aria-label={t.restoreOf(title)}
        disabled={restore.isPending || remove.isPending}
        onClick={() => restore.mutate()}
      >
        {t.restore}
      </button>
      <ConfirmAction
        label={t.deletePermanently}
        title={t.deletePermanentlyOf(title)}
        question={t.confirmDeletePermanently(title)}
        confirmLabel={t.deletePermanently}
        disabled={restore.isPending || remove.isPending}
        onConfirm={() => remove.mutate()}
      />
      {restore.isError && <ErrorNotice error={restore.error} />}
      {remove.isError && <ErrorNotice error={remove.error} />}
    </>
  );
}
