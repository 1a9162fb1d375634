import type * as contracts from '@bureau/contracts';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Page, SensitivityLevel } from '../../api/types.ts';

/*
 * Albert's API for agents (apps/server/src/modules/assistant/answers/assistant.routes.ts): conversations,
 * feedback, collections, their documents and shares. Asking and writing (streamed) are in ask-stream.ts.
 * Shapes come from packages/contracts as types only: the schemas (and zod) stay on the server.
 */

export type AskResponse = contracts.AskResponse;
export type Citation = contracts.Citation;
export type Conversation = contracts.Conversation;
export type ConversationMessage = contracts.ConversationMessage;
export type ConversationSummary = contracts.ConversationSummary;
export type FeedbackReason = contracts.FeedbackReason;
export type AnswerMode = contracts.AnswerMode;
export type FlaggedCitation = AskResponse['flaggedCitations'][number];
export type ServedBy = NonNullable<AskResponse['provider']>;
export type Feedback = NonNullable<ConversationMessage['feedback']>;
export type WriteRequest = contracts.WriteRequest;
export type WriteResponse = contracts.WriteResponse;
export type WritingTask = contracts.WritingTask;
export type WritingLanguage = NonNullable<WriteRequest['language']>;

/** `writingTasks` and `writingLanguages` of packages/contracts/src/assistant.ts, repeated (the types keep them equal). */
export const writingTasks: typeof contracts.writingTasks = ['summarise', 'rewrite', 'translate', 'continue', 'fix'];
export const writingLanguages: typeof contracts.writingLanguages = ['fr', 'en', 'de', 'es', 'it'];

/** `assistantLimits` of packages/contracts/src/assistant.ts, repeated (the type keeps them equal). */
export const assistantLimits: typeof contracts.assistantLimits = {
  questionMaxLength: 2_000,
  collectionsMax: 20,
  commentMaxLength: 2_000,
  conversationTitleMaxLength: 200,
  conversationsPageMax: 50,
  writeTextMaxLength: 20_000,
};

/** `feedbackReasons` of packages/contracts/src/assistant.ts, repeated (the type keeps them equal). */
export const feedbackReasons: typeof contracts.feedbackReasons = {
  positive: ['clear', 'concise', 'reliable-sources'],
  negative: ['hallucination', 'missing-sources', 'too-long', 'inconsistent', 'imprecise', 'grammar'],
};

/** The largest file an upload may carry (`defaultParseLimits.maxBytes` of the server's parsers). */
export const uploadMaxBytes = 50 * 1024 * 1024;

/** The files the parsers read (PDF, DOCX, ODT, HTML, Markdown, text). */
export const uploadAccept = '.pdf,.docx,.odt,.html,.htm,.md,.markdown,.txt';

export type CollectionScope = 'public' | 'organisation' | 'group' | 'user';

/** A collection as `GET /api/assistant/collections` lists it. */
export interface CollectionSummary {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  scope: CollectionScope;
  label: SensitivityLevel;
  documentCount: number;
  canEdit: boolean;
  /** Whether the signed-in person may share it (its owner). */
  canShare: boolean;
  updatedAt: string;
  lastImport: {
    status: 'running' | 'completed' | 'failed';
    processed: number;
    total: number | null;
    origin: string;
    finishedAt: string | null;
  } | null;
}

export interface NewCollection {
  name: string;
  description?: string;
  scope: 'user' | 'organisation' | 'group';
  groupId?: string;
  label?: SensitivityLevel;
}

/** A document of a collection (`GET /api/assistant/collections/:id/documents`), newest first. */
export interface CollectionDocument {
  id: string;
  externalId: string;
  kind: string;
  title: string;
  status: 'ready' | 'pending' | 'failed';
  errorCode: string | null;
  fileName: string | null;
  sizeBytes: number | null;
  updatedAt: string;
}

/** What `POST /api/assistant/collections/:id/documents` answers. */
export interface UploadedDocument {
  id: string;
  status: 'ready' | 'failed';
  errorCode: string | null;
  title: string;
}

export type SharePrincipal = { kind: 'user' | 'group' | 'organisation'; id: string } | { kind: 'all_agents' };
export type ShareRole = 'reader' | 'editor';

