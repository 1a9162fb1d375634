import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { lazy, Suspense, useCallback, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { usePageTitle } from '../../app/page.ts';
import { SensitivityBadge } from '../../app/SensitivityBadge.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { CollaborationStatus } from './CollaborationStatus.tsx';
import type { ConnectionState } from './collab-state.ts';
import { usePublicDocument, type DocsDocument } from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';
import { EditorBoundary } from './EditorBoundary.tsx';

const PublicEditor = lazy(() =>
  import('./editor/PublicEditor.tsx').then((module) => ({ default: module.PublicEditor })),
);

/** The sign-in page, which brings the visitor back to this page (then opened with their own rights). */
function useSignInPath(): string {
  const location = useLocation();
  return `/connexion?retour=${encodeURIComponent(`${location.pathname}${location.search}`)}`;
}

/**
 * A page (`/documents/:id`) for a visitor who is not signed in: read only and live when it has a public
 * link (« Toute personne ayant le lien »), with its title and label and a way to sign in; otherwise a
 * page that says it is not public, with a way to sign in.
 */
export function PublicDocumentPage() {
  const t = useMessages(docsMessages);
  const { id = '' } = useParams();
  const document = usePublicDocument(id);
  const signInPath = useSignInPath();
  // The server answers 404 without a public link; a page in the trash is not shown to visitors either.
  const isMissing =
    (document.error instanceof ApiError && [400, 401, 403, 404].includes(document.error.status)) ||
    (document.data !== undefined && document.data.trashedAt !== null);
  const shown = isMissing ? undefined : document.data;
  usePageTitle(
    shown
      ? `${shown.title || t.untitled} – ${t.title}`
      : isMissing
        ? t.publicNotFound
        : document.isPending
          ? undefined
          : t.title,
  );

  return (
    <div className="fr-container fr-mt-2w fr-mb-8w bureau-docs">
      {document.isPending && <p className="bureau-loading fr-mt-4w">{t.loading}</p>}
      {isMissing && (
        <div className="fr-mt-4w">
          <h1>{t.publicNotFound}</h1>
          <p>{t.publicNotFoundHint}</p>
          <Link className="fr-btn" to={signInPath}>
            {t.signIn}
          </Link>
        </div>
      )}
      {document.isError && !isMissing && <ErrorNotice error={document.error} onRetry={() => void document.refetch()} />}
      {shown && <PublicDocument key={shown.id} document={shown} signInPath={signInPath} />}
    </div>
  );
}

function PublicDocument({ document, signInPath }: { document: DocsDocument; signInPath: string }) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const onConnectionChange = useCallback((state: ConnectionState) => setConnection(state), []);
  return (
    <div className="bureau-docs__main">
      <div className="fr-alert fr-alert--info fr-alert--sm fr-mb-3w">
        <p>
          {t.publicNotice} <Link to={signInPath}>{t.signIn}</Link>
        </p>
      </div>
      <h1 className="bureau-docs-title fr-mb-1w">{document.title || t.untitled}</h1>
      <ul className="fr-badges-group fr-mb-1w">
        <li>
          <SensitivityBadge level={document.label} />
        </li>
        <li>
          <Badge small noIcon as="span">
            {t.readOnly}
          </Badge>
        </li>
      </ul>
      {/* The date only, as on a published page: who last changed it is for the people it is shared with. */}
      <p className="bureau-meta">{t.updatedAt(formatDateTime(locale, document.updatedAt))}</p>
      <CollaborationStatus connection={connection} canEdit={false} />
      <EditorBoundary>
        <Suspense fallback={<p className="bureau-loading">{t.editorLoading}</p>}>
          <PublicEditor documentId={document.id} onConnectionChange={onConnectionChange} />
        </Suspense>
      </EditorBoundary>
    </div>
  );
}
