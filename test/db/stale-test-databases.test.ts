import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { dropStaleTestDatabases, holdTemplateLock, STALE_AFTER_MS } from '../support/stale-test-databases.js';

const adminUrl = inject('postgresUrl');

describe.skipIf(!adminUrl)('test databases a killed run left behind', () => {
  it('are dropped once hours old; a run going on beside this one keeps its own, however old its template', async () => {
    const admin = new pg.Client({ connectionString: adminUrl ?? '' });
    await admin.connect();
    const now = Date.now();
    const tag = () => randomBytes(3).toString('hex');
    const hoursAgo = (now - STALE_AFTER_MS - 60_000).toString(36);
    const old = `oz_test_${hoursAgo}_${tag()}`;
    const oldTemplate = `oz_template_${hoursAgo}_${tag()}`;
    const liveTemplate = `oz_template_${hoursAgo}_${tag()}`;
    const recent = `oz_test_${(now - 60_000).toString(36)}_${tag()}`;
    const lookalike = `oz_test_demo_${tag()}`;
    const names = [old, oldTemplate, liveTemplate, recent, lookalike];
    // A watch session started hours ago still holds its template.
    let release: (() => Promise<void>) | undefined;
    try {
      for (const name of names) await admin.query(`create database ${name}`);
      release = await holdTemplateLock(adminUrl ?? '', liveTemplate);
      const dropped = await dropStaleTestDatabases(admin, now);
      // (Another run starting now may drop the stale ones first; what counts is what is left.)
      expect(dropped).not.toContain(recent);
      expect(dropped).not.toContain(liveTemplate);
      const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [names]);
      expect(rows.map((row) => row.datname).sort()).toEqual([liveTemplate, recent, lookalike].sort());
    } finally {
      await release?.();
      for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
