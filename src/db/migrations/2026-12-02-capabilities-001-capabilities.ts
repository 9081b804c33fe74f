import { sql, type Kysely } from 'kysely';

// Frozen once released: never edit, add a new migration instead.
//
// Capabilities Z writes for itself: every proposed version (immutable once stored; only
// its status moves), the one active version per capability with its failure count, and
// each capability's own key-value store. Timestamps come from the injected clock.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('capability_versions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('input_schema', 'text', (c) => c.notNull())
    .addColumn('tests', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('test_report', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('failed', 'proposed', 'approved', 'declined')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addUniqueConstraint('capability_versions_version_unique', ['name', 'version'])
    .execute();

  await db.schema
    .createTable('capabilities')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('active_version', 'integer')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('capability_kv')
    .addColumn('capability', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('capability_kv_pk', ['capability', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('capability_kv').execute();
  await db.schema.dropTable('capabilities').execute();
  await db.schema.dropTable('capability_versions').execute();
}
