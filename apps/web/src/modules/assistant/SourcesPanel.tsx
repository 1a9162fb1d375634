import { useEffect, useId, useRef } from 'react';
import { useLocale, useMessages, type Locale } from '../../i18n.tsx';
import type { Citation } from './assistant.api.ts';
import { assistantMessages } from './assistant.messages.ts';

function formatDate(locale: Locale, date: string): string {
  const parsed = new Date(date.length === 10 ? `${date}T12:00:00` : date);
  if (Number.isNaN(parsed.getTime())) return date;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(parsed);
}

/** The element id of a source in the panel. */
export function sourceElementId(messageId: string, number: number): string {
  return `albert-source-${messageId}-${number}`;
}

/**
 * The sources of the chosen answer, numbered as its markers: title (a link to the source, in a new
 * window), collection, date, where the passage sits, and the passage itself. A marker clicked in the answer
 * highlights its source here and moves the focus to it.
 */
export function SourcesPanel(props: {
  answer: { id: string; number: number; citations: readonly Citation[] } | undefined;
  /** The source whose marker was clicked last. */
  highlightNumber: number | undefined;
  /** Changes when the panel or a source should take the focus (a marker or "show the sources" clicked); 0: never. */
  focusRequest: number;
}) {
  const t = useMessages(assistantMessages);
  const { locale } = useLocale();
  const titleId = useId();
  const { answer, highlightNumber, focusRequest } = props;
  const panelRef = useRef<HTMLElement>(null);
  const answerId = answer?.id;

  // Only on a new request (a click), never on other renders.
  useEffect(() => {
    if (!answerId || focusRequest === 0) return;
    const element =
      highlightNumber === undefined
        ? panelRef.current
        : document.getElementById(sourceElementId(answerId, highlightNumber));
    element?.focus({ preventScroll: true });
    // The panel may be beside the thread (sticky) or below it (narrow screens).
    element?.scrollIntoView({ block: 'nearest' });
  }, [answerId, highlightNumber, focusRequest]);

  return (
    <section ref={panelRef} className="bureau-albert__sources" aria-labelledby={titleId} tabIndex={0}>
      <h2 id={titleId} className="fr-h6 fr-mb-2w">
        <span className="fr-icon-file-text-line fr-icon--sm" aria-hidden="true" />{' '}
        {answer ? t.sourcesOfAnswer(answer.number) : t.sourcesTitle}
      </h2>
      {!answer && <p className="fr-text--sm">{t.noAnswerSelected}</p>}
      {answer && answer.citations.length === 0 && <p className="fr-text--sm">{t.noSources}</p>}
      {answer && answer.citations.length > 0 && (
        <ol className="bureau-albert-sources">
          {answer.citations.map((citation) => {
            const isHighlighted = highlightNumber === citation.number;
            return (
              <li
                key={citation.number}
                id={sourceElementId(answer.id, citation.number)}
                tabIndex={-1}
                className={`bureau-albert-source${isHighlighted ? ' is-highlighted' : ''}`}
                aria-current={isHighlighted ? 'true' : undefined}
              >
                <p className="bureau-albert-source__title">
                  <span className="bureau-albert-source__number">
                    <span className="fr-sr-only">{t.markerUnknown(citation.number)}</span>
                    <span aria-hidden="true">{citation.number}</span>
                  </span>{' '}
                  {citation.url ? (
                    <a
                      href={citation.url}
                      target="_blank"
                      rel="noopener noreferrer"
                      className="fr-link"
                      title={`${citation.title} - ${t.newWindow}`}
                    >
                      {citation.title}
                    </a>
                  ) : (
                    <strong>{citation.title}</strong>
                  )}
                </p>
                {citation.headings.length > 0 && (
                  <p className="bureau-meta bureau-albert-source__path">{citation.headings.join(' › ')}</p>
                )}
                <p className="bureau-meta">
                  {t.collection} {citation.collection.name}
                  {citation.date && <> · {t.updated(formatDate(locale, citation.date))}</>}
                </p>
                <figure className="bureau-albert-source__quote">
                  <blockquote cite={citation.url ?? undefined}>
                    <p className="fr-text--sm fr-mb-0">{citation.quote}</p>
                  </blockquote>
                  <figcaption className="fr-sr-only">{t.quote}</figcaption>
                </figure>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
