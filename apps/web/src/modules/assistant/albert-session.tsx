import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useSignedInUser } from '../../app/states.tsx';
import { useLocale, useMessages } from '../../i18n.tsx';
import { spokenText } from './AnswerText.tsx';
import { askAlbert } from './ask-stream.ts';
import {
  assistantKeys,
  messageOf,
  type Citation,
  type Conversation,
  type ConversationMessage,
  type FlaggedCitation,
} from './assistant.api.ts';
import { assistantMessages } from './assistant.messages.ts';

/** The answer being written (or cut short): shown after the conversation's stored messages. */
export interface LiveTurn {
  key: number;
  question: string;
  /** The conversation asked in; null for a new one. */
  conversationId: string | null;
  text: string;
  citations: Citation[];
  flagged: FlaggedCitation[];
  status: 'streaming' | 'stopped' | 'failed';
  error?: unknown;
}

interface AlbertSession {
  live: LiveTurn | undefined;
  /** The last answer received, to select it in its conversation. */
  lastAnswer: { conversationId: string; messageId: string } | undefined;
  ask: (question: string, conversationId: string | undefined) => void;
  stop: () => void;
  /** The collections chosen for the next questions (ids); none: the public ones. */
  collections: string[];
  setCollections: (ids: string[]) => void;
}

const SessionContext = createContext<AlbertSession | undefined>(undefined);

/** A conversation is named after its first question (`titleOf` of the server's answer.service.ts). */
function titleOf(question: string): string {
  const flat = question.replace(/\s+/g, ' ').trim();
  return flat.length <= 80 ? flat : `${flat.slice(0, 79).replace(/\s+\S*$/, '')}…`;
}

let turnCounter = 0;

/**
 * Albert's state shared by its conversation pages: the answer being streamed (it survives the move from
 * `/albert` to the new conversation's address), the collections chosen, and the polite live region that
 * says when an answer starts and what it says once complete (not word by word).
 */
export function AlbertSessionProvider({ children }: { children: ReactNode }) {
  const t = useMessages(assistantMessages);
  const { locale } = useLocale();
  const me = useSignedInUser();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const pathnameRef = useRef(location.pathname);
  useEffect(() => {
    pathnameRef.current = location.pathname;
  }, [location.pathname]);
  const controllerRef = useRef<AbortController | undefined>(undefined);
  const [live, setLive] = useState<LiveTurn | undefined>();
  const [lastAnswer, setLastAnswer] = useState<AlbertSession['lastAnswer']>();
  const [collections, setCollections] = useState<string[]>([]);
  const [announcement, setAnnouncement] = useState('');

  const say = useCallback((text: string) => {
    // The same text twice in a row is not read again: vary it invisibly.
    setAnnouncement((current) => (current === text ? `${text}\u00a0` : text));
  }, []);

  // Leaving Albert stops the answer being written.
  useEffect(() => () => controllerRef.current?.abort(), []);

  const ask = useCallback(
    (question: string, conversationId: string | undefined) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      const key = ++turnCounter;
      const chosen = [...collections];
      setLive({
        key,
        question,
        conversationId: conversationId ?? null,
        text: '',
        citations: [],
        flagged: [],
        status: 'streaming',
      });
      say(t.announceStart);
      const update = (change: (turn: LiveTurn) => LiveTurn) =>
        setLive((current) => (current?.key === key ? change(current) : current));
      askAlbert(
        {
          question,
          ...(chosen.length > 0 ? { collections: chosen } : {}),
          ...(conversationId ? { conversationId } : {}),
        },
        {
          signal: controller.signal,
          csrfToken: me.csrfToken,
          locale,
          onDelta: (text) => update((turn) => ({ ...turn, text: turn.text + text })),
          onCitations: (citations, flagged) => update((turn) => ({ ...turn, citations, flagged })),
        },
      )
        .then((response) => {
          const message: ConversationMessage = messageOf(question, response, chosen);
          const now = new Date().toISOString();
          queryClient.setQueryData<Conversation>(assistantKeys.conversation(response.conversationId), (old) =>
            old
              ? {
                  ...old,
                  updatedAt: now,
                  messages: [...old.messages.filter((item) => item.id !== message.id), message],
                }
              : {
                  id: response.conversationId,
                  title: titleOf(question),
                  createdAt: now,
                  updatedAt: now,
                  messages: [message],
                },
          );
          void queryClient.invalidateQueries({ queryKey: assistantKeys.conversations });
          setLastAnswer({ conversationId: response.conversationId, messageId: response.messageId });
          if (!conversationId && pathnameRef.current.replace(/\/$/, '') === '/albert') {
            void navigate(`/albert/conversations/${encodeURIComponent(response.conversationId)}`, { replace: true });
          }
          setLive((current) => (current?.key === key ? undefined : current));
          say(t.announceDone(spokenText(response.answer), response.citations.length));
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) {
            update((turn) => ({ ...turn, status: 'stopped' }));
            say(t.announceStopped);
          } else {
            update((turn) => ({ ...turn, status: 'failed', error }));
          }
          // The server may have kept the conversation (and an answer cut short).
          void queryClient.invalidateQueries({ queryKey: assistantKeys.conversations });
        })
        .finally(() => {
          if (controllerRef.current === controller) controllerRef.current = undefined;
        });
    },
    [collections, me.csrfToken, locale, queryClient, navigate, say, t],
  );

  const stop = useCallback(() => controllerRef.current?.abort(), []);

  const value = useMemo(
    () => ({ live, lastAnswer, ask, stop, collections, setCollections }),
    [live, lastAnswer, ask, stop, collections],
  );
  return (
    <SessionContext.Provider value={value}>
      {children}
      <p className="fr-sr-only bureau-albert-announcer" role="status" aria-live="polite">
        {announcement}
      </p>
    </SessionContext.Provider>
  );
}

export function useAlbertSession(): AlbertSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useAlbertSession() used outside <AlbertSessionProvider>.');
  return session;
}
