import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateToLatest, openDatabase } from '../src/db/index.js';
import { silentLogger } from '../src/log/index.js';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    /** A migrated PGlite data folder; tests copy it instead of running initdb each time. */
    pgliteTemplate: string;
  }
}

/**
 * Once per run: build dist/ (the end-to-end tests start the daemon exactly as
 * `npm start` does) and find PostgreSQL. With CI=true a missing PostgreSQL fails
 * the run instead of quietly testing only the embedded database.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const template = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-pglite-template-'));
  const opened = await openDatabase({ kind: 'embedded', dataDir: path.join(template, 'pglite') }, silentLogger());
  const migrated = await migrateToLatest(opened.db);
  await opened.close();
  if (!migrated.ok) throw new Error(`template migration failed: ${migrated.reason}`);
  project.provide('pgliteTemplate', path.join(template, 'pglite'));
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
    project.provide('postgresUrl', POSTGRES_ADMIN_URL);
  } catch (err) {
    if (process.env.CI === 'true') {
      throw new Error(`CI=true but PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.stderr.write(`\n[tests] PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}; running the embedded-database half only.\n`);
    project.provide('postgresUrl', null);
  } finally {
    await client.end().catch(() => undefined);
  }
  return () => fs.rmSync(template, { recursive: true, force: true });
}
