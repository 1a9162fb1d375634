import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { useState } from 'react';
import { Link } from 'react-router';
import { useMessages } from '../../i18n.tsx';
import { sendTextMessage } from '../chat/chat-actions.ts';
import { ChatClientProvider, isSynced, useChat } from '../chat/chat-client.tsx';
import { assistantMessages } from './assistant.messages.ts';

/*
 * "Envoyer dans un salon": the chat module's Matrix client (signed in through Bureau's single sign-on, one
 * per tab) lists the rooms the person has joined and sends the answer as a text message. This file is a
 * chunk of its own (lazily imported by AnswerTurn.tsx): the Matrix SDK is fetched only when it is used.
 */

/** The dialog's content: the room chooser once the chat client is ready. */
export function SendToRoom({ text }: { text: string }) {
  const t = useMessages(assistantMessages);
  return (
    <ChatClientProvider
      fallback={({ error, retry }) =>
        error ? (
          <div className="fr-alert fr-alert--error fr-alert--sm" role="alert">
            <p>
              {t.chatFailed}{' '}
              <button type="button" className="fr-link" onClick={retry}>
                {t.retry}
              </button>
            </p>
          </div>
        ) : (
          <p role="status" className="bureau-loading">
            {t.connectingChat}
          </p>
        )
      }
    >
      <RoomChooser text={text} />
    </ChatClientProvider>
  );
}

function RoomChooser({ text }: { text: string }) {
  const t = useMessages(assistantMessages);
  const { client, syncState, version } = useChat();
  const [roomId, setRoomId] = useState<string | undefined>();
  const [state, setState] = useState<{ phase: 'idle' | 'sending' | 'failed' } | { phase: 'sent'; room: string }>({
    phase: 'idle',
  });
  void version;

  if (!isSynced(syncState)) {
    return (
      <p role="status" className="bureau-loading">
        {t.connectingChat}
      </p>
    );
  }
  const rooms = client
    .getVisibleRooms()
    .filter((room) => room.getMyMembership() === 'join' && !room.hasEncryptionStateEvent())
    .sort((a, b) => b.getLastActiveTimestamp() - a.getLastActiveTimestamp());
  const chosen = rooms.find((room) => room.roomId === (roomId ?? rooms[0]?.roomId));

  if (state.phase === 'sent') {
    return (
      <div role="status">
        <p>{state.room && t.sent(state.room)}</p>
        {chosen && (
          <Link className="fr-link" to={`/messagerie/salons/${encodeURIComponent(chosen.roomId)}`}>
            {t.openRoom(chosen.name)}
          </Link>
        )}
      </div>
    );
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!chosen) return;
        setState({ phase: 'sending' });
        sendTextMessage(client, chosen, text, [])
          .then(() => setState({ phase: 'sent', room: chosen.name }))
          .catch(() => setState({ phase: 'failed' }));
      }}
    >
      <p className="fr-text--sm">{t.sendToRoomIntro}</p>
      {rooms.length === 0 ? (
        <p>{t.noRooms}</p>
      ) : (
        <div className="bureau-albert-rooms">
          <RadioButtons
            legend={t.room}
            name="albert-room"
            small
            options={rooms.map((room) => ({
              label: room.name,
              nativeInputProps: {
                value: room.roomId,
                checked: room.roomId === chosen?.roomId,
                onChange: () => setRoomId(room.roomId),
              },
            }))}
          />
        </div>
      )}
      <p className="fr-text--sm fr-mb-1v">
        <strong>{t.messagePreview}</strong>
      </p>
      <pre className="bureau-albert-preview" tabIndex={0} aria-label={t.messagePreview}>
        {text}
      </pre>
      {state.phase === 'failed' && (
        <div className="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
          <p>{t.sendFailed}</p>
        </div>
      )}
      <button type="submit" className="fr-btn" disabled={!chosen || state.phase === 'sending'}>
        {t.sendMessage}
      </button>
    </form>
  );
}
