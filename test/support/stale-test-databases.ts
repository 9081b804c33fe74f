import type pg from 'pg';

/** A killed run's databases are this old before the next run drops them; a CI run lasts at most 90 minutes. */
export const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

const TEST_DATABASE = /^oz_(test|template)_([0-9a-z]+)_[0-9a-f]+$/;

/**
 * Drops the test databases a killed run left behind (`oz_test_*` and `oz_template_*`, whose
 * names carry their creation time in base 36). Only ones older than STALE_AFTER_MS go, so a
 * run going on beside this one keeps its own. Returns the names dropped.
 */
export async function dropStaleTestDatabases(admin: pg.Client, now: number = Date.now()): Promise<string[]> {
  const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'oz\\_%'`);
  const stale = rows
    .map((row) => row.datname)
    .filter((name) => {
      const created = TEST_DATABASE.exec(name)?.[2];
      return created !== undefined && now - parseInt(created, 36) > STALE_AFTER_MS;
    });
  for (const name of stale) await admin.query(`drop database if exists ${name} with (force)`);
  return stale;
}
