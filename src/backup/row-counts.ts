import { sql, type Kysely } from 'kysely';

/** Rows per table of the public schema, sorted by table name: what a restore must give back. */
export type RowCounts = Record<string, number>;

/**
 * Counts every base table in the public schema. Pass a single connection to keep
 * the counts in step with a dump taken on that same connection.
 */
export async function countRows<DB>(db: Kysely<DB>): Promise<RowCounts> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const counts: RowCounts = {};
  for (const { name } of tables.rows) {
    const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(name)}`.execute(db);
    counts[name] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}

/** `table<TAB>count` lines, the archive's `counts.tsv`. */
export function formatRowCounts(counts: RowCounts): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, n]) => `${table}\t${n}\n`)
    .join('');
}
