import { useEffect, useRef } from 'react';
import { useMessages } from '../../i18n.tsx';
import type { ConnectionState, Presence } from './collab-state.ts';
import { docsMessages } from './docs.messages.ts';

/**
 * How the connection of a live page goes (a live region) and, when `people` is given, who else is on
 * the page, each with their colour.
 */
export function CollaborationStatus(props: { connection: ConnectionState; people?: Presence[]; canEdit: boolean }) {
  const t = useMessages(docsMessages);
  const text = props.connection === 'offline' && !props.canEdit ? t.offlineReader : t.connection[props.connection];
  return (
    <div className="bureau-docs-presence">
      <p className={`fr-text--sm fr-mb-0 bureau-docs-connection is-${props.connection}`}>
        <span className="fr-sr-only">{t.connectionLabel} : </span>
        <span role="status">{text}</span>
      </p>
      {props.people && (
        <div className="bureau-docs-people">
          <span className="fr-sr-only">{t.peopleLabel} : </span>
          {props.people.length === 0 ? (
            <span className="fr-text--sm bureau-meta">{t.alone}</span>
          ) : (
            <ul className="bureau-docs-people__list" aria-label={t.peopleLabel}>
              {props.people.map((person) => (
                <li key={`${person.name}:${person.colour}`} className="bureau-docs-people__person">
                  <PresenceDot colour={person.colour} />
                  {person.name}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** A person's colour, set through the CSSOM (the CSP refuses `style` attributes). */
function PresenceDot({ colour }: { colour: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    ref.current?.style.setProperty('--bureau-docs-person-colour', colour);
  }, [colour]);
  return <span ref={ref} className="bureau-docs-people__dot" aria-hidden="true" />;
}
