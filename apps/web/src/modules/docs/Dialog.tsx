import { useEffect, useId, useRef, type ReactNode, type RefObject } from 'react';

/**
 * A modal dialog on the native `<dialog>` element (`showModal()`: the rest of the page is inert, Escape
 * closes it), with DSFR's look. Open while mounted; the focus goes back to what had it when it closes.
 * `size="wide"` is for what needs room (a version of a page); `initialFocus` is what gets the focus on
 * opening (the dialog's first control otherwise).
 */
export function Dialog(props: {
  title: string;
  closeLabel: string;
  onClose: () => void;
  size?: 'normal' | 'wide';
  initialFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { onClose, initialFocus } = props;

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    initialFocus?.current?.focus();
    return () => {
      if (dialog?.open) dialog.close();
      // The opener may have gone meanwhile (a page sent to the trash from its own menu).
      if (opener?.isConnected) opener.focus();
    };
    // Once, on opening (the ref object does not change).
  }, []);

  return (
    <dialog
      ref={ref}
      className={`bureau-docs-dialog${props.size === 'wide' ? ' bureau-docs-dialog--wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Escape: closed by React (unmounting), not by the browser.
        event.preventDefault();
        onClose();
      }}
    >
      <div className="bureau-docs-dialog__header">
        <h2 id={titleId} className="fr-h5 fr-mb-0">
          {props.title}
        </h2>
        <button type="button" className="fr-btn--close fr-btn" title={props.closeLabel} onClick={onClose}>
          {props.closeLabel}
        </button>
      </div>
      <div className="bureau-docs-dialog__body">{props.children}</div>
    </dialog>
  );
}

/** A question in a dialog, answered by "Confirm" (focused first) or "Cancel". */
export function ConfirmDialog(props: {
  title: string;
  question: string;
  confirmLabel: string;
  cancelLabel: string;
  closeLabel: string;
  isPending?: boolean;
  error?: ReactNode;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  return (
    <Dialog title={props.title} closeLabel={props.closeLabel} onClose={props.onClose} initialFocus={confirmRef}>
      <p id={questionId}>{props.question}</p>
      {props.error}
      <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--right">
        <li>
          <button type="button" className="fr-btn fr-btn--secondary" onClick={props.onClose}>
            {props.cancelLabel}
          </button>
        </li>
        <li>
          <button
            ref={confirmRef}
            type="button"
            className="fr-btn"
            aria-describedby={questionId}
            disabled={props.isPending}
            onClick={props.onConfirm}
          >
            {props.confirmLabel}
          </button>
        </li>
      </ul>
    </Dialog>
  );
}
