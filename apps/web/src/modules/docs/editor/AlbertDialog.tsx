import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { streamInterruptedCode } from '../../../api/event-stream.ts';
import type { SensitivityLevel } from '../../../api/types.ts';
import { SensitivityBadge, sensitivityNames } from '../../../app/SensitivityBadge.tsx';
import { useLocale, useMessages } from '../../../i18n.tsx';
import { AnswerText } from '../../assistant/AnswerText.tsx';
import {
  assistantLimits,
  writingLanguages,
  type ServedBy,
  type WritingLanguage,
  type WritingTask,
} from '../../assistant/assistant.api.ts';
import { assistantMessages } from '../../assistant/assistant.messages.ts';
import { writeWithAlbert } from '../../assistant/ask-stream.ts';
import { Dialog } from '../Dialog.tsx';
import { docsMessages, type DocsMessages } from '../docs.messages.ts';

type Phase =
  | { kind: 'choosing' }
  | { kind: 'writing'; text: string }
  | { kind: 'done'; text: string; provider: ServedBy | null }
  | { kind: 'failed'; text: string; error: unknown };

function errorText(t: DocsMessages, error: unknown, level: string): string {
  if (!(error instanceof ApiError)) return t.albertNetworkError;
  switch (error.code) {
    case 'AI_NO_CLEARED_PROVIDER':
      return t.albertNoClearedProvider(level);
    case 'AI_NO_PROVIDER':
      return t.albertUnavailable;
    case 'NETWORK_ERROR':
      return t.albertNetworkError;
    case streamInterruptedCode:
      return t.albertInterrupted;
    default:
      return error.message;
  }
}

/**
 * « Proposition d’Albert »: Albert summarises, rewrites, translates (into the language chosen), continues
 * or corrects the selection or the page, its text appearing as it is written; then the person replaces the
 * selection with it, inserts it after, copies it, or lets it go. Who processed it and at which level (the
 * page's label decides which models may see it) is said under it.
 */
