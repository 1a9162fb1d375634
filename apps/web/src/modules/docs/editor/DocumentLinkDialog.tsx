import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { ErrorNotice } from '../../../app/states.tsx';
import { useMessages } from '../../../i18n.tsx';
import { Dialog } from '../Dialog.tsx';
import { searchDocuments } from '../docs.api.ts';
import { docsMessages } from '../docs.messages.ts';

/**
 * « Lien vers un document » of the slash menu: finds pages the person may read (the unified search, its
 * documents only) and hands the one chosen back, to be inserted as a link to `/documents/<id>`.
 */
export function DocumentLinkDialog(props: {
  excludeId?: string;
  onChoose: (page: { id: string; title: string }) => void;
  onClose: () => void;
}) {
  const t = useMessages(docsMessages);
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [term, setTerm] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQuery(term.trim()), 250);
    return () => clearTimeout(timer);
  }, [term]);
  const results = useQuery({
    queryKey: ['docs', 'link-search', query],
    queryFn: ({ signal }) => searchDocuments(query, signal),
    enabled: query.length >= 1,
  });
  const found = (results.data ?? []).filter((hit) => hit.id !== props.excludeId);
  const status =
    query.length === 0
      ? ''
      : results.isFetching
        ? t.searching
        : found.length === 0
          ? t.linkNoResult
          : t.linkResults(found.length);

  return (
    <Dialog title={t.linkDialogTitle} closeLabel={t.close} onClose={props.onClose} initialFocus={inputRef}>
      <form role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="fr-input-group">
          <label className="fr-label" htmlFor={`${id}-query`}>
            {t.linkSearchLabel}
            <span className="fr-hint-text">{t.linkSearchHint}</span>
          </label>
          <input
            ref={inputRef}
            id={`${id}-query`}
            className="fr-input"
            type="search"
            autoComplete="off"
            value={term}
            aria-describedby={`${id}-status`}
            onChange={(event) => setTerm(event.target.value)}
          />
          <p id={`${id}-status`} role="status" className="fr-hint-text fr-mt-1v">
            {status}
          </p>
        </div>
      </form>
      {results.isError && <ErrorNotice error={results.error} />}
      {found.length > 0 && (
        <ul className="bureau-docs-choices">
          {found.map((hit) => (
            <li key={hit.id}>
              <button
                type="button"
                className="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-file-text-line fr-btn--icon-left"
                onClick={() => props.onChoose({ id: hit.id, title: hit.title || t.untitled })}
              >
                {hit.title || t.untitled}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
