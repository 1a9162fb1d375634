import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { usePageTitle } from '../../app/page.ts';
import { ScrollTable } from '../../app/ScrollTable.tsx';
import { ErrorNotice } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { AlbertNav } from './AlbertNav.tsx';
import { useCollectionDocuments, useCollections, type CollectionDocument } from './assistant.api.ts';
import { CollectionBadges, ImportStatus } from './CollectionsPage.tsx';
import { collectionsMessages } from './collections.messages.ts';
import { Dialog } from './Dialog.tsx';
import { SharingPanel } from './SharingPanel.tsx';
import { failureText, formatSize, UploadPanel } from './UploadPanel.tsx';

const statusSeverity = { ready: 'success', pending: 'info', failed: 'error' } as const;

/**
 * A collection (`/albert/collections/:id`): what it is, its documents with their state (and why a file
 * failed), the upload form for those who may add to it, and its sharing for those who may share it.
 */
export function CollectionPage() {
  const t = useMessages(collectionsMessages);
  const { id = '' } = useParams();
  const collections = useCollections();
  const collection = collections.data?.find((item) => item.id === id || item.slug === id);
  usePageTitle(collection?.name ?? (collections.isPending ? undefined : t.notFound));
  const [isSharing, setSharing] = useState(false);
  // Shares are offered on the collections one may edit (the server answers 403 to those who may not share).
  const mayShare = collection !== undefined && collection.canShare && collection.scope !== 'public';

  return (
    <div className="fr-container fr-mt-3w fr-mb-8w bureau-albert">
      <AlbertNav />
      <p className="fr-mb-1w">
        <Link to="/albert/collections" className="fr-link fr-icon-arrow-left-line fr-link--icon-left">
          {t.back}
        </Link>
      </p>
      {collections.isPending && <p className="bureau-loading">{t.loading}</p>}
      {collections.isError && <ErrorNotice error={collections.error} onRetry={() => void collections.refetch()} />}
      {collections.isSuccess && !collection && (
        <>
          <h1>{t.notFound}</h1>
        </>
      )}
      {collection && (
        <>
          <h1 className="fr-mb-1w">{collection.name}</h1>
          <CollectionBadges collection={collection} />
          {collection.description && <p>{collection.description}</p>}
          <ImportStatus collection={collection} />
          {mayShare && (
            <button
              type="button"
              className="fr-btn fr-btn--secondary fr-icon-team-line fr-btn--icon-left fr-my-2w"
              onClick={() => setSharing(true)}
            >
              {t.manageSharing}
            </button>
          )}
          {collection.canEdit ? (
            <UploadPanel collectionId={collection.id} />
          ) : (
            <p className="fr-text--sm fr-mt-2w">{t.readOnlyNotice}</p>
          )}
          <DocumentsSection collectionId={collection.id} />
          {isSharing && (
            <Dialog title={t.sharingTitle(collection.name)} closeLabel={t.close} onClose={() => setSharing(false)}>
              <SharingPanel collectionId={collection.id} />
            </Dialog>
          )}
        </>
      )}
    </div>
  );
}

function DocumentsSection({ collectionId }: { collectionId: string }) {
  const t = useMessages(collectionsMessages);
  const { locale } = useLocale();
  const documents = useCollectionDocuments(collectionId);
  const items = documents.data ?? [];
  return (
    <section aria-labelledby="albert-documents-title">
      <h2 id="albert-documents-title" className="fr-h4">
        {t.documentsTitle}
      </h2>
      {documents.isPending && <p className="bureau-loading">{t.loading}</p>}
      {documents.isError && <ErrorNotice error={documents.error} onRetry={() => void documents.refetch()} />}
      {documents.isSuccess && items.length === 0 && <p>{t.noDocuments}</p>}
      {items.length > 0 && (
        <ScrollTable
          caption={t.documentsCaption}
          noCaption
          headers={[t.documentColumn, t.statusColumn, t.sizeColumn, t.updatedColumn]}
          data={items.map((document) => [
            <DocumentName key="name" document={document} />,
            <DocumentStatus key="status" document={document} />,
            document.sizeBytes === null ? '—' : formatSize(locale, document.sizeBytes),
            formatDateTime(locale, document.updatedAt),
          ])}
        />
      )}
    </section>
  );
}

function DocumentName({ document }: { document: CollectionDocument }) {
  return (
    <>
      <strong>{document.title}</strong>
      {document.fileName && document.fileName !== document.title && <p className="bureau-meta">{document.fileName}</p>}
    </>
  );
}

function DocumentStatus({ document }: { document: CollectionDocument }) {
  const t = useMessages(collectionsMessages);
  return (
    <>
      <Badge small severity={statusSeverity[document.status]} as="span">
        {t.statusNames[document.status]}
      </Badge>
      {document.status === 'failed' && <p className="bureau-meta fr-mt-1v">{failureText(t, document.errorCode)}</p>}
    </>
  );
}
