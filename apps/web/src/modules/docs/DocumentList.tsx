import { useEffect, useRef, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ErrorNotice } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages } from '../../i18n.tsx';
import { useDocumentList, useSpaces, type DocsDocumentSummary, type DocumentListKind } from './docs.api.ts';
import { docsMessages } from './docs.messages.ts';

/**
 * A list of pages (recent ones, favourites, the trash), a page of results at a time: "Show more" loads
 * the next ones and moves the focus to the first of them. Each page shows its space; `actions` adds
 * buttons to each (restore, delete).
 */
export function DocumentList(props: {
  kind: DocumentListKind;
  label: string;
  empty: string;
  /** The line under a title; by default when the page was last modified. */
  meta?: (document: DocsDocumentSummary) => string;
  actions?: (document: DocsDocumentSummary) => ReactNode;
}) {
  const t = useMessages(docsMessages);
  const { locale } = useLocale();
  const list = useDocumentList(props.kind);
  const spaces = useSpaces();
  const listRef = useRef<HTMLUListElement>(null);
  const focusIndex = useRef<number | undefined>(undefined);
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const spaceNames = new Map((spaces.data ?? []).map((space) => [space.id, space.name]));

  useEffect(() => {
    const index = focusIndex.current;
    if (index === undefined || list.isFetchingNextPage) return;
    focusIndex.current = undefined;
    listRef.current?.children[index]?.querySelector<HTMLElement>('a, button')?.focus();
  }, [items.length, list.isFetchingNextPage]);

  if (list.isPending) return <p className="bureau-loading">{t.loading}</p>;
  if (list.isError) return <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />;
  if (items.length === 0) return <p>{props.empty}</p>;
  return (
    <>
      <ul ref={listRef} className="bureau-list" aria-label={props.label}>
        {items.map((document) => {
          const spaceName = spaceNames.get(document.spaceId);
          return (
            <li key={document.id} className="bureau-docs-list__item">
              <div>
                {document.trashedAt ? (
                  <span className="bureau-docs-list__title fr-text--bold">{document.title || t.untitled}</span>
                ) : (
                  <Link className="bureau-docs-list__title" to={`/documents/${encodeURIComponent(document.id)}`}>
                    {document.title || t.untitled}
                  </Link>
                )}
                <p className="bureau-meta">
                  {props.meta ? props.meta(document) : t.updatedAt(formatDateTime(locale, document.updatedAt))}
                  {spaceName && <> · {t.inSpace(spaceName)}</>}
                </p>
              </div>
              {props.actions && <div className="bureau-actions">{props.actions(document)}</div>}
            </li>
          );
        })}
      </ul>
      {list.hasNextPage && (
        <button
          type="button"
          className="fr-btn fr-btn--sm fr-btn--secondary fr-mt-2w"
          disabled={list.isFetchingNextPage}
          onClick={() => {
            focusIndex.current = items.length;
            void list.fetchNextPage();
          }}
        >
          {list.isFetchingNextPage ? t.loading : t.loadMore}
        </button>
      )}
    </>
  );
}
