import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { appendMarkdown, searchDocuments, useDocumentList, useSpaces } from '../docs/docs.api.ts';
import { assistantMessages } from './assistant.messages.ts';

interface PageChoice {
  id: string;
  title: string;
  /** Where it is (the space of a recent page), to tell apart pages of the same title. */
  place?: string;
}

/**
 * « Insérer dans un document »: the person finds a page (the unified search, or their recent pages) and the
 * answer with its sources is added at its end, as Markdown turned into blocks by the server, live for
 * those editing it. The person must be allowed to edit the page; the server says so otherwise.
 */
export function InsertInDocument({ markdown }: { markdown: string }) {
  const t = useMessages(assistantMessages);
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [term, setTerm] = useState('');
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<PageChoice | undefined>();
  const [hasNoChoice, setNoChoice] = useState(false);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => setQuery(term.trim()), 250);
    return () => clearTimeout(timer);
  }, [term]);

  const recent = useDocumentList('recent');
  const spaces = useSpaces();
  const spaceNames = new Map((spaces.data ?? []).map((space) => [space.id, space.name]));
  const results = useQuery({
    queryKey: ['docs', 'insert-search', query],
    queryFn: ({ signal }) => searchDocuments(query, signal),
    enabled: query.length >= 1,
  });
  const insert = useMutation({
    mutationFn: (page: PageChoice) => appendMarkdown(page.id, markdown),
  });

  const pages: PageChoice[] =
    query.length >= 1
      ? (results.data ?? []).map((hit) => ({ id: hit.id, title: hit.title || t.untitled }))
      : (recent.data?.pages[0]?.items ?? [])
          .filter((page) => page.trashedAt === null)
          .slice(0, 10)
          .map((page) => ({ id: page.id, title: page.title || t.untitled, place: spaceNames.get(page.spaceId) }));
  const status =
    query.length === 0
      ? ''
      : results.isFetching
        ? t.searching
        : pages.length === 0
          ? t.noPagesFound
          : t.pagesFound(pages.length);

  if (insert.isSuccess && insert.variables) {
    const page = insert.variables;
    return (
      <div role="status">
        <p>{t.inserted(page.title)}</p>
        <Link className="fr-link" to={`/documents/${encodeURIComponent(page.id)}`}>
          {t.openDocument(page.title)}
        </Link>
      </div>
    );
  }

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setNoChoice(!chosen);
        if (chosen) insert.mutate(chosen);
      }}
    >
      <p className="fr-text--sm">{t.insertIntro}</p>
      <div className="fr-input-group" role="search">
        <label className="fr-label" htmlFor={`${id}-query`}>
          {t.insertSearchLabel}
          <span className="fr-hint-text">{t.insertSearchHint}</span>
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
      {results.isError && <ErrorNotice error={results.error} />}
      {recent.isError && query.length === 0 && <ErrorNotice error={recent.error} />}
      {query.length === 0 && recent.isSuccess && pages.length === 0 && <p className="fr-text--sm">{t.noRecentPages}</p>}
      {pages.length > 0 && (
        <fieldset className="fr-fieldset bureau-albert-rooms">
          <legend className="fr-fieldset__legend fr-text--regular">
            {query.length === 0 ? t.recentPages : t.documentChoice}
          </legend>
          {pages.map((page) => (
            <div className="fr-fieldset__element" key={page.id}>
              <div className="fr-radio-group fr-radio-group--sm">
                <input
                  type="radio"
                  id={`${id}-${page.id}`}
                  name={`${id}-page`}
                  checked={chosen?.id === page.id}
                  onChange={() => {
                    setChosen(page);
                    setNoChoice(false);
                  }}
                />
                <label className="fr-label" htmlFor={`${id}-${page.id}`}>
                  {page.title}
                  {page.place && <span className="fr-hint-text">{page.place}</span>}
                </label>
              </div>
            </div>
          ))}
        </fieldset>
      )}
      <p className="fr-text--sm fr-mb-1v">
        <strong>{t.insertPreview}</strong>
      </p>
      <pre className="bureau-albert-preview" tabIndex={0} aria-label={t.insertPreview}>
        {markdown}
      </pre>
      {hasNoChoice && (
        <p className="fr-message fr-message--error" role="alert">
          {t.chooseDocument}
        </p>
      )}
      {insert.isError && <ErrorNotice error={insert.error} />}
      <button type="submit" className="fr-btn" disabled={insert.isPending}>
        {t.insertSubmit}
      </button>
    </form>
  );
}
