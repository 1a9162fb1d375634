import { MatrixError } from 'matrix-js-sdk';
import { useEffect, useId, useState } from 'react';
import { useMessages } from '../../i18n.tsx';
import { Avatar } from './Avatar.tsx';
import { chatMessages } from './chat.messages.ts';
import { useChat } from './chat-client.tsx';

/** Someone to invite: a Matrix ID and, when known, their name. */
export interface Person {
  userId: string;
  displayName?: string;
  avatarUrl?: string;
}

/** A complete Matrix user ID (`@localpart:server`). */
export function isMatrixUserId(text: string): boolean {
  return /^@[a-z0-9._=\-/+]+:[a-z0-9.-]+(?::\d+)?$/i.test(text) || /^@[^\s:]+:\[[0-9a-f:.]+\](?::\d+)?$/i.test(text);
}

function isMissingEndpoint(error: unknown): boolean {
  return error instanceof MatrixError && (error.errcode === 'M_UNRECOGNIZED' || error.httpStatus === 404);
}

/**
 * Finds people through the homeserver's user directory (`POST /user_directory/search`) as the person types;
 * a complete Matrix ID is offered as it is. While the server has no directory yet, a hint says to type the
 * Matrix ID. Combobox pattern: arrows move in the suggestions, Enter picks, Escape closes.
 */
export function PeoplePicker({
  id,
  label,
  hint,
  excluded,
  onPick,
}: {
  id: string;
  label: string;
  hint?: string;
  /** People not to offer (already chosen, already members, oneself). */
  excluded: ReadonlySet<string>;
  onPick: (person: Person) => void;
}) {
  const t = useMessages(chatMessages);
  const { client } = useChat();
  const [term, setTerm] = useState('');
  const [results, setResults] = useState<Person[]>([]);
  const [isSearching, setSearching] = useState(false);
  const [isDirectoryMissing, setDirectoryMissing] = useState(false);
  const [active, setActive] = useState(-1);
  const [isOpen, setOpen] = useState(false);
  const listId = `${id}-suggestions`;
  const statusId = `${id}-status`;
  const hintId = useId();

  useEffect(() => {
    const query = term.trim();
    setActive(-1);
    if (query.length === 0) {
      setResults([]);
      return undefined;
    }
    if (isMatrixUserId(query)) {
      setResults([{ userId: query }]);
      return undefined;
    }
    if (isDirectoryMissing || query.length < 2) {
      setResults([]);
      return undefined;
    }
    let isCancelled = false;
    const timer = setTimeout(() => {
      setSearching(true);
      client
        .searchUserDirectory({ term: query, limit: 8 })
        .then((answer) => {
          if (isCancelled) return;
          setResults(
            answer.results.map((result) => ({
              userId: result.user_id,
              displayName: result.display_name ?? undefined,
              avatarUrl: result.avatar_url ?? undefined,
            })),
          );
        })
        .catch((error: unknown) => {
          if (isCancelled) return;
          if (isMissingEndpoint(error)) setDirectoryMissing(true);
          setResults([]);
        })
        .finally(() => {
          if (!isCancelled) setSearching(false);
        });
    }, 250);
    return () => {
      isCancelled = true;
      clearTimeout(timer);
    };
  }, [client, term, isDirectoryMissing]);

  const offered = results.filter((person) => !excluded.has(person.userId));
  const isExpanded = isOpen && offered.length > 0;

  function pick(person: Person): void {
    onPick(person);
    setTerm('');
    setResults([]);
    setOpen(false);
  }

  const query = term.trim();
  const status = isSearching
    ? t.searching
    : query.length === 0
      ? ''
      : offered.length > 0
        ? t.suggestionsCount(offered.length)
        : isDirectoryMissing && !isMatrixUserId(query)
          ? t.directoryUnavailable
          : query.length >= 2
            ? t.noPeopleFound
            : '';

  return (
    <div className="fr-input-group bureau-chat-picker">
      <label className="fr-label" htmlFor={id}>
        {label}
        <span className="fr-hint-text" id={hintId}>
          {hint ?? t.peoplePickerHint}
        </span>
      </label>
      <input
        className="fr-input"
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        aria-autocomplete="list"
        aria-expanded={isExpanded}
        aria-controls={listId}
        aria-describedby={`${hintId} ${statusId}`}
        aria-activedescendant={isExpanded && active >= 0 ? `${listId}-${active}` : undefined}
        value={term}
        onChange={(event) => {
          setTerm(event.target.value);
          setOpen(true);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && offered.length > 0) {
            event.preventDefault();
            setOpen(true);
            setActive((value) => (value + 1) % offered.length);
          } else if (event.key === 'ArrowUp' && offered.length > 0) {
            event.preventDefault();
            setActive((value) => (value <= 0 ? offered.length - 1 : value - 1));
          } else if (event.key === 'Enter') {
            const person = offered[active >= 0 ? active : 0];
            if (isExpanded && person) {
              event.preventDefault();
              pick(person);
            }
          } else if (event.key === 'Escape' && isExpanded) {
            event.preventDefault();
            event.stopPropagation();
            setOpen(false);
          }
        }}
      />
      <ul id={listId} role="listbox" aria-label={label} className="bureau-chat-suggestions" hidden={!isExpanded}>
        {isExpanded &&
          offered.map((person, index) => (
            <li
              key={person.userId}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className="bureau-chat-suggestions__item"
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => pick(person)}
            >
              <Avatar
                client={client}
                name={person.displayName ?? person.userId}
                seed={person.userId}
                mxc={person.avatarUrl}
                size="sm"
              />
              <span>
                {person.displayName ?? person.userId}
                {person.displayName && <span className="bureau-chat-muted"> {person.userId}</span>}
              </span>
            </li>
          ))}
      </ul>
      <p id={statusId} className="fr-hint-text fr-mt-1w" role="status">
        {status}
      </p>
    </div>
  );
}
