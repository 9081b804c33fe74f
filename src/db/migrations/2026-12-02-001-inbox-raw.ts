import type { Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
//
// jsonb refuses \u0000 and unpaired surrogates, both of which Telegram delivers; one such
// update made the whole batch fail and the poller retry it forever. The update is now kept as
// the exact JSON text Telegram's update serializes to (escapes intact, so it round-trips).
// `payload` stays for rows stored before; either column is cleared once an ignored update is
// handled, and a row that could not be stored at all keeps neither (status 'failed', error set).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbox').addColumn('raw', 'text').execute();
  await db.schema.alterTable('inbox').alterColumn('payload', (c) => c.dropNotNull()).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbox').dropColumn('raw').execute();
}
