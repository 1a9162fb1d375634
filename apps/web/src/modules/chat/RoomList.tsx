import { EventType, NotificationCountType, type Room } from 'matrix-js-sdk';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMessages } from '../../i18n.tsx';
import { Avatar } from './Avatar.tsx';
import { directRoomIds, markAsDirect } from './chat-actions.ts';
import { useChat } from './chat-client.tsx';
import { chatMessages } from './chat.messages.ts';
import { memberName, messageExcerpt } from './MessageItem.tsx';
import { isMessageLike, relationOf, threadRootOf } from './timeline-model.ts';

/** The newest message of a room, for its line in the list. */
function lastMessage(room: Room) {
  const events = room.getLiveTimeline().getEvents();
  for (let index = events.length - 1; index >= 0; index -= 1) {
    const event = events[index];
    if (!event || !isMessageLike(event) || threadRootOf(event)) continue;
    if (relationOf(event)?.rel_type === 'm.replace') continue;
    return event;
  }
  return undefined;
}

/** Who invited me to a room (the sender of my invite). */
function inviterOf(room: Room, myUserId: string): string | undefined {
  return room.getMember(myUserId)?.events.member?.getSender() ?? room.getDMInviter();
}

/** Whether my invitation to the room is to a direct conversation (`is_direct`). */
function isDirectInvite(room: Room, myUserId: string): boolean {
  return room.getMember(myUserId)?.events.member?.getContent().is_direct === true;
}

