import { sql, type Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('memories')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_ref', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('embedding_model', 'text', (c) => c.notNull())
    // float32 little endian, dimensions × 4 bytes: the source of truth the vector store is rebuilt from.
    .addColumn('vector', 'bytea', (c) => c.notNull())
    // Null while the external vector store (Qdrant) has not acknowledged this row's current vector.
    .addColumn('indexed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('memories_created_idx').on('memories').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('memories_expires_idx').on('memories').column('expires_at').where(sql<boolean>`expires_at is not null`).execute();
  await db.schema.createIndex('memories_unindexed_idx').on('memories').column('updated_at').where(sql<boolean>`indexed_at is null`).execute();

  // Vector-store deletions that could not be carried out yet (Qdrant down); retried in the background.
  await db.schema
    .createTable('memory_index_deletions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('memory_index_deletions').ifExists().execute();
  await db.schema.dropTable('memories').ifExists().execute();
}
