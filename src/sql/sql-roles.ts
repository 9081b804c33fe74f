import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { quoteIdent } from './guarded-query.js';

/** The role `execute_sql` reads as: SELECT on the owner's own records, nothing else. */
export const SQL_READER_ROLE = 'openzero_sql_read';
/** The role an approved write runs as: row changes on a few tables nothing else mirrors. */
export const SQL_WRITER_ROLE = 'openzero_sql_write';

/**
 * Readable by `execute_sql`: what the owner would expect to query. Not the credentials,
 * settings, raw inbox, outbox or approvals (tokens and payloads live there).
 */
export const READABLE_TABLES = [
  'tasks',
  'projects',
  'reminders',
  'preferences',
  'memories',
  'email_summaries',
  'email_rules',
  'conversation_threads',
  'conversation_turns',
  'routine_runs',
  'audit_log',
] as const;

/** Writable through an approved write: tables no outside service mirrors (the board and memory vectors do). */
export const WRITABLE_TABLES = ['preferences', 'reminders', 'email_rules'] as const;

/** Creates a NOLOGIN role if it is missing; two databases on one cluster may race to create it. */
async function ensureRole(db: Db, role: string): Promise<void> {
  await sql
    .raw(
      `do $$ begin create role ${quoteIdent(role)} nologin; exception when duplicate_object or unique_violation then null; end $$`,
    )
    .execute(db);
  // A non-superuser owner of the database needs membership to `set role`; a superuser has it already.
  await sql
    .raw(`do $$ begin execute format('grant %I to %I', '${role}', current_user); exception when others then null; end $$`)
    .execute(db);
}

/**
 * Sets up the two roles of `execute_sql` and their grants in this database. Idempotent;
 * run at start. Throws when the database user may not create roles (the feature then
 * reports execute_sql as unavailable, and says why).
 */
export async function ensureSqlRoles(db: Db): Promise<void> {
  await ensureRole(db, SQL_READER_ROLE);
  await ensureRole(db, SQL_WRITER_ROLE);
  const reader = quoteIdent(SQL_READER_ROLE);
  const writer = quoteIdent(SQL_WRITER_ROLE);
  await sql.raw(`grant usage on schema public to ${reader}, ${writer}`).execute(db);
  await sql.raw(`grant select on ${READABLE_TABLES.map(quoteIdent).join(', ')} to ${reader}`).execute(db);
  await sql.raw(`grant select, insert, update, delete on ${WRITABLE_TABLES.map(quoteIdent).join(', ')} to ${writer}`).execute(db);
  await sql.raw(`grant usage, select on all sequences in schema public to ${writer}`).execute(db);
  // SET ROLE is checked against the session user (the daemon's), so set_config('role', …)
  // inside a query would undo the restricted role. Only the daemon's own user keeps it.
  await sql.raw('revoke execute on function pg_catalog.set_config(text, text, boolean) from public').execute(db);
  await sql.raw('grant execute on function pg_catalog.set_config(text, text, boolean) to current_user').execute(db);
}

/** The schema a capability's read-only SQL sees, and the role it runs as. */
export function capabilitySqlNames(capability: string): { schema: string; role: string } {
  return { schema: `cap_${capability}`, role: `openzero_cap_${capability}` };
}

/**
 * A capability's own schema: a view `kv` of its own key-value entries (key, value as
 * jsonb, updated_at), readable by its own role and by nothing else of the owner's.
 */
export async function ensureCapabilitySchema(db: Db, capability: string): Promise<void> {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(capability)) throw new Error(`invalid capability name: ${capability}`);
  const { schema, role } = capabilitySqlNames(capability);
  await ensureRole(db, role);
  await sql.raw(`create schema if not exists ${quoteIdent(schema)}`).execute(db);
  await sql
    .raw(
      `create or replace view ${quoteIdent(schema)}.kv as select key, value::jsonb as value, updated_at from public.capability_kv where capability = '${capability}'`,
    )
    .execute(db);
  await sql.raw(`grant usage on schema ${quoteIdent(schema)} to ${quoteIdent(role)}`).execute(db);
  await sql.raw(`grant select on ${quoteIdent(schema)}.kv to ${quoteIdent(role)}`).execute(db);
}
