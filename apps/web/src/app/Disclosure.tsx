import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useLocation } from 'react-router';

/**
 * A header button that opens a panel below it (app switcher, notifications, account menu): the
 * WAI-ARIA disclosure pattern. The button says whether the panel is open (aria-expanded); Escape
 * closes it and gives the focus back to the button; a click outside or a navigation closes it.
 */
export function Disclosure(props: {
  /** Given by react-dsfr's Header to its quick-access items (desktop and mobile copies differ). */
  id?: string;
  buttonLabel: ReactNode;
  /** Accessible name when the visible label is an icon or a number. */
  buttonAriaLabel?: string;
  buttonTitle?: string;
  iconClassName: string;
  panelClassName?: string;
  children: (close: () => void) => ReactNode;
}) {
  const [isOpen, setOpen] = useState(false);
  const generatedId = useId();
  const id = props.id ?? `disclosure${generatedId.replaceAll(':', '')}`;
  const panelId = `${id}-panel`;
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const location = useLocation();

  useEffect(() => setOpen(false), [location.pathname, location.search]);

  useEffect(() => {
    if (!isOpen) return undefined;
    function onPointerDown(event: PointerEvent): void {
      if (rootRef.current && event.target instanceof Node && !rootRef.current.contains(event.target)) setOpen(false);
    }
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    }
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [isOpen]);

  return (
    <div className="bureau-disclosure" ref={rootRef}>
      <button
        ref={buttonRef}
        id={id}
        type="button"
        className={`fr-btn ${props.iconClassName}`}
        aria-expanded={isOpen}
        aria-controls={panelId}
        aria-label={props.buttonAriaLabel}
        title={props.buttonTitle}
        onClick={() => setOpen((open) => !open)}
      >
        {props.buttonLabel}
      </button>
      <div id={panelId} className={`bureau-disclosure__panel ${props.panelClassName ?? ''}`} hidden={!isOpen}>
        {isOpen && props.children(() => setOpen(false))}
      </div>
    </div>
  );
}
