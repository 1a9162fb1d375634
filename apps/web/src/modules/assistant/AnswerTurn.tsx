import { lazy, Suspense, useId, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { CopyButton } from '../../app/CopyButton.tsx';
import { SensitivityBadge } from '../../app/SensitivityBadge.tsx';
import { useMessages } from '../../i18n.tsx';
import { answerAsMarkdown, answerAsPlainText, AnswerText } from './AnswerText.tsx';
import { streamInterruptedCode } from './ask-stream.ts';
import type { AnswerMode, Citation, ConversationMessage, FlaggedCitation, ServedBy } from './assistant.api.ts';
import { assistantMessages, type AssistantMessages } from './assistant.messages.ts';
import { AnswerFeedback } from './AnswerFeedback.tsx';
import { Dialog } from './Dialog.tsx';

// The chat's Matrix client (its SDK) is fetched only when someone sends an answer to a room.
const SendToRoom = lazy(() => import('./SendToRoom.tsx').then((m) => ({ default: m.SendToRoom })));
const InsertInDocument = lazy(() => import('./InsertInDocument.tsx').then((m) => ({ default: m.InsertInDocument })));

export interface TurnContent {
  question: string;
  answer: string;
  citations: readonly Citation[];
  flagged: readonly FlaggedCitation[];
  mode?: AnswerMode;
  provider?: ServedBy | null;
  sensitivity?: string;
  /** A saved answer the model stopped writing midway: what came is shown, marked incomplete. */
  isIncomplete?: boolean;
}

function errorText(t: AssistantMessages, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'NETWORK_ERROR') return t.networkError;
    if (error.code === streamInterruptedCode) return t.interrupted;
    return error.message;
  }
  return t.networkError;
}

/**
 * One question and its answer: the answer's text with its citation markers (buttons that show the source
 * in the sources panel), what kind of answer it is (extractive, "je ne sais pas"), the citations removed by
 * the server's check, who processed it at which level, and its actions (sources, copy, opinion, chat).
 */
