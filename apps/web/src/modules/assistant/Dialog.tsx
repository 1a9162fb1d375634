import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native `<dialog>` element (`showModal()`: the rest of the page is inert, Escape
 * closes it), with DSFR's look. Open while mounted; the focus goes back to what had it when it closes.
 */
export function Dialog(props: { title: string; closeLabel: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { onClose } = props;

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      opener?.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className="bureau-albert-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Escape: closed by React (unmounting), not by the browser.
        event.preventDefault();
        onClose();
      }}
    >
      <div className="bureau-albert-dialog__header">
        <h2 id={titleId} className="fr-h5 fr-mb-0">
          {props.title}
        </h2>
        <button type="button" className="fr-btn--close fr-btn" title={props.closeLabel} onClick={onClose}>
          {props.closeLabel}
        </button>
      </div>
      <div className="bureau-albert-dialog__body">{props.children}</div>
    </dialog>
  );
}
