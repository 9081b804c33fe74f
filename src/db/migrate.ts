// Kysely's Migrator works on any schema; `any` is its own convention for this.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from './migrations/index.js';

export type MigrateOutcome =
  | { ok: true; applied: string[]; total: number }
  | { ok: false; failed: string | undefined; reason: string };

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema to the latest version; returns what failed instead of throwing. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrateOutcome> {
  // Most starts have nothing to do: one query instead of the Migrator's lock-and-compare dance.
  if (await isUpToDate(db)) return { ok: true, applied: [], total: Object.keys(migrations).length };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, failed, reason };
  }
  const applied = (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
  return { ok: true, applied, total: Object.keys(migrations).length };
}

async function isUpToDate(db: Kysely<any>): Promise<boolean> {
  const names = Object.keys(migrations);
  try {
    const result = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(result.rows.map((row) => row.name));
    return applied.size === names.length && names.every((name) => applied.has(name));
  } catch {
    return false; // no migration table yet: a fresh database
  }
}

/** Names of the migrations recorded as applied (for /status). */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const all = await migrator.getMigrations();
  return all.filter((migration) => migration.executedAt !== undefined).map((migration) => migration.name);
}