export function AlbertDialog(props: {
  task: WritingTask;
  scope: 'selection' | 'page';
  /** The text sent to Albert (Markdown). */
  text: string;
  documentId: string;
  label: SensitivityLevel;
  csrfToken: string | null;
  /** Replaces the selection (or the page); returns an error to show, if any. */
  onReplace: (markdown: string) => string | undefined;
  onInsertAfter: (markdown: string) => void;
  onClose: () => void;
}) {
  const t = useMessages(docsMessages);
  const albert = useMessages(assistantMessages);
  const { locale } = useLocale();
  const languageId = useId();
  const [language, setLanguage] = useState<WritingLanguage>(locale === 'en' ? 'fr' : 'en');
  const [phase, setPhase] = useState<Phase>({ kind: 'choosing' });
  const [applyError, setApplyError] = useState('');
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const controller = useRef<AbortController | undefined>(undefined);
  const firstRef = useRef<HTMLButtonElement>(null);
  const languageRef = useRef<HTMLSelectElement>(null);
  const { task, text, documentId, csrfToken } = props;
  const isTooLong = text.length > assistantLimits.writeTextMaxLength;
  const levelName = sensitivityNames[props.label][locale];

  const start = useCallback(
    (chosenLanguage?: WritingLanguage) => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      setApplyError('');
      setCopyState('idle');
      setPhase({ kind: 'writing', text: '' });
      let written = '';
      writeWithAlbert(
        {
          task,
          text,
          ...(chosenLanguage ? { language: chosenLanguage } : {}),
          resource: { type: 'docs.document', id: documentId },
        },
        {
          signal: current.signal,
          csrfToken,
          locale,
          onDelta: (delta) => {
            written += delta;
            setPhase({ kind: 'writing', text: written });
          },
        },
      )
        .then((response) => {
          if (!current.signal.aborted) setPhase({ kind: 'done', text: response.text, provider: response.provider });
        })
        .catch((error: unknown) => {
          if (!current.signal.aborted) setPhase({ kind: 'failed', text: written, error });
        });
    },
    [task, text, documentId, csrfToken, locale],
  );

  // Every task but a translation (which waits for its language) starts at once.
  useEffect(() => {
    if (task !== 'translate' && !isTooLong) start();
    return () => controller.current?.abort();
  }, [task, isTooLong, start]);

  useEffect(() => {
    if (phase.kind === 'done') firstRef.current?.focus();
  }, [phase.kind]);

  const title = props.scope === 'page' ? t.albertTasksOnPage[task] : t.albertTasks[task];
  const result = phase.kind === 'choosing' ? '' : phase.text;

  return (
    <Dialog
      title={t.albertProposal}
      closeLabel={t.close}
      onClose={props.onClose}
      size="wide"
      initialFocus={task === 'translate' ? languageRef : undefined}
    >
      <p className="fr-text--sm fr-mb-1w">
        <span className="ri-robot-2-line fr-icon--sm" aria-hidden="true" /> {title}
      </p>
      {isTooLong && (
        <div className="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" role="alert">
          <p>{t.albertTooLong(assistantLimits.writeTextMaxLength)}</p>
        </div>
      )}
      {task === 'translate' && !isTooLong && (
        <form
          className="bureau-docs-albert__language"
          onSubmit={(event) => {
            event.preventDefault();
            start(language);
          }}
        >
          <div className="fr-select-group fr-mb-0">
            <label className="fr-label" htmlFor={languageId}>
              {t.albertLanguage}
            </label>
            <select
              ref={languageRef}
              id={languageId}
              className="fr-select"
              value={language}
              onChange={(event) =>
                setLanguage(writingLanguages.find((item) => item === event.target.value) ?? language)
              }
            >
              {writingLanguages.map((item) => (
                <option key={item} value={item}>
                  {t.albertLanguages[item]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="fr-btn fr-btn--secondary" disabled={phase.kind === 'writing'}>
            {phase.kind === 'choosing' ? t.albertTranslate : t.albertTranslateAgain}
          </button>
        </form>
      )}
      <p role="status" className="fr-sr-only">
        {phase.kind === 'done' ? t.albertReady : phase.kind === 'writing' && !phase.text ? t.albertWriting : ''}
      </p>
      <p role="status" className="fr-text--sm bureau-docs-status">
        {copyState === 'copied' ? t.albertCopied : copyState === 'failed' ? t.albertCopyFailed : ''}
      </p>
      <div className="bureau-docs-albert__result" aria-busy={phase.kind === 'writing'}>
        {result && <AnswerText text={result} citations={[]} renderMarker={({ number }) => `[${number}]`} />}
        {phase.kind === 'writing' && <p className="bureau-loading fr-text--sm fr-mb-0">{t.albertWriting}</p>}
      </div>
      {phase.kind === 'failed' && (
        <div className="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
          <p>{errorText(t, phase.error, levelName)}</p>
        </div>
      )}
      {phase.kind === 'done' && (
        <p className="bureau-meta fr-text--sm">
          {phase.provider
            ? albert.servedBy(
                phase.provider.providerName,
                albert.hostingNames[phase.provider.hosting] ?? phase.provider.hosting,
              )
            : albert.servedWithoutModel}
          {' · '}
          {albert.level} <SensitivityBadge level={props.label} />
        </p>
      )}
      {applyError && (
        <div className="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" role="alert">
          <p>{applyError}</p>
        </div>
      )}
      <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right fr-mt-2w">
        {phase.kind === 'done' && phase.text && (
          <>
            <li>
              <button
                ref={firstRef}
                type="button"
                className="fr-btn"
                onClick={() => {
                  const error = props.onReplace(phase.text);
                  if (error) setApplyError(error);
                }}
              >
                {props.scope === 'page' ? t.albertReplacePage : t.albertReplace}
              </button>
            </li>
            <li>
              <button
                type="button"
                className="fr-btn fr-btn--secondary"
                onClick={() => props.onInsertAfter(phase.text)}
              >
                {props.scope === 'page' ? t.albertInsertAtEnd : t.albertInsertAfter}
              </button>
            </li>
            <li>
              <button
                type="button"
                className="fr-btn fr-btn--secondary fr-icon-clipboard-line fr-btn--icon-left"
                onClick={() => {
                  navigator.clipboard.writeText(phase.text).then(
                    () => setCopyState('copied'),
                    () => setCopyState('failed'),
                  );
                }}
              >
                {t.albertCopy}
              </button>
            </li>
          </>
        )}
        {phase.kind === 'failed' && (
          <li>
            <button
              type="button"
              className="fr-btn fr-btn--secondary"
              onClick={() => start(task === 'translate' ? language : undefined)}
            >
              {t.albertRetry}
            </button>
          </li>
        )}
        <li>
          <button type="button" className="fr-btn fr-btn--tertiary" onClick={props.onClose}>
            {t.cancel}
          </button>
        </li>
      </ul>
    </Dialog>
  );
}
