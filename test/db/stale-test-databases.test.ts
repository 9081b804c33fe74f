import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { dropStaleTestDatabases, STALE_AFTER_MS } from '../support/stale-test-databases.js';

const adminUrl = inject('postgresUrl');

describe.skipIf(!adminUrl)('test databases a killed run left behind', () => {
  it('are dropped once hours old; a run going on beside this one keeps its own', async () => {
    const admin = new pg.Client({ connectionString: adminUrl ?? '' });
    await admin.connect();
    const now = Date.now();
    const tag = randomBytes(3).toString('hex');
    const old = `oz_test_${(now - STALE_AFTER_MS - 60_000).toString(36)}_${tag}`;
    const recent = `oz_test_${(now - 60_000).toString(36)}_${tag}`;
    const other = `oz_keepme_${tag}`;
    try {
      for (const name of [old, recent, other]) await admin.query(`create database ${name}`);
      const dropped = await dropStaleTestDatabases(admin, now);
      // (Another run starting now may drop `old` first; what counts is that it is gone and `recent` is not.)
      expect(dropped).not.toContain(recent);
      const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [[old, recent, other]]);
      expect(rows.map((row) => row.datname).sort()).toEqual([other, recent].sort());
    } finally {
      for (const name of [old, recent, other]) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
