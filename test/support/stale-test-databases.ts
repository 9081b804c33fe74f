import pg from 'pg';

/** A killed run's databases are this old before the next run drops them; a CI run lasts at most 90 minutes. */
export const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/** `oz_test_` / `oz_template_`, the creation time in base 36 (milliseconds), and a 6-digit hex tag. */
const TEST_DATABASE = /^oz_(test|template)_([0-9a-z]{8,9})_[0-9a-f]{6}$/;
/** Creation times before this are not ours (a name that only looks like one). */
const EARLIEST = Date.UTC(2025, 0, 1);

/** The advisory lock a run holds on its template for as long as the run (or a watch session) lives. */
export function templateLockKey(name: string): string {
  return `openzero-test-template:${name}`;
}

/**
 * Holds the template's advisory lock on a connection of its own until `release`, so no other
 * run's clean-up drops a template that is still in use, however long a watch session lasts.
 */
export async function holdTemplateLock(adminUrl: string, name: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query('select pg_advisory_lock(hashtext($1))', [templateLockKey(name)]);
  return async () => {
    await client.end().catch(() => undefined);
  };
}

/**
 * Drops the test databases a killed run left behind (`oz_test_*` and `oz_template_*`). Only
 * ones older than STALE_AFTER_MS go, and a template only when no run holds its lock, so a run
 * going on beside this one keeps its own. Returns the names dropped.
 */
export async function dropStaleTestDatabases(admin: pg.Client, now: number = Date.now()): Promise<string[]> {
  const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'oz\\_%'`);
  const dropped: string[] = [];
  for (const { datname: name } of rows) {
    const match = TEST_DATABASE.exec(name);
    if (!match?.[2]) continue;
    const created = parseInt(match[2], 36);
    if (created < EARLIEST || now - created <= STALE_AFTER_MS) continue;
    if (match[1] === 'template') {
      const { rows: locked } = await admin.query<{ free: boolean }>('select pg_try_advisory_lock(hashtext($1)) as free', [templateLockKey(name)]);
      if (!locked[0]?.free) continue;
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.query('select pg_advisory_unlock(hashtext($1))', [templateLockKey(name)]);
      }
    } else {
      await admin.query(`drop database if exists ${name} with (force)`);
    }
    dropped.push(name);
  }
  return dropped;
}