/** A grant on a collection (`GET /api/assistant/collections/:id/shares`); the owner's cannot be removed. */
export interface CollectionShare {
  id: string;
  principal: { kind: string; id?: string };
  role: string;
  createdAt: string;
}

const base = '/api/assistant';

export const assistantKeys = {
  all: ['assistant'] as const,
  conversations: ['assistant', 'conversations'] as const,
  conversation: (id: string) => ['assistant', 'conversation', id] as const,
  collections: ['assistant', 'collections'] as const,
  documents: (collectionId: string) => ['assistant', 'collection', collectionId, 'documents'] as const,
  shares: (collectionId: string) => ['assistant', 'collection', collectionId, 'shares'] as const,
};

/** The person's conversations, newest first, 20 at a time. */
export function useConversations() {
  return useInfiniteQuery({
    queryKey: assistantKeys.conversations,
    queryFn: ({ pageParam, signal }) =>
      api<Page<ConversationSummary>>(`${base}/conversations`, { query: { limit: 20, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useConversation(id: string | undefined) {
  return useQuery({
    queryKey: assistantKeys.conversation(id ?? ''),
    queryFn: ({ signal }) => api<Conversation>(`${base}/conversations/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: id !== undefined,
  });
}

export function renameConversation(id: string, title: string): Promise<ConversationSummary> {
  return api<ConversationSummary>(`${base}/conversations/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    json: { title },
  });
}

export function deleteConversation(id: string): Promise<undefined> {
  return api<undefined>(`${base}/conversations/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function saveFeedback(messageId: string, feedback: Feedback): Promise<Feedback> {
  return api<Feedback>(`${base}/messages/${encodeURIComponent(messageId)}/feedback`, {
    method: 'PUT',
    json: feedback,
  });
}

/** The collections the person may read (public ones first); refreshed while an import runs. */
export function useCollections() {
  return useQuery({
    queryKey: assistantKeys.collections,
    queryFn: async ({ signal }) => (await api<{ items: CollectionSummary[] }>(`${base}/collections`, { signal })).items,
    refetchInterval: (query) =>
      query.state.data?.some((collection) => collection.lastImport?.status === 'running') ? 5_000 : false,
  });
}

export function createCollection(collection: NewCollection): Promise<CollectionSummary> {
  return api<CollectionSummary>(`${base}/collections`, { method: 'POST', json: collection });
}

export function useCollectionDocuments(collectionId: string) {
  return useQuery({
    queryKey: assistantKeys.documents(collectionId),
    queryFn: async ({ signal }) =>
      (
        await api<{ items: CollectionDocument[] }>(
          `${base}/collections/${encodeURIComponent(collectionId)}/documents`,
          { signal },
        )
      ).items,
    refetchInterval: (query) => (query.state.data?.some((document) => document.status === 'pending') ? 3_000 : false),
  });
}

/** The shares of a collection; the server answers 403 to those who may not share it. */
export function useCollectionShares(collectionId: string) {
  return useQuery({
    queryKey: assistantKeys.shares(collectionId),
    queryFn: async ({ signal }) =>
      (
        await api<{ items: CollectionShare[] }>(`${base}/collections/${encodeURIComponent(collectionId)}/shares`, {
          signal,
        })
      ).items,
  });
}

export function addShare(collectionId: string, principal: SharePrincipal, role: ShareRole): Promise<CollectionShare> {
  return api<CollectionShare>(`${base}/collections/${encodeURIComponent(collectionId)}/shares`, {
    method: 'POST',
    json: { principal, role },
  });
}

export function removeShare(collectionId: string, grantId: string): Promise<undefined> {
  return api<undefined>(
    `${base}/collections/${encodeURIComponent(collectionId)}/shares/${encodeURIComponent(grantId)}`,
    { method: 'DELETE' },
  );
}

/** The message a finished answer becomes in its conversation (what `GET /conversations/:id` would list). */
export function messageOf(
  question: string,
  response: AskResponse,
  collections: readonly string[],
): ConversationMessage {
  return {
    id: response.messageId,
    question,
    answer: response.answer,
    citations: response.citations,
    flaggedCitations: response.flaggedCitations,
    mode: response.mode,
    provider: response.provider,
    sensitivity: response.sensitivity,
    collections: [...collections],
    status: 'completed',
    errorCode: null,
    createdAt: new Date().toISOString(),
    feedback: null,
  };
}