/** Accept or decline an invitation; accepting opens the room. */
export function InvitationCard({ room, isPage = false }: { room: Room; isPage?: boolean }) {
  const t = useMessages(chatMessages);
  const { client, userId } = useChat();
  const navigate = useNavigate();
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const inviter = inviterOf(room, userId);
  const inviterName = inviter ? memberName(room, inviter) : undefined;

  async function accept(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      const isDirect = isDirectInvite(room, userId);
      await client.joinRoom(room.roomId);
      if (isDirect && inviter) await markAsDirect(client, room.roomId, inviter).catch(() => undefined);
      void navigate(`/messagerie/salons/${encodeURIComponent(room.roomId)}`);
    } catch {
      setError(t.acceptFailed);
    } finally {
      setBusy(false);
    }
  }

  async function decline(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await client.leave(room.roomId);
      if (isPage) void navigate('/messagerie');
    } catch {
      setError(t.declineFailed);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={isPage ? 'bureau-chat-invitation bureau-chat-invitation--page' : 'bureau-chat-invitation'}>
      {isPage ? (
        <p>{inviterName ? t.invitedBy(inviterName) : t.invited}</p>
      ) : (
        <p className="fr-mb-1w">
          <Link to={`/messagerie/salons/${encodeURIComponent(room.roomId)}`} className="bureau-chat-invitation__name">
            {room.name}
          </Link>
          <br />
          <span className="fr-text--xs bureau-chat-muted">{inviterName ? t.invitedBy(inviterName) : t.invited}</span>
        </p>
      )}
      <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
        <li>
          <button
            type="button"
            className="fr-btn fr-btn--sm"
            disabled={isBusy}
            aria-label={isPage ? undefined : t.acceptInvitationTo(room.name)}
            onClick={() => void accept()}
          >
            {t.accept}
          </button>
        </li>
        <li>
          <button
            type="button"
            className="fr-btn fr-btn--sm fr-btn--secondary"
            disabled={isBusy}
            aria-label={isPage ? undefined : t.declineInvitationTo(room.name)}
            onClick={() => void decline()}
          >
            {t.decline}
          </button>
        </li>
      </ul>
      {error && (
        <p className="fr-error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function RoomLink({ room, isCurrent }: { room: Room; isCurrent: boolean }) {
  const t = useMessages(chatMessages);
  const { client } = useChat();
  const unread = room.getUnreadNotificationCount(NotificationCountType.Total);
  const highlights = room.getUnreadNotificationCount(NotificationCountType.Highlight);
  const last = lastMessage(room);
  const fallbackMember = room.getAvatarFallbackMember();
  const preview = last ? t.preview(memberName(room, last.getSender()), messageExcerpt(last, t)) : undefined;
  return (
    <Link
      to={`/messagerie/salons/${encodeURIComponent(room.roomId)}`}
      className={`bureau-chat-roomlink${unread > 0 ? ' bureau-chat-roomlink--unread' : ''}`}
      aria-current={isCurrent ? 'page' : undefined}
    >
      <Avatar
        client={client}
        name={room.name}
        seed={fallbackMember?.userId ?? room.roomId}
        mxc={room.getMxcAvatarUrl() ?? fallbackMember?.getMxcAvatarUrl()}
        size="sm"
      />
      <span className="bureau-chat-roomlink__text">
        <span className="bureau-chat-roomlink__name">
          {room.hasEncryptionStateEvent() && (
            <span className="fr-icon-lock-line fr-icon--xs fr-mr-1v" aria-hidden="true" />
          )}
          {room.name}
        </span>
        {preview && <span className="bureau-chat-roomlink__preview">{preview}</span>}
      </span>
      {unread > 0 && (
        <>
          <span
            className={`bureau-chat-unread${highlights > 0 ? ' bureau-chat-unread--highlight' : ''}`}
            aria-hidden="true"
          >
            {unread > 99 ? '99+' : unread}
          </span>
          <span className="fr-sr-only">{t.unreadMessages(unread, highlights)}</span>
        </>
      )}
    </Link>
  );
}

function RoomSection({ id, title, rooms, empty }: { id: string; title: string; rooms: Room[]; empty: string }) {
  const { roomId } = useParams();
  return (
    <section aria-labelledby={id} className="bureau-chat-rooms__section">
      <h3 id={id} className="bureau-chat-rooms__title">
        {title}
      </h3>
      {rooms.length === 0 ? (
        <p className="fr-text--sm bureau-chat-muted fr-mb-0">{empty}</p>
      ) : (
        <ul className="bureau-chat-rooms__list">
          {rooms.map((room) => (
            <li key={room.roomId}>
              <RoomLink room={room} isCurrent={room.roomId === roomId} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The side list: invitations (accept/decline), rooms and direct conversations (from `m.direct`), each
 * with its unread count (the homeserver's notification counts) and its last message, newest first.
 */
export function RoomList() {
  const t = useMessages(chatMessages);
  const { client, userId, version } = useChat();
  const [filter, setFilter] = useState('');
  void version;
  const direct = directRoomIds(client);
  const all = client
    .getVisibleRooms()
    .filter((room) => room.getType() === undefined || room.getType() === null)
    .filter((room) => !filter.trim() || room.name.toLowerCase().includes(filter.trim().toLowerCase()))
    .sort((a, b) => b.getLastActiveTimestamp() - a.getLastActiveTimestamp());
  const invitations = all.filter((room) => room.getMyMembership() === 'invite');
  const joined = all.filter((room) => room.getMyMembership() === 'join');
  const isDirect = (room: Room) =>
    direct.has(room.roomId) ||
    (room.getJoinedMemberCount() <= 2 &&
      !room.currentState.getStateEvents(EventType.RoomName, '') &&
      room.getMember(userId)?.events.member?.getContent().is_direct === true);
  const rooms = joined.filter((room) => !isDirect(room));
  const people = joined.filter(isDirect);

  return (
    <nav className="bureau-chat-rooms" aria-labelledby="chat-rooms-title">
      <div className="bureau-chat-rooms__header">
        <h2 id="chat-rooms-title" className="fr-h6 fr-mb-0">
          {t.conversations}
        </h2>
        <Link to="/messagerie/nouveau" className="fr-btn fr-btn--sm fr-icon-add-line fr-btn--icon-left">
          {t.newConversation}
        </Link>
      </div>
      <div className="fr-input-group fr-mb-1w">
        <label className="fr-label fr-sr-only" htmlFor="chat-room-filter">
          {t.filterRooms}
        </label>
        <input
          id="chat-room-filter"
          className="fr-input"
          type="search"
          placeholder={t.filterRooms}
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
      </div>
      {invitations.length > 0 && (
        <section aria-labelledby="chat-invitations-title" className="bureau-chat-rooms__section">
          <h3 id="chat-invitations-title" className="bureau-chat-rooms__title">
            {t.invitations(invitations.length)}
          </h3>
          <ul className="bureau-chat-rooms__list">
            {invitations.map((room) => (
              <li key={room.roomId}>
                <InvitationCard room={room} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <RoomSection id="chat-rooms-section" title={t.rooms} rooms={rooms} empty={t.noRooms} />
      <RoomSection id="chat-direct-section" title={t.directMessages} rooms={people} empty={t.noDirectMessages} />
      <p className="fr-text--xs bureau-chat-muted bureau-chat-rooms__me">
        {t.myMatrixId}{' '}
        <span className="bureau-chat-rooms__id" data-testid="chat-my-id">
          {userId}
        </span>
      </p>
    </nav>
  );
}
