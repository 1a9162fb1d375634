import { EventStatus, EventType, ReceiptType, RoomEvent, type MatrixEvent, type Room } from 'matrix-js-sdk';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { usePageTitle } from '../../app/page.ts';
import { useMessages } from '../../i18n.tsx';
import { useChat } from './chat-client.tsx';
import { chatMessages } from './chat.messages.ts';
import { Composer } from './Composer.tsx';
import { InvitationCard } from './RoomList.tsx';
import { memberName, messageExcerpt } from './MessageItem.tsx';
import { Timeline } from './Timeline.tsx';
import {
  buildTimeline,
  foldForSearch,
  isMessageLike,
  loadedEvents,
  threadRootOf,
  eventTypes,
  threadSummaries,
  type TimelineItem,
} from './timeline-model.ts';

/** Whether the room's messages are end-to-end encrypted (read here when the tab's crypto runs: `useChat().crypto`). */
export function isEncrypted(room: Room): boolean {
  return room.hasEncryptionStateEvent();
}

/** The room shown by `/messagerie/salons/:roomId`, or undefined when unknown. */
export function useRoomParam(): { roomId: string; room: Room | null } {
  const { roomId = '' } = useParams();
  const { client } = useChat();
  return { roomId, room: client.getRoom(roomId) };
}

/** People typing in the room, except me ("Claire est en train d'écrire…"). */
function TypingIndicator({ room }: { room: Room }) {
  const t = useMessages(chatMessages);
  const { userId } = useChat();
  const typing = room.currentState
    .getMembers()
    .filter((member) => member.typing && member.userId !== userId)
    .map((member) => member.name);
  return (
    <p className="bureau-chat-typing fr-text--sm fr-mb-0" role="status">
      {typing.length > 0 ? t.typing(typing) : ''}
    </p>
  );
}

/** Sends the read receipt (`m.read`) for the newest message when it is in view and not read yet. */
function useReadReceipt(room: Room): () => void {
  const { client, userId } = useChat();
  const lastSent = useRef<string | undefined>(undefined);
  return useCallback(() => {
    if (document.visibilityState !== 'visible') return;
    const events = room.getLiveTimeline().getEvents();
    const last = [...events].reverse().find((event) => event.status === null || event.status === EventStatus.SENT);
    const lastId = last?.getId();
    if (!last || !lastId || lastId === lastSent.current) return;
    if (room.getEventReadUpTo(userId) === lastId || last.getSender() === userId) {
      lastSent.current = lastId;
      return;
    }
    lastSent.current = lastId;
    client.sendReadReceipt(last, ReceiptType.Read).catch(() => {
      lastSent.current = undefined;
    });
  }, [client, room, userId]);
}

/** New messages from others in the open room, said by screen readers (politely). */
function useIncomingAnnouncements(room: Room): string {
  const t = useMessages(chatMessages);
  const { client, userId } = useChat();
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    const onTimeline = (
      event: MatrixEvent,
      eventRoom: Room | undefined,
      toStartOfTimeline: boolean | undefined,
      _removed: boolean,
      data: { liveEvent?: boolean },
    ) => {
      if (eventRoom?.roomId !== room.roomId || toStartOfTimeline || !data.liveEvent) return;
      if (event.getSender() === userId || !isMessageLike(event)) return;
      if (event.getType() !== eventTypes.message && event.getType() !== eventTypes.encrypted) return;
      if (event.isRelation('m.replace')) return;
      setAnnouncement(t.newMessageFrom(memberName(room, event.getSender()), messageExcerpt(event, t)));
    };
    client.on(RoomEvent.Timeline, onTimeline);
    return () => {
      client.off(RoomEvent.Timeline, onTimeline);
    };
  }, [client, room, userId, t]);
  return announcement;
}

