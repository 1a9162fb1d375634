import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { sensitivityNames } from '../../app/SensitivityBadge.tsx';
import { useLocale, useMessages } from '../../i18n.tsx';
import { useAlbertSession } from './albert-session.tsx';
import { assistantLimits, useCollections } from './assistant.api.ts';
import { assistantMessages } from './assistant.messages.ts';
import { collectionsMessages } from './collections.messages.ts';

/** Characters left below which the person is told (once), before the limit itself. */
const nearLimitThreshold = 100;

/**
 * Where the question is written: Enter sends, Shift+Enter goes to the line, 2,000 characters at most with
 * a counter (said when the limit nears); "stop" cuts the answer being written. Below it, the collections
 * Albert consults.
 */
export function AskComposer({ conversationId }: { conversationId: string | undefined }) {
  const t = useMessages(assistantMessages);
  const session = useAlbertSession();
  const [text, setText] = useState('');
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const stopRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  const max = assistantLimits.questionMaxLength;
  const remaining = max - text.length;
  const isStreaming = session.live?.status === 'streaming';
  const nearLimit = remaining === 0 ? 0 : remaining < nearLimitThreshold ? nearLimitThreshold : undefined;

  // The answer is complete: the stop button goes away, the focus it had goes back to the question.
  useEffect(() => {
    if (!isStreaming && document.activeElement === stopRef.current) textareaRef.current?.focus();
  }, [isStreaming]);

  function submit(): void {
    const question = text.trim();
    if (!question || isStreaming) return;
    session.ask(question, conversationId);
    setText('');
    textareaRef.current?.focus();
  }

  return (
    <form
      className="bureau-albert-composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="fr-input-group fr-mb-1w">
        <label className="fr-label" htmlFor={`${id}-question`}>
          {t.questionLabel}
          <span className="fr-hint-text">{t.questionHint}</span>
        </label>
        <textarea
          ref={textareaRef}
          id={`${id}-question`}
          className="fr-input bureau-albert-composer__input"
          rows={3}
          maxLength={max}
          value={text}
          aria-describedby={`${id}-counter`}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <p id={`${id}-counter`} className="fr-hint-text fr-mt-1v bureau-albert-composer__counter">
          {t.counter(text.length, max)}
        </p>
        <p className="fr-sr-only" role="status">
          {nearLimit === undefined ? '' : t.nearLimit(nearLimit)}
        </p>
      </div>
      <div className="bureau-albert-composer__bar">
        <CollectionChooser />
        <div className="bureau-albert-composer__buttons">
          {isStreaming && (
            <button
              ref={stopRef}
              type="button"
              className="fr-btn fr-btn--secondary fr-icon-stop-circle-line fr-btn--icon-left"
              onClick={() => {
                session.stop();
                textareaRef.current?.focus();
              }}
            >
              {t.stop}
            </button>
          )}
          <button
            type="submit"
            className="fr-btn fr-icon-send-plane-fill fr-btn--icon-left"
            aria-disabled={isStreaming || text.trim() === '' ? true : undefined}
          >
            {t.send}
          </button>
        </div>
      </div>
    </form>
  );
}

/**
 * The collections consulted: none chosen means the public ones (the server's default). A disclosure
 * (button with aria-expanded) over a group of checkboxes.
 */
function CollectionChooser() {
  const t = useMessages(assistantMessages);
  const c = useMessages(collectionsMessages);
  const { locale } = useLocale();
  const session = useAlbertSession();
  const collections = useCollections();
  const [isOpen, setOpen] = useState(false);
  const panelId = useId();
  const chosen = session.collections;
  const summary = chosen.length === 0 ? t.defaultSources : t.chosenSources(chosen.length);
  const isFull = chosen.length >= assistantLimits.collectionsMax;

  return (
    <div className="bureau-albert-chooser">
      <button
        type="button"
        className="fr-btn fr-btn--sm fr-btn--tertiary-no-outline ri-database-2-line fr-btn--icon-left"
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={() => setOpen((open) => !open)}
      >
        {t.chooserButton(summary)}
      </button>
      <div id={panelId} hidden={!isOpen} className="bureau-albert-chooser__panel">
        {collections.isPending && <p className="bureau-loading fr-text--sm">{t.loading}</p>}
        {collections.isError && <p className="fr-text--sm">{t.collectionsUnavailable}</p>}
        {collections.data && (
          <Checkbox
            small
            legend={t.sourcesChooser}
            hintText={isFull ? t.tooManyCollections(assistantLimits.collectionsMax) : t.chooseHint}
            options={collections.data.map((collection) => {
              const isChosen = chosen.includes(collection.id);
              return {
                label: collection.name,
                hintText: [
                  c.scopeNames[collection.scope],
                  t.documentCount(collection.documentCount),
                  sensitivityNames[collection.label][locale],
                ].join(' · '),
                nativeInputProps: {
                  value: collection.id,
                  checked: isChosen,
                  disabled: !isChosen && isFull,
                  onChange: (event) =>
                    session.setCollections(
                      event.currentTarget.checked
                        ? [...chosen, collection.id]
                        : chosen.filter((item) => item !== collection.id),
                    ),
                },
              };
            })}
          />
        )}
        <Link to="/albert/collections" className="fr-link fr-text--sm">
          {t.manageCollections}
        </Link>
      </div>
    </div>
  );
}
