import { z } from 'zod';
import { sensitivityLevelSchema } from './identity.ts';

/** Limits of the assistant's requests, enforced by the server and by the web app's forms. */
export const assistantLimits = {
  questionMaxLength: 2_000,
  /** Collections named in one question. */
  collectionsMax: 20,
  commentMaxLength: 2_000,
  conversationTitleMaxLength: 200,
  conversationsPageMax: 50,
  /** Text given to Albert to summarise, rewrite, translate, continue or correct. */
  writeTextMaxLength: 20_000,
} as const;

export const answerModes = ['generative', 'extractive', 'no-answer'] as const;
export const answerModeSchema = z.enum(answerModes);
export type AnswerMode = z.infer<typeof answerModeSchema>;

/** The feedback tags of Albert France Services, kept so that figures compare. */
export const feedbackReasons = {
  positive: ['clear', 'concise', 'reliable-sources'],
  negative: ['hallucination', 'missing-sources', 'too-long', 'inconsistent', 'imprecise', 'grammar'],
} as const;
export const feedbackReasonSchema = z.enum([...feedbackReasons.positive, ...feedbackReasons.negative]);
export type FeedbackReason = z.infer<typeof feedbackReasonSchema>;

/** `POST /api/assistant/ask` (JSON, or `Accept: text/event-stream` for a streamed answer). */
export const askRequestSchema = z.object({
  question: z.string().trim().min(1).max(assistantLimits.questionMaxLength),
  /** Collection ids or slugs; default: the public collections. */
  collections: z.array(z.string().trim().min(1).max(100)).max(assistantLimits.collectionsMax).optional(),
  conversationId: z.uuid().optional(),
});
export type AskRequest = z.infer<typeof askRequestSchema>;

export const citationSchema = z.object({
  /** The `[n]` the answer refers to it by. */
  number: z.number().int().positive(),
  sourceId: z.string(),
  /** Its id in its source: `F1412`, `L1234-5`. */
  externalId: z.string(),
  title: z.string(),
  url: z.string().nullable(),
  date: z.string().nullable(),
  /** The passage the answer rests on. */
  quote: z.string(),
  headings: z.array(z.string()),
  collection: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
});
export type Citation = z.infer<typeof citationSchema>;

/** A citation the server removed from the answer: it named no retrieved source, or its sentence shares nothing with it. */
export const flaggedCitationSchema = z.object({
  number: z.number().int(),
  reason: z.enum(['not-retrieved', 'not-grounded']),
});

export const servedBySchema = z.object({
  providerId: z.string(),
  providerName: z.string(),
  hosting: z.string(),
  operator: z.string().nullable(),
  model: z.string(),
  isPseudonymised: z.boolean(),
});

export const askResponseSchema = z.object({
  answer: z.string(),
  citations: z.array(citationSchema),
  flaggedCitations: z.array(flaggedCitationSchema),
  mode: answerModeSchema,
  /** The model provider that wrote the answer (null in extractive and no-answer modes). */
  provider: servedBySchema.nullable(),
  /** The highest label of the sources given to the model: it decided which providers could see them. */
  sensitivity: sensitivityLevelSchema,
  conversationId: z.string(),
  messageId: z.string(),
});
export type AskResponse = z.infer<typeof askResponseSchema>;

export const conversationSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

export const conversationMessageSchema = z.object({
  id: z.string(),
  question: z.string(),
  answer: z.string(),
  citations: z.array(citationSchema),
  flaggedCitations: z.array(flaggedCitationSchema),
  mode: answerModeSchema,
  provider: servedBySchema.nullable(),
  sensitivity: sensitivityLevelSchema,
  collections: z.array(z.string()),
  /** `failed`: the model stopped midway; the answer is what came before (`errorCode` says why). */
  status: z.enum(['completed', 'failed']),
  errorCode: z.string().nullable(),
  createdAt: z.string(),
  feedback: z
    .object({ rating: z.enum(['up', 'down']), reasons: z.array(feedbackReasonSchema), comment: z.string().nullable() })
    .nullable(),
});
export type ConversationMessage = z.infer<typeof conversationMessageSchema>;

export const conversationSchema = conversationSummarySchema.extend({ messages: z.array(conversationMessageSchema) });
export type Conversation = z.infer<typeof conversationSchema>;

export const renameConversationSchema = z.object({
  title: z.string().trim().min(1).max(assistantLimits.conversationTitleMaxLength),
});

export const feedbackRequestSchema = z.object({
  rating: z.enum(['up', 'down']),
  reasons: z.array(feedbackReasonSchema).max(9).default([]),
  comment: z.string().trim().max(assistantLimits.commentMaxLength).nullable().optional(),
});
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;

/** What Albert does with a text in an editor (docs: the selection, or the page). */
export const writingTasks = ['summarise', 'rewrite', 'translate', 'continue', 'fix'] as const;
export const writingTaskSchema = z.enum(writingTasks);
export type WritingTask = z.infer<typeof writingTaskSchema>;
export const writingLanguages = ['fr', 'en', 'de', 'es', 'it'] as const;

/** `POST /api/assistant/write` (JSON, or `Accept: text/event-stream`: `delta`, `done`, `error` events). */
export const writeRequestSchema = z.object({
  task: writingTaskSchema,
  text: z.string().trim().min(1).max(assistantLimits.writeTextMaxLength),
  /** The target language of `translate` (French by default). */
  language: z.enum(writingLanguages).optional(),
  /** The Bureau object the text comes from (a page): it must be readable, and its label decides which model may see it. */
  resource: z.object({ type: z.string().regex(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9_]*)+$/), id: z.uuid() }).optional(),
});
export type WriteRequest = z.infer<typeof writeRequestSchema>;

export const writeResponseSchema = z.object({
  /** Markdown. */
  text: z.string(),
  provider: servedBySchema.nullable(),
});
export type WriteResponse = z.infer<typeof writeResponseSchema>;
