import { useEffect, useId, useRef, useState } from 'react';
import { useMessages } from '../i18n.tsx';
import { shellMessages } from '../messages.ts';

/**
 * A button whose action is asked again before it runs (remove, revoke, leave): the first click shows the
 * question with "Confirm" and "Cancel" in place; the focus goes to "Confirm", which the question
 * describes, and back to the button on "Cancel" or Escape.
 */
export function ConfirmAction(props: {
  /** The button's visible text ("Révoquer"). */
  label: string;
  /** The button's full name when the visible text alone is ambiguous in a list ("Révoquer l’invitation de …"). */
  title?: string;
  /** What will happen, asked as a question. */
  question: string;
  confirmLabel?: string;
  onConfirm: () => void;
  disabled?: boolean;
  /** The look of the first button. */
  priority?: 'primary' | 'secondary' | 'tertiary';
}) {
  const t = useMessages(shellMessages);
  const [isAsking, setAsking] = useState(false);
  const questionId = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const shouldRefocusTrigger = useRef(false);

  useEffect(() => {
    if (isAsking) confirmRef.current?.focus();
    else if (shouldRefocusTrigger.current) {
      shouldRefocusTrigger.current = false;
      triggerRef.current?.focus();
    }
  }, [isAsking]);

  function cancel(): void {
    shouldRefocusTrigger.current = true;
    setAsking(false);
  }

  if (!isAsking) {
    const priority = props.priority ?? 'tertiary';
    return (
      <button
        ref={triggerRef}
        type="button"
        className={`fr-btn fr-btn--sm${priority === 'primary' ? '' : ` fr-btn--${priority}`}`}
        title={props.title}
        aria-label={props.title}
        disabled={props.disabled}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <div
      className="bureau-confirm"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          cancel();
        }
      }}
    >
      <p id={questionId} className="fr-text--sm fr-mb-1w">
        {props.question}
      </p>
      <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
        <li>
          <button
            ref={confirmRef}
            type="button"
            className="fr-btn fr-btn--sm"
            aria-describedby={questionId}
            disabled={props.disabled}
            onClick={() => {
              setAsking(false);
              props.onConfirm();
            }}
          >
            {props.confirmLabel ?? t.confirm}
          </button>
        </li>
        <li>
          <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary" onClick={cancel}>
            {t.cancel}
          </button>
        </li>
      </ul>
    </div>
  );
}
