import { sql, type Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
//
// credentials: sealed (AES-256-GCM) secrets such as the Google OAuth tokens, one row per name.
// email_rules: the owner's triage rules (seeded once from personal/requirements.md, then managed
//   in chat); a removed rule keeps its row (deleted_at) so Undo restores it in place.
// email_seen: every Gmail message id ever discovered, so each is processed once, ever; a row is
//   written before the sync cursor moves (nothing lost) and finished in the same transaction as
//   its triage (nothing done twice).
// email_summaries: the triage result per message (metadata and one summary line, never a body),
//   read by /mail and the briefing's emails section.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('credentials')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('email_rules')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('from_pattern', 'text')
    .addColumn('subject_pattern', 'text')
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('urgent', 'summarize', 'archive')`))
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('file', 'chat')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .addCheckConstraint('email_rules_has_pattern', sql`from_pattern is not null or subject_pattern is not null`)
    .execute();

  await db.schema
    .createTable('email_seen')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('new', 'notifying', 'done', 'gone')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('discovered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('email_seen_open_idx').on('email_seen').columns(['state', 'discovered_at']).execute();

  await db.schema
    .createTable('email_summaries')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('urgent', 'summarize', 'archive')`))
    .addColumn('rule_id', 'integer')
    .addColumn('summary', 'text')
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('included_in_briefing', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.createIndex('email_summaries_processed_idx').on('email_summaries').columns(['processed_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_summaries').execute();
  await db.schema.dropTable('email_seen').execute();
  await db.schema.dropTable('email_rules').execute();
  await db.schema.dropTable('credentials').execute();
}
