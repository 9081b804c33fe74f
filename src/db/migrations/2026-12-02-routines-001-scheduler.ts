import { sql, type Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
//
// Proactive messages (one row per idempotency scope), the routine run log (unique per
// routine and slot, written before anything is sent), routine state (first seen, paused),
// reminders made in chat, and the nudge log (one nudge per card and day).
// Timestamps are written from the injected clock, never from the database's now().
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('owner_messages')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('sending', 'delivered', 'held', 'digested')`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('urgent', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('buttons', 'text')
    .addColumn('message_ids', 'text')
    .addColumn('digest_scope', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('owner_messages_status_idx').on('owner_messages').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('routine_runs')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('routine', 'text', (c) => c.notNull())
    .addColumn('slot', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('message_ids', 'text')
    .addColumn('reported', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addUniqueConstraint('routine_runs_slot_unique', ['routine', 'slot'])
    .execute();
  await db.schema.createIndex('routine_runs_status_idx').on('routine_runs').columns(['status']).execute();

  await db.schema
    .createTable('routine_state')
    .addColumn('routine', 'text', (c) => c.primaryKey())
    .addColumn('first_seen', 'timestamptz', (c) => c.notNull())
    .addColumn('paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('reminders')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('repeat', 'text')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'done', 'deleted')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reminders_due_idx').on('reminders').columns(['status', 'due_at']).execute();

  await db.schema
    .createTable('nudges')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('folded', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('nudges_pk', ['subject', 'day'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['nudges', 'reminders', 'routine_state', 'routine_runs', 'owner_messages']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