function RoomSearch({ room, onShow }: { room: Room; onShow: (eventId: string) => void }) {
  const t = useMessages(chatMessages);
  const { client, version } = useChat();
  const [term, setTerm] = useState('');
  const [isLoadingMore, setLoadingMore] = useState(false);
  const folded = foldForSearch(term.trim());
  const results = useMemo(() => {
    if (folded.length < 2) return [];
    void version;
    return loadedEvents(room)
      .filter((event) => isMessageLike(event) && !event.isRedacted() && !event.isRelation('m.replace'))
      .filter((event) => event.getType() !== eventTypes.reaction)
      .filter((event) => foldForSearch(String(event.getContent().body ?? '')).includes(folded))
      .reverse();
  }, [room, folded, version]);
  const canSearchFurther = room.oldState.paginationToken !== null;
  return (
    <section className="bureau-chat-search" aria-labelledby="chat-search-title">
      <h2 id="chat-search-title" className="fr-sr-only">
        {t.searchInRoom}
      </h2>
      <form role="search" aria-label={t.searchInRoom} onSubmit={(event) => event.preventDefault()}>
        <div className="fr-input-group fr-mb-1w">
          <label className="fr-label" htmlFor="chat-search-input">
            {t.searchInRoom}
            <span className="fr-hint-text">{t.searchHint}</span>
          </label>
          <input
            id="chat-search-input"
            className="fr-input"
            type="search"
            value={term}
            autoComplete="off"
            onChange={(event) => setTerm(event.target.value)}
          />
        </div>
      </form>
      {folded.length >= 2 && (
        <>
          <p role="status" className="fr-text--sm fr-mb-1w">
            {t.searchResults(results.length)}
          </p>
          {results.length > 0 && (
            <ul className="bureau-chat-search__results">
              {results.slice(0, 50).map((event) => (
                <li key={event.getId()}>
                  <button
                    type="button"
                    className="bureau-chat-search__result"
                    onClick={() => onShow(event.getId() ?? '')}
                  >
                    <span className="bureau-chat-message__sender">{memberName(room, event.getSender())}</span>{' '}
                    <span>{messageExcerpt(event, t)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {canSearchFurther && (
            <button
              type="button"
              className="fr-btn fr-btn--tertiary fr-btn--sm"
              disabled={isLoadingMore}
              onClick={() => {
                setLoadingMore(true);
                client
                  .scrollback(room, 100)
                  .catch(() => undefined)
                  .finally(() => setLoadingMore(false));
              }}
            >
              {t.searchFurther}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function ThreadPanel({ room, rootId, onClose }: { room: Room; rootId: string; onClose: () => void }) {
  const t = useMessages(chatMessages);
  const { client, userId, version, crypto } = useChat();
  const [replyTo, setReplyTo] = useState<MatrixEvent | undefined>();
  const [olderAnswers, setOlderAnswers] = useState<MatrixEvent[]>([]);
  const [canLoadOlder, setCanLoadOlder] = useState(false);
  const closeRef = useRef<HTMLButtonElement>(null);
  const items: TimelineItem[] = useMemo(() => {
    void version;
    const loaded = loadedEvents(room);
    const known = new Set(loaded.map((event) => event.getId()));
    const extra = olderAnswers.filter((event) => !known.has(event.getId()));
    return buildTimeline(room, userId, { threadRoot: rootId, events: [...extra, ...loaded] });
  }, [room, userId, rootId, version, olderAnswers]);
  const root = room.findEventById(rootId);
  const loadedAnswers = items.filter((item) => item.kind === 'message' && threadRootOf(item.event) === rootId).length;
  const expected = root?.getServerAggregatedRelation<{ count?: number }>('m.thread')?.count ?? 0;

  useEffect(() => {
    closeRef.current?.focus();
  }, [rootId]);
  useEffect(() => {
    setCanLoadOlder(expected > loadedAnswers);
  }, [expected, loadedAnswers]);

  return (
    <aside className="bureau-chat-thread" aria-labelledby="chat-thread-title">
      <div className="bureau-chat-thread__header">
        <h2 id="chat-thread-title" className="fr-h6 fr-mb-0">
          {t.thread}
        </h2>
        <button
          ref={closeRef}
          type="button"
          className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-close-line"
          title={t.closeThread}
          onClick={onClose}
        >
          {t.closeThread}
        </button>
      </div>
      <Timeline
        room={room}
        items={items}
        label={t.thread}
        isInThread
        canLoadOlder={canLoadOlder ? true : undefined}
        onLoadOlder={async () => {
          // Answers older than the loaded history, from the relations API (Matrix 1.3).
          const answer = await client.relations(room.roomId, rootId, 'm.thread', null, { limit: 100 });
          setOlderAnswers(answer.events);
          setCanLoadOlder(false);
        }}
        onReply={setReplyTo}
      />
      {root ? (
        <Composer
          room={room}
          label={t.answerInThread}
          threadRoot={rootId}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(undefined)}
          onSent={() => setReplyTo(undefined)}
          isDisabled={isEncrypted(room) && crypto !== 'on'}
        />
      ) : (
        <p className="fr-text--sm">{t.threadRootNotLoaded}</p>
      )}
    </aside>
  );
}

/**
 * A room: its name (the page's h1) and topic, search, the timeline with infinite scroll backwards, the
 * thread panel (`?fil=<event>`), who is typing, the composer. An invitation shows the invitation instead.
 */
export function RoomPage() {
  const t = useMessages(chatMessages);
  const { room } = useRoomParam();
  if (!room) {
    return (
      <div className="bureau-chat-pane bureau-chat-pane--padded">
        <PageTitle title={t.roomNotFound} />
        <h1>{t.roomNotFound}</h1>
        <p>{t.roomNotFoundText}</p>
        <Link to="/messagerie" className="fr-link fr-icon-arrow-left-line fr-link--icon-left">
          {t.backToRooms}
        </Link>
      </div>
    );
  }
  if (room.getMyMembership() === 'invite') {
    return (
      <div className="bureau-chat-pane bureau-chat-pane--padded">
        <PageTitle title={room.name} />
        <h1>{room.name}</h1>
        <InvitationCard room={room} isPage />
      </div>
    );
  }
  return <RoomView key={room.roomId} room={room} />;
}

function PageTitle({ title }: { title: string }) {
  const t = useMessages(chatMessages);
  usePageTitle(`${title} – ${t.title}`);
  return null;
}

function RoomView({ room }: { room: Room }) {
  const t = useMessages(chatMessages);
  const { client, userId, version, crypto } = useChat();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const threadRoot = searchParams.get('fil') ?? undefined;
  const [replyTo, setReplyTo] = useState<MatrixEvent | undefined>();
  const [isSearchOpen, setSearchOpen] = useState(false);
  const [focusEventId, setFocusEventId] = useState<string | undefined>();
  const sendReceipt = useReadReceipt(room);
  const announcement = useIncomingAnnouncements(room);

  const events = useMemo(() => {
    void version;
    return loadedEvents(room);
  }, [room, version]);
  const items = useMemo(() => buildTimeline(room, userId, { events }), [room, userId, events]);
  const threads = useMemo(() => threadSummaries(events), [events]);
  const loadOlder = useCallback(() => client.scrollback(room, 30), [client, room]);

  const membership = room.getMyMembership();

  const topic = room.currentState.getStateEvents(EventType.RoomTopic, '')?.getContent().topic as string | undefined;
  const isEncryptedRoom = isEncrypted(room);
  const canLoadOlder = room.oldState.paginationToken !== null;
  const openThread = (eventId: string) => {
    const next = new URLSearchParams(searchParams);
    next.set('fil', eventId);
    setSearchParams(next);
  };
  const closeThread = () => {
    const next = new URLSearchParams(searchParams);
    next.delete('fil');
    setSearchParams(next);
  };

  return (
    <div className={`bureau-chat-pane bureau-chat-room${threadRoot ? ' bureau-chat-room--thread' : ''}`}>
      <PageTitle title={room.name} />
      <header className="bureau-chat-room__header">
        <Link
          to="/messagerie"
          className="bureau-chat-room__back fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-arrow-left-line"
          title={t.backToRooms}
        >
          {t.backToRooms}
        </Link>
        <div className="bureau-chat-room__title">
          <h1 className="fr-h5 fr-mb-0">
            {isEncryptedRoom && <span className="fr-icon-lock-line fr-icon--sm fr-mr-1v" aria-hidden="true" />}
            {room.name}
          </h1>
          {topic && <p className="fr-text--sm fr-mb-0 bureau-chat-muted">{topic}</p>}
        </div>
        <div className="bureau-chat-room__tools">
          <button
            type="button"
            className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-search-line"
            title={t.searchInRoom}
            aria-expanded={isSearchOpen}
            aria-controls="chat-room-search"
            onClick={() => setSearchOpen((value) => !value)}
          >
            {t.searchInRoom}
          </button>
          <Link
            to={`/messagerie/salons/${encodeURIComponent(room.roomId)}/parametres`}
            className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-settings-5-line"
            title={t.roomSettings}
          >
            {t.roomSettings}
          </Link>
        </div>
      </header>
      <div id="chat-room-search" hidden={!isSearchOpen}>
        {isSearchOpen && <RoomSearch room={room} onShow={(eventId) => setFocusEventId(eventId)} />}
      </div>
      {isEncryptedRoom && crypto !== 'on' && crypto !== 'starting' && (
        <div className="fr-alert fr-alert--warning fr-alert--sm bureau-chat-room__notice">
          <p>{crypto === 'other-tab' ? t.encryptionInOtherTab : t.encryptionUnsupported}</p>
        </div>
      )}
      <div className="bureau-chat-room__body">
        <div className="bureau-chat-room__main">
          <Timeline
            room={room}
            items={items}
            label={t.messagesOf(room.name)}
            canLoadOlder={canLoadOlder}
            onLoadOlder={loadOlder}
            isInThread={false}
            threadCounts={threads}
            onReply={(event) => setReplyTo(event)}
            onOpenThread={openThread}
            onAtBottom={sendReceipt}
            focusEventId={focusEventId}
          />
          <TypingIndicator room={room} />
          <Composer
            room={room}
            label={t.messageTo(room.name)}
            replyTo={replyTo}
            onCancelReply={() => setReplyTo(undefined)}
            onSent={() => setReplyTo(undefined)}
            isDisabled={(isEncryptedRoom && crypto !== 'on') || membership !== 'join'}
          />
        </div>
        {threadRoot && <ThreadPanel room={room} rootId={threadRoot} onClose={closeThread} />}
      </div>
      <p className="fr-sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
      {membership === 'leave' && (
        <p className="fr-text--sm">
          {t.leftRoom}{' '}
          <button type="button" className="fr-link" onClick={() => void navigate('/messagerie')}>
            {t.backToRooms}
          </button>
        </p>
      )}
    </div>
  );
}
