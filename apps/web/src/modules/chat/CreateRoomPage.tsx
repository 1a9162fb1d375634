import { ClientEvent, Preset, Visibility, type MatrixClient, type Room } from 'matrix-js-sdk';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { usePageTitle } from '../../app/page.ts';
import { useMessages } from '../../i18n.tsx';
import { markAsDirect } from './chat-actions.ts';
import { useChat } from './chat-client.tsx';
import { chatMessages } from './chat.messages.ts';
import { PeoplePicker, type Person } from './PeoplePicker.tsx';

/** The state event that turns end-to-end encryption on (Megolm, as every Matrix client). */
const encryptionState = {
  type: 'm.room.encryption',
  state_key: '',
  content: { algorithm: 'm.megolm.v1.aes-sha2' },
};

/** Resolves with the room once the sync loop knows it (createRoom answers before the next sync). */
export function waitForRoom(client: MatrixClient, roomId: string, timeoutMs = 15_000): Promise<Room> {
  const known = client.getRoom(roomId);
  if (known) return Promise.resolve(known);
  return new Promise((resolve, reject) => {
    const onRoom = (room: Room) => {
      if (room.roomId !== roomId) return;
      clearTimeout(timer);
      client.off(ClientEvent.Room, onRoom);
      resolve(room);
    };
    const timer = setTimeout(() => {
      client.off(ClientEvent.Room, onRoom);
      const room = client.getRoom(roomId);
      if (room) resolve(room);
      else reject(new Error(`room ${roomId} did not arrive`));
    }, timeoutMs);
    client.on(ClientEvent.Room, onRoom);
  });
}

