import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { SearchResponse, SearchResult } from '../../api/types.ts';
import { ErrorNotice, PageFrame } from '../../app/states.tsx';
import { formatDateTime, useLocale, useMessages, type Dictionary } from '../../i18n.tsx';
import { searchTypeName } from '../../app/search-types.ts';
import { SensitivityBadge } from '../../app/SensitivityBadge.tsx';

interface SearchMessages {
  title: string;
  label: string;
  submit: string;
  allTypes: string;
  typesFilter: string;
  typeName: (type: string) => string;
  /** A count of results; `isLowerBound`: there may be more (the server stopped counting), "1 000+". */
  count: (count: number, isLowerBound: boolean) => string;
  results: (count: number, query: string, isLowerBound: boolean) => string;
  noResults: (query: string) => string;
  enterWords: string;
  more: string;
  searching: string;
  updatedAt: (date: string) => string;
}

const searchMessages: Dictionary<SearchMessages> = {
  fr: {
    title: 'Recherche',
    label: 'Rechercher dans Bureau',
    submit: 'Rechercher',
    allTypes: 'Tout',
    typesFilter: 'Filtrer par type',
    typeName: (type) => searchTypeName(type, 'fr'),
    count: (count, isLowerBound) => `${count.toLocaleString('fr-FR')}${isLowerBound ? '+' : ''}`,
    results: (count, query, isLowerBound) =>
      `${count.toLocaleString('fr-FR')}${isLowerBound ? '+' : ''} résultat${count > 1 ? 's' : ''} pour « ${query} »`,
    noResults: (query) => `Aucun résultat pour « ${query} ». Essayez d’autres mots.`,
    enterWords: 'Saisissez des mots : Bureau cherche dans tout ce que vous avez le droit de lire.',
    more: 'Afficher plus de résultats',
    searching: 'Recherche en cours…',
    updatedAt: (date) => `Modifié le ${date}`,
  },
  en: {
    title: 'Search',
    label: 'Search Bureau',
    submit: 'Search',
    allTypes: 'All',
    typesFilter: 'Filter by type',
    typeName: (type) => searchTypeName(type, 'en'),
    count: (count, isLowerBound) => `${count.toLocaleString('en-GB')}${isLowerBound ? '+' : ''}`,
    results: (count, query, isLowerBound) =>
      `${count.toLocaleString('en-GB')}${isLowerBound ? '+' : ''} result${count > 1 ? 's' : ''} for “${query}”`,
    noResults: (query) => `No results for “${query}”. Try other words.`,
    enterWords: 'Type some words: Bureau searches everything you may read.',
    more: 'Show more results',
    searching: 'Searching…',
    updatedAt: (date) => `Modified on ${date}`,
  },
};

/** Unified search over every module, with facets by type; only what the person may read. */
export function SearchPage() {
  const t = useMessages(searchMessages);
  const [searchParams, setSearchParams] = useSearchParams();
  const query = (searchParams.get('q') ?? '').trim();
  const type = searchParams.get('type') ?? '';
  const search = useInfiniteQuery({
    queryKey: ['search', query, type],
    queryFn: ({ pageParam }) =>
      api<SearchResponse>('/api/search', { query: { q: query, type, limit: 20, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: query !== '',
    retry: false,
  });
  const items = search.data?.pages.flatMap((page) => page.items) ?? [];
  const facets = search.data?.pages[0]?.facets ?? [];
  const total = facets.reduce((sum, facet) => sum + facet.count, 0);
  const isTotalLowerBound = facets.some((facet) => facet.isLowerBound === true);

  function setFilter(next: { q?: string; type?: string }): void {
    const parameters = new URLSearchParams();
    const q = next.q ?? query;
    const nextType = next.type ?? type;
    if (q) parameters.set('q', q);
    if (nextType) parameters.set('type', nextType);
    setSearchParams(parameters);
  }

  return (
    <PageFrame title={query ? `${t.title} : ${query}` : t.title}>
      <form
        role="search"
        className="fr-search-bar fr-search-bar--lg fr-mb-4w"
        onSubmit={(event) => {
          event.preventDefault();
          const value = new FormData(event.currentTarget).get('q');
          setFilter({ q: typeof value === 'string' ? value.trim() : '', type: '' });
        }}
      >
        <label className="fr-label" htmlFor="search-page-input">
          {t.label}
        </label>
        <input
          className="fr-input"
          id="search-page-input"
          name="q"
          type="search"
          defaultValue={query}
          key={query}
          placeholder={t.label}
        />
        <button className="fr-btn" type="submit" title={t.submit}>
          {t.submit}
        </button>
      </form>
      {query === '' && <p>{t.enterWords}</p>}
      {search.isFetching && !search.isFetchingNextPage && (
        <p role="status" className="bureau-loading">
          {t.searching}
        </p>
      )}
      {search.isError && <ErrorNotice error={search.error} onRetry={() => void search.refetch()} />}
      {search.isSuccess && (
        <>
          {facets.length > 1 && (
            <nav aria-label={t.typesFilter} className="fr-mb-3w">
              <ul className="fr-tags-group">
                <li>
                  <button
                    type="button"
                    className="fr-tag"
                    aria-pressed={type === ''}
                    onClick={() => setFilter({ type: '' })}
                  >
                    {t.allTypes} ({t.count(total, isTotalLowerBound)})
                  </button>
                </li>
                {facets.map((facet) => (
                  <li key={facet.type}>
                    <button
                      type="button"
                      className="fr-tag"
                      aria-pressed={type === facet.type}
                      onClick={() => setFilter({ type: facet.type })}
                    >
                      {t.typeName(facet.type)} ({t.count(facet.count, facet.isLowerBound === true)})
                    </button>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          <h2 className="fr-h5" role="status">
            {items.length === 0
              ? t.noResults(query)
              : type
                ? t.results(items.length, query, false)
                : t.results(total || items.length, query, isTotalLowerBound)}
          </h2>
          <ul className="bureau-list" aria-label={t.title}>
            {items.map((item) => (
              <SearchResultItem key={`${item.type}:${item.id}`} item={item} />
            ))}
          </ul>
          {search.hasNextPage && (
            <Button
              priority="secondary"
              className="fr-mt-3w"
              onClick={() => void search.fetchNextPage()}
              disabled={search.isFetchingNextPage}
            >
              {t.more}
            </Button>
          )}
        </>
      )}
    </PageFrame>
  );
}

function SearchResultItem({ item }: { item: SearchResult }) {
  const t = useMessages(searchMessages);
  const { locale } = useLocale();
  const isInternal = item.url.startsWith('/') && !item.url.startsWith('//');
  return (
    <li>
      <h3 className="fr-h6 fr-mb-1w">
        {isInternal ? <Link to={item.url}>{item.title}</Link> : <a href={item.url}>{item.title}</a>}
      </h3>
      {item.snippet.length > 0 && (
        <p className="bureau-snippet fr-mb-1w">
          {item.snippet.map((part, index) => (part.match ? <mark key={index}>{part.text}</mark> : part.text))}
        </p>
      )}
      <p className="bureau-meta bureau-actions">
        <Badge small noIcon>
          {t.typeName(item.type)}
        </Badge>
        {item.label && <SensitivityBadge level={item.label} />}
        <span>{t.updatedAt(formatDateTime(locale, item.updatedAt))}</span>
      </p>
    </li>
  );
}
