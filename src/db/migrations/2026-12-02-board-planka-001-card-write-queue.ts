import { sql, type Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
//
// Two things were called "outbox": Telegram replies (`outbox`) and queued Planka writes
// (`board_outbox`). The second is now the card write queue. `retries` counts failed tries
// (including a board bootstrap that failed before any write was sent), so the wait between
// tries grows; `attempts` keeps its meaning: how often a write may have reached Planka.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('board_outbox').renameTo('card_write_queue').execute();
  await sql`alter index board_outbox_pending_idx rename to card_write_queue_pending_idx`.execute(db);
  await db.schema.alterTable('card_write_queue').addColumn('retries', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('card_write_queue').dropColumn('retries').execute();
  await sql`alter index card_write_queue_pending_idx rename to board_outbox_pending_idx`.execute(db);
  await db.schema.alterTable('card_write_queue').renameTo('board_outbox').execute();
}
