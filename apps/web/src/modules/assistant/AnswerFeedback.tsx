import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { ErrorNotice } from '../../app/states.tsx';
import { useMessages } from '../../i18n.tsx';
import {
  assistantKeys,
  assistantLimits,
  feedbackReasons,
  saveFeedback,
  type Conversation,
  type ConversationMessage,
  type Feedback,
  type FeedbackReason,
} from './assistant.api.ts';
import { assistantMessages } from './assistant.messages.ts';

type Rating = Feedback['rating'];

/**
 * The person's opinion of an answer: thumbs up or down (saved at once), then, if they wish, reasons as
 * selectable tags and a comment, saved with the same `PUT`. The saved opinion shows when the conversation
 * is opened again.
 */
export function AnswerFeedback({ message, conversationId }: { message: ConversationMessage; conversationId: string }) {
  const t = useMessages(assistantMessages);
  const queryClient = useQueryClient();
  const saved = message.feedback;
  const [draft, setDraft] = useState<{ rating: Rating; reasons: FeedbackReason[]; comment: string } | undefined>();
  const [isThanked, setThanked] = useState(false);
  const statusRef = useRef<HTMLParagraphElement>(null);
  const shouldFocusStatus = useRef(false);
  const commentId = useId();
  const legendId = useId();

  const save = useMutation({
    mutationFn: (feedback: Feedback) => saveFeedback(message.id, feedback),
    onSuccess: (feedback) => {
      queryClient.setQueryData<Conversation>(assistantKeys.conversation(conversationId), (old) =>
        old
          ? { ...old, messages: old.messages.map((item) => (item.id === message.id ? { ...item, feedback } : item)) }
          : old,
      );
    },
  });

  useEffect(() => {
    if (isThanked && shouldFocusStatus.current) {
      shouldFocusStatus.current = false;
      statusRef.current?.focus();
    }
  }, [isThanked]);

  const rating = draft?.rating ?? saved?.rating;

  function choose(next: Rating): void {
    const reasons = saved?.rating === next ? saved.reasons : [];
    const comment = saved?.rating === next ? (saved.comment ?? '') : '';
    setDraft({ rating: next, reasons, comment });
    setThanked(false);
    save.mutate({ rating: next, reasons, comment: comment.trim() || null });
  }

  const offered = draft ? feedbackReasons[draft.rating === 'up' ? 'positive' : 'negative'] : [];

  return (
    <div className="bureau-albert-feedback">
      <div className="bureau-albert-feedback__thumbs" role="group" aria-label={t.feedbackGroup}>
        {(['up', 'down'] as const).map((value) => (
          <button
            key={value}
            type="button"
            className={`fr-btn fr-btn--sm fr-btn--icon-left ${
              rating === value ? '' : 'fr-btn--tertiary '
            }${value === 'up' ? 'ri-thumb-up-line' : 'ri-thumb-down-line'}`}
            aria-pressed={rating === value}
            onClick={() => choose(value)}
          >
            {value === 'up' ? t.useful : t.notUseful}
          </button>
        ))}
      </div>
      {draft && (
        <form
          className="bureau-albert-feedback__form"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate(
              { rating: draft.rating, reasons: draft.reasons, comment: draft.comment.trim() || null },
              {
                onSuccess: () => {
                  setDraft(undefined);
                  shouldFocusStatus.current = true;
                  setThanked(true);
                },
              },
            );
          }}
        >
          <fieldset className="fr-fieldset fr-mb-0" aria-labelledby={legendId}>
            <legend id={legendId} className="fr-fieldset__legend fr-text--sm fr-pb-1w">
              {draft.rating === 'up' ? t.reasonsUp : t.reasonsDown}
            </legend>
            <ul className="fr-tags-group fr-px-2v">
              {offered.map((reason) => {
                const isChosen = draft.reasons.includes(reason);
                return (
                  <li key={reason}>
                    <button
                      type="button"
                      className="fr-tag fr-tag--sm"
                      aria-pressed={isChosen}
                      onClick={() =>
                        setDraft({
                          ...draft,
                          reasons: isChosen
                            ? draft.reasons.filter((item) => item !== reason)
                            : [...draft.reasons, reason],
                        })
                      }
                    >
                      {t.reasonNames[reason]}
                    </button>
                  </li>
                );
              })}
            </ul>
          </fieldset>
          <div className="fr-input-group">
            <label className="fr-label" htmlFor={commentId}>
              {t.comment}
              <span className="fr-hint-text">{t.commentHint(assistantLimits.commentMaxLength)}</span>
            </label>
            <textarea
              id={commentId}
              className="fr-input"
              rows={2}
              maxLength={assistantLimits.commentMaxLength}
              value={draft.comment}
              onChange={(event) => setDraft({ ...draft, comment: event.target.value })}
            />
          </div>
          <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
            <li>
              <button type="submit" className="fr-btn fr-btn--sm" disabled={save.isPending}>
                {t.saveFeedback}
              </button>
            </li>
            <li>
              <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary" onClick={() => setDraft(undefined)}>
                {t.cancel}
              </button>
            </li>
          </ul>
        </form>
      )}
      {save.isError && <ErrorNotice error={save.error} />}
      <p ref={statusRef} tabIndex={-1} role="status" className="fr-text--sm fr-mb-0 bureau-albert-feedback__status">
        {isThanked ? t.feedbackSaved : ''}
      </p>
      {!draft && saved && (
        <div className="bureau-albert-feedback__saved">
          <p className="fr-text--sm fr-mb-1v">
            {t.yourFeedback(
              saved.rating === 'up',
              saved.reasons.map((reason) => t.reasonNames[reason]),
            )}
          </p>
          {saved.comment && (
            <p className="fr-text--sm fr-mb-1v bureau-albert-feedback__comment">
              <q>{saved.comment}</q>
            </p>
          )}
          <button
            type="button"
            className="fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-edit-line fr-btn--icon-left"
            onClick={() =>
              setDraft({ rating: saved.rating, reasons: [...saved.reasons], comment: saved.comment ?? '' })
            }
          >
            {t.editFeedback}
          </button>
        </div>
      )}
    </div>
  );
}
