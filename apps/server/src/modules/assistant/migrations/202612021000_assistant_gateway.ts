import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * The model gateway: providers added by instance administrators (those of the providers file are not
 * stored: the file is their source of truth), quotas per organisation and per API key, and one usage record
 * per request (the routing decision included).
 */
export const assistantGatewayMigration: Migration = {
  name: '202612021000_assistant_gateway',
  async up(db, { types }) {
    await db.schema
      .createTable('assistant_providers')
      .addColumn('id', 'text', (column) => column.primaryKey())
      /** The provider as the providers file would declare it (ProviderDefinition, secret key included). */
      .addColumn('definition', 'text', (column) => column.notNull())
      .addColumn('created_by', types.id)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('assistant_quotas')
      /** `organisation` or `api-key`. */
      .addColumn('scope_type', 'text', (column) => column.notNull())
      .addColumn('scope_id', types.id, (column) => column.notNull())
      /** A model alias, or `*` for every model. */
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('requests_per_minute', 'integer')
      .addColumn('tokens_per_minute', 'integer')
      .addColumn('tokens_per_day', types.bigint)
      .addColumn('updated_by', types.id)
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('assistant_quotas_pk', ['scope_type', 'scope_id', 'model'])
      .execute();

    await db.schema
      .createTable('assistant_usage')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('at', types.timestamp, (column) => column.notNull())
      .addColumn('organisation_id', types.id)
      .addColumn('user_id', types.id)
      .addColumn('api_key_id', types.id)
      /** `chat`, `embeddings`. */
      .addColumn('endpoint', 'text', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('provider_id', 'text')
      .addColumn('upstream_model', 'text')
      .addColumn('is_stream', types.boolean, (column) => column.notNull())
      /** `success`, `error`, `refused` (sensitivity), `rate-limited`, `busy`, `cancelled`. */
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('error_code', 'text')
      .addColumn('sensitivity', 'text', (column) => column.notNull())
      /** Why this provider: `{ reason, attempts: [{ providerId, outcome }] }`. */
      .addColumn('routing', 'text', (column) => column.notNull())
      .addColumn('prompt_tokens', 'integer', (column) => column.notNull())
      .addColumn('completion_tokens', 'integer', (column) => column.notNull())
      .addColumn('latency_ms', 'integer', (column) => column.notNull())
      .addColumn('first_token_ms', 'integer')
      .addColumn('pseudonymised', 'integer', (column) => column.notNull())
      .execute();
    await db.schema.createIndex('assistant_usage_at').on('assistant_usage').columns(['at']).execute();
    await db.schema
      .createIndex('assistant_usage_organisation')
      .on('assistant_usage')
      .columns(['organisation_id', 'at'])
      .execute();
    await db.schema.createIndex('assistant_usage_key').on('assistant_usage').columns(['api_key_id', 'at']).execute();
  },
};
