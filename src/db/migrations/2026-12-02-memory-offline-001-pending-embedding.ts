import { sql, type Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
//
// A memory is stored the moment the owner sends it, even when the embedding model is not
// available yet (an offline first run). Such a row has no vector: `vector is null` is the
// durable queue the background embedder works through, oldest first, across restarts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('memories').alterColumn('vector', (c) => c.dropNotNull()).execute();
  await db.schema.createIndex('memories_unembedded_idx').on('memories').columns(['created_at', 'id']).where(sql<boolean>`vector is null`).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('memories_unembedded_idx').ifExists().execute();
  await sql`delete from memories where vector is null`.execute(db);
  await db.schema.alterTable('memories').alterColumn('vector', (c) => c.setNotNull()).execute();
}
