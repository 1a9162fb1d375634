import { useEffect, useId, useRef, useState } from 'react';

export interface MenuAction {
  label: string;
  /** A DSFR or Remix icon class, shown before the label. */
  icon: string;
  onSelect: () => void;
  disabled?: boolean;
}

/**
 * A button that opens a list of actions below it (the disclosure pattern: aria-expanded on the button).
 * Escape or a click outside closes it; choosing an action gives the focus back to the button first, so
 * that a dialog the action opens returns the focus there when it closes.
 */
export function ActionsMenu(props: {
  /** The button's accessible name ("Actions sur « Budget 2026 »"). */
  label: string;
  /** A visible text; without it the button shows an icon only, and the label as a tooltip. */
  text?: string;
  actions: MenuAction[];
  size?: 'sm' | 'md';
}) {
  const [isOpen, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!isOpen) return undefined;
    function onPointerDown(event: PointerEvent): void {
      if (rootRef.current && event.target instanceof Node && !rootRef.current.contains(event.target)) setOpen(false);
    }
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [isOpen]);

  const size = props.size === 'md' ? '' : ' fr-btn--sm';
  return (
    <div
      className="bureau-docs-menu"
      ref={rootRef}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && isOpen) {
          event.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
      onBlur={(event) => {
        // The focus left the menu (Tab past its last action): it closes.
        if (isOpen && !(event.relatedTarget instanceof Node && rootRef.current?.contains(event.relatedTarget))) {
          setOpen(false);
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className={`fr-btn fr-btn--tertiary-no-outline${size} fr-icon-more-fill${props.text ? ' fr-btn--icon-left' : ''}`}
        aria-expanded={isOpen}
        aria-controls={panelId}
        aria-label={props.text ? undefined : props.label}
        title={props.text ? undefined : props.label}
        onClick={() => setOpen((open) => !open)}
      >
        {props.text ?? props.label}
      </button>
      <ul id={panelId} className="bureau-docs-menu__panel" hidden={!isOpen}>
        {props.actions.map((action) => (
          <li key={action.label}>
            <button
              type="button"
              className={`fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-btn--icon-left ${action.icon}`}
              disabled={action.disabled}
              onClick={() => {
                buttonRef.current?.focus();
                setOpen(false);
                action.onSelect();
              }}
            >
              {action.label}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
