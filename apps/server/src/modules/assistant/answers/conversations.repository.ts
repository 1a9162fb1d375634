import type { Database, Executor } from '../../../platform/db/database.ts';

export interface AssistantConversationRow {
  id: string;
  user_id: string;
  organisation_id: string | null;
  title: string;
  created_at: string;
  updated_at: string;
}

export interface AssistantMessageRow {
  id: string;
  conversation_id: string;
  user_id: string;
  organisation_id: string | null;
  question: string;
  answer: string;
  citations: string;
  flagged_citations: string;
  collections: string;
  mode: 'generative' | 'extractive' | 'no-answer';
  served_by: string | null;
  sensitivity: string;
  status: 'completed' | 'failed';
  error_code: string | null;
  latency_ms: number;
  created_at: string;
}

export interface AssistantFeedbackRow {
  message_id: string;
  user_id: string;
  rating: 'up' | 'down';
  reasons: string;
  comment: string | null;
  created_at: string;
  updated_at: string;
}

type ConversationTables = {
  assistant_conversations: AssistantConversationRow;
  assistant_messages: AssistantMessageRow;
  assistant_feedback: AssistantFeedbackRow;
};

/** All SQL of the assistant's conversations, messages and feedback. */
export function createConversationsRepository(database: Database) {
  const tables = (executor: Executor = database.executor) => executor.withTables<ConversationTables>();

  return {
    findConversation: (id: string, userId: string) =>
      tables()
        .selectFrom('assistant_conversations')
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst(),

    /** A user's conversations, most recently active first, after the cursor (`updated_at`, `id`). */
    listConversations: (userId: string, limit: number, before?: { updatedAt: string; id: string }) => {
      let select = tables().selectFrom('assistant_conversations').selectAll().where('user_id', '=', userId);
      if (before) {
        select = select.where((eb) =>
          eb.or([
            eb('updated_at', '<', before.updatedAt),
            eb.and([eb('updated_at', '=', before.updatedAt), eb('id', '<', before.id)]),
          ]),
        );
      }
      return select.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    insertConversation: (row: AssistantConversationRow, executor?: Executor) =>
      tables(executor).insertInto('assistant_conversations').values(row).execute(),

    renameConversation: (id: string, title: string, updatedAt: string) =>
      tables()
        .updateTable('assistant_conversations')
        .set({ title, updated_at: updatedAt })
        .where('id', '=', id)
        .execute(),

    touchConversation: (id: string, updatedAt: string, executor?: Executor) =>
      tables(executor)
        .updateTable('assistant_conversations')
        .set({ updated_at: updatedAt })
        .where('id', '=', id)
        .execute(),

    deleteConversation: async (id: string, executor?: Executor) => {
      const messages = tables(executor).selectFrom('assistant_messages').select('id').where('conversation_id', '=', id);
      await tables(executor).deleteFrom('assistant_feedback').where('message_id', 'in', messages).execute();
      await tables(executor).deleteFrom('assistant_messages').where('conversation_id', '=', id).execute();
      await tables(executor).deleteFrom('assistant_conversations').where('id', '=', id).execute();
    },

    insertMessage: (row: AssistantMessageRow, executor?: Executor) =>
      tables(executor).insertInto('assistant_messages').values(row).execute(),

    messagesOf: (conversationId: string) =>
      tables()
        .selectFrom('assistant_messages')
        .leftJoin('assistant_feedback', 'assistant_feedback.message_id', 'assistant_messages.id')
        .selectAll('assistant_messages')
        .select([
          'assistant_feedback.rating as feedback_rating',
          'assistant_feedback.reasons as feedback_reasons',
          'assistant_feedback.comment as feedback_comment',
        ])
        .where('conversation_id', '=', conversationId)
        .orderBy('assistant_messages.created_at')
        .orderBy('assistant_messages.id')
        .execute(),

    /** The latest questions and answers of a conversation, oldest first (the model's context). */
    recentTurns: async (conversationId: string, limit: number) =>
      (
        await tables()
          .selectFrom('assistant_messages')
          .select(['question', 'answer'])
          .where('conversation_id', '=', conversationId)
          .where('status', '=', 'completed')
          .orderBy('created_at', 'desc')
          .limit(limit)
          .execute()
      ).reverse(),

    findMessage: (id: string, userId: string) =>
      tables()
        .selectFrom('assistant_messages')
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst(),

    upsertFeedback: (row: AssistantFeedbackRow) =>
      tables()
        .insertInto('assistant_feedback')
        .values(row)
        .onConflict((conflict) =>
          conflict.column('message_id').doUpdateSet({
            rating: row.rating,
            reasons: row.reasons,
            comment: row.comment,
            updated_at: row.updated_at,
          }),
        )
        .execute(),
  };
}

export type ConversationsRepository = ReturnType<typeof createConversationsRepository>;
