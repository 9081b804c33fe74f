import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Db } from '../../src/db/index.js';

/**
 * Every `table.column` (all text, varchar, json and jsonb columns of every table in the schema)
 * whose value contains `needle`, as written or as it appears inside JSON.
 */
export async function grepDatabase(db: Db, needle: string): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = current_schema() and c.data_type in ('text', 'character varying', 'json', 'jsonb')
    order by c.table_name, c.column_name`.execute(db);
  expect(columns.rows.length).toBeGreaterThan(20);
  const forms = [...new Set([needle, JSON.stringify(needle).slice(1, -1)])];
  const hits: string[] = [];
  for (const { table_name: table, column_name: column } of columns.rows) {
    const match = sql.join(forms.map((form) => sql`strpos(${sql.ref(column)}::text, ${form}) > 0`), sql` or `);
    const found = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)} where ${match}`.execute(db);
    if (Number(found.rows[0]?.n ?? 0) > 0) hits.push(`${table}.${column}`);
  }
  return hits;
}