/** The people chosen so far, each with a button to take them out. */
export function ChosenPeople({ people, onRemove }: { people: Person[]; onRemove: (userId: string) => void }) {
  const t = useMessages(chatMessages);
  if (people.length === 0) return null;
  return (
    <ul className="fr-tags-group fr-mb-2w" aria-label={t.chosenPeople}>
      {people.map((person) => (
        <li key={person.userId}>
          <button
            type="button"
            className="fr-tag fr-tag--dismiss"
            aria-label={t.removePerson(person.displayName ?? person.userId)}
            onClick={() => onRemove(person.userId)}
          >
            {person.displayName ?? person.userId}
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * Starts a conversation: a room (name, topic, private or public, people invited) or a direct conversation
 * with one person (`is_direct`, recorded in `m.direct`).
 */
export function CreateRoomPage() {
  const t = useMessages(chatMessages);
  const { client, userId, crypto } = useChat();
  const navigate = useNavigate();
  usePageTitle(`${t.newConversationTitle} – ${t.title}`);
  const [isEncrypted, setEncrypted] = useState(false);
  const [kind, setKind] = useState<'room' | 'direct'>('room');
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [isPublic, setPublic] = useState(false);
  const [people, setPeople] = useState<Person[]>([]);
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [isBusy, setBusy] = useState(false);
  const excluded = new Set([userId, ...people.map((person) => person.userId)]);
  const canEncrypt = crypto === 'on' && (kind === 'direct' || !isPublic);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setError(undefined);
    if (kind === 'room' && !name.trim()) {
      setNameError(t.nameRequired);
      document.getElementById('chat-create-name')?.focus();
      return;
    }
    if (kind === 'direct' && people.length !== 1) {
      setError(t.choosePersonFirst);
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const invite = people.map((person) => person.userId);
      // End-to-end encryption from the start (forums, public, never: Tchap's rule, which the server enforces).
      const initialState = canEncrypt && isEncrypted ? [encryptionState] : [];
      const { room_id: roomId } =
        kind === 'room'
          ? await client.createRoom({
              name: name.trim(),
              topic: topic.trim() || undefined,
              preset: isPublic ? Preset.PublicChat : Preset.PrivateChat,
              visibility: isPublic ? Visibility.Public : Visibility.Private,
              invite,
              initial_state: initialState,
            })
          : await client.createRoom({
              preset: Preset.TrustedPrivateChat,
              is_direct: true,
              invite,
              initial_state: initialState,
            });
      if (kind === 'direct' && invite[0]) await markAsDirect(client, roomId, invite[0]).catch(() => undefined);
      await waitForRoom(client, roomId);
      void navigate(`/messagerie/salons/${encodeURIComponent(roomId)}`);
    } catch {
      setError(t.createFailed);
      setBusy(false);
    }
  }

  return (
    <div className="bureau-chat-pane bureau-chat-pane--padded">
      <h1 className="fr-h3">{t.newConversationTitle}</h1>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <fieldset className="fr-fieldset" aria-labelledby="chat-create-kind-legend">
          <legend className="fr-fieldset__legend fr-text--regular" id="chat-create-kind-legend">
            {t.conversationKind}
          </legend>
          {(['room', 'direct'] as const).map((value) => (
            <div className="fr-fieldset__element" key={value}>
              <div className="fr-radio-group">
                <input
                  type="radio"
                  id={`chat-create-kind-${value}`}
                  name="kind"
                  checked={kind === value}
                  onChange={() => {
                    setKind(value);
                    if (value === 'direct') setPeople((current) => current.slice(0, 1));
                  }}
                />
                <label className="fr-label" htmlFor={`chat-create-kind-${value}`}>
                  {value === 'room' ? t.kindRoom : t.kindDirect}
                  <span className="fr-hint-text">{value === 'room' ? t.kindRoomHint : t.kindDirectHint}</span>
                </label>
              </div>
            </div>
          ))}
        </fieldset>
        {kind === 'room' && (
          <>
            <div className={`fr-input-group${nameError ? ' fr-input-group--error' : ''}`}>
              <label className="fr-label" htmlFor="chat-create-name">
                {t.roomName}
              </label>
              <input
                className={`fr-input${nameError ? ' fr-input--error' : ''}`}
                id="chat-create-name"
                type="text"
                maxLength={255}
                required
                aria-describedby={nameError ? 'chat-create-name-error' : undefined}
                value={name}
                onChange={(event) => setName(event.target.value)}
              />
              {nameError && (
                <p className="fr-error-text" id="chat-create-name-error">
                  {nameError}
                </p>
              )}
            </div>
            <div className="fr-input-group">
              <label className="fr-label" htmlFor="chat-create-topic">
                {t.roomTopic}
                <span className="fr-hint-text">{t.optional}</span>
              </label>
              <textarea
                className="fr-input"
                id="chat-create-topic"
                rows={2}
                maxLength={1000}
                value={topic}
                onChange={(event) => setTopic(event.target.value)}
              />
            </div>
            <fieldset className="fr-fieldset" aria-labelledby="chat-create-access-legend">
              <legend className="fr-fieldset__legend fr-text--regular" id="chat-create-access-legend">
                {t.roomAccess}
              </legend>
              {[false, true].map((value) => (
                <div className="fr-fieldset__element" key={String(value)}>
                  <div className="fr-radio-group">
                    <input
                      type="radio"
                      id={`chat-create-access-${value ? 'public' : 'private'}`}
                      name="access"
                      checked={isPublic === value}
                      onChange={() => setPublic(value)}
                    />
                    <label className="fr-label" htmlFor={`chat-create-access-${value ? 'public' : 'private'}`}>
                      {value ? t.accessPublic : t.accessPrivate}
                      <span className="fr-hint-text">{value ? t.accessPublicHint : t.accessPrivateHint}</span>
                    </label>
                  </div>
                </div>
              ))}
            </fieldset>
          </>
        )}
        {(kind === 'room' || people.length === 0) && (
          <PeoplePicker
            id="chat-create-people"
            label={kind === 'room' ? t.invitePeople : t.directWith}
            excluded={excluded}
            onPick={(person) => setPeople((current) => [...current, person])}
          />
        )}
        <ChosenPeople
          people={people}
          onRemove={(removed) => setPeople((current) => current.filter((person) => person.userId !== removed))}
        />
        {canEncrypt && (
          <div className="fr-checkbox-group fr-mb-3w">
            <input
              type="checkbox"
              id="chat-create-encrypted"
              checked={isEncrypted}
              onChange={(event) => setEncrypted(event.target.checked)}
            />
            <label className="fr-label" htmlFor="chat-create-encrypted">
              {t.encryptRoom}
              <span className="fr-hint-text">{t.encryptRoomHint}</span>
            </label>
          </div>
        )}
        {error && (
          <div className="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
            <p>{error}</p>
          </div>
        )}
        <ul className="fr-btns-group fr-btns-group--inline">
          <li>
            <button type="submit" className="fr-btn" disabled={isBusy}>
              {kind === 'room' ? t.createRoom : t.startDirect}
            </button>
          </li>
          <li>
            <button type="button" className="fr-btn fr-btn--secondary" onClick={() => void navigate('/messagerie')}>
              {t.cancel}
            </button>
          </li>
        </ul>
      </form>
    </div>
  );
}
