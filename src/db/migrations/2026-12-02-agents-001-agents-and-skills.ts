import { sql, type Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
//
// Specialist agents (state and onboarding answers), their soul versions (drafts the owner
// approves as a diff; every approved version kept for rollback), the chief of staff's inbox
// of heartbeat artifacts, skills (Markdown procedures), and who wrote each memory.
// Timestamps are written from the injected clock, never from the database's now().
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('dormant', 'onboarding', 'active', 'paused')`))
    .addColumn('onboarding_step', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('answers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agent_souls')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('agent', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'approved', 'declined', 'retired')`))
    .addColumn('version', 'integer')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('approved_at', 'timestamptz')
    .addUniqueConstraint('agent_souls_version_unique', ['agent', 'version'])
    .execute();
  await db.schema.createIndex('agent_souls_agent_idx').on('agent_souls').columns(['agent', 'status']).execute();

  await db.schema
    .createTable('cos_inbox')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull().unique())
    .addColumn('agent', 'text', (c) => c.notNull())
    .addColumn('urgent', 'boolean', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('notified_at', 'timestamptz')
    .addColumn('briefed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('cos_inbox_open_idx').on('cos_inbox').columns(['briefed_at', 'created_at']).execute();

  await db.schema
    .createTable('skills')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('schedule', 'text')
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('memories').addColumn('author', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('memories').dropColumn('author').execute();
  await db.schema.dropTable('skills').ifExists().execute();
  await db.schema.dropTable('cos_inbox').ifExists().execute();
  await db.schema.dropTable('agent_souls').ifExists().execute();
  await db.schema.dropTable('agents').ifExists().execute();
}
