import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import { useAlbertSession } from './albert-session.tsx';
import { AnswerTurn } from './AnswerTurn.tsx';
import { AskComposer } from './AskComposer.tsx';
import { useConversation } from './assistant.api.ts';
import { assistantMessages } from './assistant.messages.ts';
import { SourcesPanel } from './SourcesPanel.tsx';

interface Selection {
  messageId: string;
  /** The source whose marker was clicked. */
  number?: number;
  /** Changes on every click, so that clicking the same marker again moves the focus again. */
  nonce: number;
}

/**
 * A conversation (`/albert/conversations/:id`) or a new one (`/albert`): the questions and answers, the
 * answer being written after them, the composer, and the sources panel of the chosen answer (the newest
 * unless another is chosen).
 */
export function ConversationPage() {
  const t = useMessages(assistantMessages);
  const { id } = useParams();
  const conversation = useConversation(id);
  const session = useAlbertSession();
  const [selection, setSelection] = useState<Selection | undefined>();
  const liveRef = useRef<HTMLLIElement>(null);
  const nonce = useRef(0);

  const messages = id ? (conversation.data?.messages ?? []) : [];
  const live = session.live && (session.live.conversationId ?? undefined) === id ? session.live : undefined;
  const liveKey = live?.key;

  // A new question: its turn comes into view.
  useEffect(() => {
    if (liveKey !== undefined) liveRef.current?.scrollIntoView({ block: 'nearest' });
  }, [liveKey]);

  // A new answer is chosen for the sources panel once it arrives.
  const lastAnswer = session.lastAnswer;
  useEffect(() => {
    if (lastAnswer && lastAnswer.conversationId === id) {
      setSelection({ messageId: lastAnswer.messageId, nonce: 0 });
    }
  }, [lastAnswer, id]);

  const chosenIndex = selection ? messages.findIndex((message) => message.id === selection.messageId) : -1;
  const selectedIndex = chosenIndex >= 0 ? chosenIndex : messages.length - 1;
  const selected = messages[selectedIndex];
  const isChosen = chosenIndex >= 0 && selection !== undefined;
  const isMissing = conversation.error instanceof ApiError && conversation.error.status === 404;

  return (
    <div className="bureau-albert__conversation">
      <section className="bureau-albert__thread" aria-labelledby="albert-thread-title">
        <h2 id="albert-thread-title" className="fr-sr-only">
          {t.exchanges}
        </h2>
        {id && conversation.isPending && <p className="bureau-loading">{t.loading}</p>}
        {id && conversation.isError && (
          <>
            <ErrorNotice
              error={conversation.error}
              onRetry={isMissing ? undefined : () => void conversation.refetch()}
            />
            <p className="fr-mt-2w">
              <Link to="/albert" className="fr-link fr-icon-add-line fr-link--icon-left">
                {t.newConversation}
              </Link>
            </p>
          </>
        )}
        {!id && messages.length === 0 && !live && (
          <div className="bureau-albert-empty">
            <p>{t.emptyThread}</p>
            <p className="fr-mb-1v">{t.examplesTitle}</p>
            <ul>
              {t.examples.map((example) => (
                <li key={example}>
                  <q>{example}</q>
                </li>
              ))}
            </ul>
          </div>
        )}
        {(messages.length > 0 || live) && (
          <ol className="bureau-albert-turns">
            {messages.map((message, index) => (
              <li key={message.id}>
                <AnswerTurn
                  number={index + 1}
                  content={{
                    question: message.question,
                    answer: message.answer,
                    citations: message.citations,
                    flagged: message.flaggedCitations,
                    isIncomplete: message.status === 'failed',
                    mode: message.mode,
                    provider: message.provider,
                    sensitivity: message.sensitivity,
                  }}
                  status="complete"
                  message={message}
                  conversationId={id}
                  isSelected={index === selectedIndex}
                  onShowSources={() => setSelection({ messageId: message.id, nonce: ++nonce.current })}
                  onMarker={(number) => setSelection({ messageId: message.id, number, nonce: ++nonce.current })}
                />
              </li>
            ))}
            {live && (
              <li ref={liveRef} key={`live-${live.key}`}>
                <AnswerTurn
                  number={messages.length + 1}
                  content={{
                    question: live.question,
                    answer: live.text,
                    citations: live.citations,
                    flagged: live.flagged,
                  }}
                  status={live.status}
                  error={live.error}
                />
              </li>
            )}
          </ol>
        )}
        {(!id || conversation.isSuccess) && <AskComposer conversationId={id} />}
      </section>
      <SourcesPanel
        answer={selected ? { id: selected.id, number: selectedIndex + 1, citations: selected.citations } : undefined}
        highlightNumber={isChosen ? selection.number : undefined}
        focusRequest={isChosen ? selection.nonce : 0}
      />
    </div>
  );
}
