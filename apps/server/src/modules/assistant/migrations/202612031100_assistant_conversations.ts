import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * The assistant's conversations: each question with its answer, citations, mode, provider and level,
 * and the asker's feedback (thumbs, Albert France Services' reason tags, a comment), which the impact
 * dashboard aggregates.
 */
export const assistantConversationsMigration: Migration = {
  name: '202612031100_assistant_conversations',
  async up(db, { types }) {
    await db.schema
      .createTable('assistant_conversations')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('user_id', types.id, (column) => column.notNull())
      .addColumn('organisation_id', types.id)
      .addColumn('title', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('assistant_conversations_by_user')
      .on('assistant_conversations')
      .columns(['user_id', 'updated_at'])
      .execute();

    await db.schema
      .createTable('assistant_messages')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('conversation_id', types.id, (column) => column.notNull())
      .addColumn('user_id', types.id, (column) => column.notNull())
      .addColumn('organisation_id', types.id)
      .addColumn('question', 'text', (column) => column.notNull())
      .addColumn('answer', 'text', (column) => column.notNull())
      /** JSON: the citations kept, and those removed (`flagged`). */
      .addColumn('citations', 'text', (column) => column.notNull())
      .addColumn('flagged_citations', 'text', (column) => column.notNull())
      /** JSON array of the collection slugs searched. */
      .addColumn('collections', 'text', (column) => column.notNull())
      /** `generative`, `extractive`, `no-answer`. */
      .addColumn('mode', 'text', (column) => column.notNull())
      /** JSON: who answered (provider, hosting, model), null without a model. */
      .addColumn('served_by', 'text')
      .addColumn('sensitivity', 'text', (column) => column.notNull())
      /** `completed`, `failed` (the model failed midway: the answer is what came). */
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('error_code', 'text')
      .addColumn('latency_ms', 'integer', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('assistant_messages_by_conversation')
      .on('assistant_messages')
      .columns(['conversation_id', 'created_at'])
      .execute();
    await db.schema.createIndex('assistant_messages_by_time').on('assistant_messages').column('created_at').execute();

    await db.schema
      .createTable('assistant_feedback')
      .addColumn('message_id', types.id, (column) => column.primaryKey())
      .addColumn('user_id', types.id, (column) => column.notNull())
      /** `up` or `down`. */
      .addColumn('rating', 'text', (column) => column.notNull())
      /** JSON array of reason tags. */
      .addColumn('reasons', 'text', (column) => column.notNull())
      .addColumn('comment', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
  },
};
