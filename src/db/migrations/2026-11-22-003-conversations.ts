import { sql, type Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversation_threads')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('chat_id', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .addColumn('summary', 'text')
    .addColumn('summarized_through', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('title', 'text')
    .execute();
  await db.schema.createIndex('conversation_threads_chat_idx').on('conversation_threads').columns(['chat_id', 'ended_at']).execute();

  await db.schema
    .createTable('conversation_turns')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('thread_id', 'bigint', (c) => c.notNull().references('conversation_threads.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('origin_key', 'text', (c) => c.unique())
    .addColumn('used', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('conversation_turns_thread_idx').on('conversation_turns').columns(['thread_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('conversation_turns').ifExists().execute();
  await db.schema.dropTable('conversation_threads').ifExists().execute();
}