export function AnswerTurn(props: {
  number: number;
  content: TurnContent;
  status: 'complete' | 'streaming' | 'stopped' | 'failed';
  error?: unknown;
  /** The stored message (complete answers): its opinion, its conversation. */
  message?: ConversationMessage;
  conversationId?: string;
  isSelected?: boolean;
  onShowSources?: () => void;
  onMarker?: (number: number) => void;
}) {
  const { content, status } = props;
  const t = useMessages(assistantMessages);
  const titleId = useId();
  const [sharing, setSharing] = useState<'room' | 'document' | undefined>();
  const plainText = answerAsPlainText(content.answer, content.citations, { sources: t.plainSources });
  const isStreaming = status === 'streaming';

  return (
    <article className={`bureau-albert-turn${props.isSelected ? ' is-selected' : ''}`} aria-labelledby={titleId}>
      <div className="bureau-albert-turn__question">
        <p className="bureau-albert-turn__label">
          <span className="fr-icon-user-line fr-icon--sm" aria-hidden="true" /> {t.question}
        </p>
        <h3 id={titleId} className="bureau-albert-turn__question-text">
          {content.question}
        </h3>
      </div>
      <div className="bureau-albert-turn__answer" aria-busy={isStreaming}>
        <p className="bureau-albert-turn__label">
          <span className="ri-robot-2-line fr-icon--sm" aria-hidden="true" /> {t.answer}
        </p>
        {content.mode === 'no-answer' && (
          <div className="fr-callout fr-icon-question-line bureau-albert-callout">
            <p className="fr-callout__title">{t.noAnswerTitle}</p>
            <p className="fr-callout__text fr-text--sm">{t.noAnswerHint}</p>
          </div>
        )}
        {content.mode === 'extractive' && (
          <div className="fr-alert fr-alert--info fr-alert--sm fr-mb-2w">
            <p>
              <strong>{t.extractiveNotice}</strong>
              <br />
              {t.extractiveHint}
            </p>
          </div>
        )}
        <div className="bureau-albert-turn__text">
          <AnswerText
            text={content.answer}
            citations={content.citations}
            renderMarker={({ number, citation }) =>
              citation && props.onMarker ? (
                <button
                  type="button"
                  className="bureau-albert-marker"
                  aria-label={t.markerLabel(number, citation.title)}
                  title={t.markerLabel(number, citation.title)}
                  onClick={() => props.onMarker?.(number)}
                >
                  {number}
                </button>
              ) : (
                <span className="bureau-albert-marker bureau-albert-marker--plain">[{number}]</span>
              )
            }
          />
          {isStreaming && (
            <p className="bureau-loading bureau-albert-turn__writing">
              <span className="bureau-albert-cursor" aria-hidden="true" />
              {t.writing}
            </p>
          )}
        </div>
        {status === 'complete' && content.isIncomplete && (
          <div className="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w">
            <p>{t.incomplete}</p>
          </div>
        )}
        {status === 'stopped' && (
          <div className="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w">
            <p>{t.stopped}</p>
          </div>
        )}
        {status === 'failed' && (
          <div className="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
            <p>{errorText(t, props.error)}</p>
          </div>
        )}
        {content.flagged.length > 0 && status === 'complete' && (
          <details className="bureau-albert-flagged">
            <summary className="fr-text--sm">
              <span className="fr-icon-information-line fr-icon--sm" aria-hidden="true" />{' '}
              {t.flagged(content.flagged.length)}
            </summary>
            <ul className="fr-text--sm fr-mb-0">
              {content.flagged.map((flag) => (
                <li key={`${flag.number}-${flag.reason}`}>{t.flaggedReasons[flag.reason](flag.number)}</li>
              ))}
            </ul>
          </details>
        )}
        {status === 'complete' && content.sensitivity && (
          <div className="bureau-meta bureau-albert-turn__served">
            {content.provider ? (
              <>
                {t.servedBy(
                  content.provider.providerName,
                  t.hostingNames[content.provider.hosting] ?? content.provider.hosting,
                )}
                {' · '}
                {t.model(content.provider.model)}
                {content.provider.isPseudonymised && <> · {t.pseudonymised}</>}
              </>
            ) : (
              t.servedWithoutModel
            )}
            {' · '}
            {t.level} <SensitivityBadge level={content.sensitivity} />
          </div>
        )}
        {status === 'complete' && (
          <div className="bureau-albert-turn__actions" role="group" aria-label={t.answerActions(props.number)}>
            {content.citations.length > 0 && props.onShowSources && (
              <button
                type="button"
                className="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-file-text-line fr-btn--icon-left fr-mt-1w"
                aria-pressed={props.isSelected === true}
                onClick={props.onShowSources}
              >
                {t.showSources(content.citations.length)}
              </button>
            )}
            <span>
              <CopyButton text={plainText} label={t.copyAnswer} />
            </span>
            <button
              type="button"
              className="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-send-plane-line fr-btn--icon-left fr-mt-1w"
              onClick={() => setSharing('room')}
            >
              {t.sendToRoom}
            </button>
            <button
              type="button"
              className="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-file-add-line fr-btn--icon-left fr-mt-1w"
              onClick={() => setSharing('document')}
            >
              {t.insertInDocument}
            </button>
          </div>
        )}
        {status === 'complete' && props.message && props.conversationId && (
          <AnswerFeedback message={props.message} conversationId={props.conversationId} />
        )}
      </div>
      {sharing === 'document' && (
        <Dialog title={t.insertTitle} closeLabel={t.close} onClose={() => setSharing(undefined)}>
          <Suspense fallback={<p className="bureau-loading">{t.loading}</p>}>
            <InsertInDocument
              markdown={answerAsMarkdown(content.answer, content.citations, { sources: t.markdownSources })}
            />
          </Suspense>
        </Dialog>
      )}
      {sharing === 'room' && (
        <Dialog title={t.sendToRoomTitle} closeLabel={t.close} onClose={() => setSharing(undefined)}>
          <Suspense fallback={<p className="bureau-loading">{t.connectingChat}</p>}>
            <SendToRoom
              text={answerAsPlainText(content.answer, content.citations, {
                sources: t.plainSources,
                question: { label: t.plainQuestion, text: content.question },
              })}
            />
          </Suspense>
        </Dialog>
      )}
    </article>
  );
}
