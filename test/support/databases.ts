import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Config } from '../../src/config/index.js';

export type DbKind = 'pglite' | 'postgres';

/** The database kinds this run covers: both, unless PostgreSQL is absent outside CI. */
export function databaseKinds(): DbKind[] {
  return inject('postgresUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  kind: DbKind;
  /** Environment for the daemon: DATABASE_URL for PostgreSQL, DATA_DIR for both. */
  env: Record<string, string>;
  settings: Config['database'];
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * A fresh database per test: a new PostgreSQL database, or a new PGlite folder, both copies of
 * one migrated at the start of the run (a copy costs far less than running every migration).
 */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-test-'));
  if (kind === 'pglite') {
    // A copy of the migrated template: initdb costs seconds, a copy milliseconds.
    fs.cpSync(inject('pgliteTemplate'), path.join(dataDir, 'pglite'), { recursive: true });
    return {
      kind,
      env: { DATA_DIR: dataDir },
      settings: { kind: 'embedded', dataDir: path.join(dataDir, 'pglite') },
      dataDir,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const adminUrl = inject('postgresUrl');
  if (!adminUrl) throw new Error('PostgreSQL is not available in this run');
  const name = `oz_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const template = inject('postgresTemplate');
  await admin.query(template ? `create database ${name} template ${template}` : `create database ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    kind,
    env: { DATA_DIR: dataDir, DATABASE_URL: url },
    settings: { kind: 'postgres', url },
    dataDir,
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
