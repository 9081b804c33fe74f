import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateToLatest, openDatabase } from '../src/db/index.js';
import { silentLogger } from '../src/log/index.js';
import { dropStaleTestDatabases, holdTemplateLock } from './support/stale-test-databases.js';
import { createTestTempRoot } from './support/test-temp-root.js';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    /** A migrated PostgreSQL database; tests create theirs from it (`create database … template …`). */
    postgresTemplate: string | null;
    /** A migrated PGlite data folder; tests copy it instead of running initdb each time. */
    pgliteTemplate: string;
  }
}

/**
 * Once per run, the three at once: build dist/ (the end-to-end tests start the daemon
 * exactly as `npm start` does, through the same stale check: a fresh dist/ is not built
 * again), and make a migrated PGlite folder and a migrated PostgreSQL database for the
 * tests to copy. With CI=true a missing PostgreSQL fails the run instead of quietly
 * testing only the embedded database.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Every temp folder of the run goes under one root (in memory on Linux, see
  // test-temp-root.ts): set before the test workers start, they inherit it as os.tmpdir().
  const tempRoot = createTestTempRoot();
  process.env.TMPDIR = tempRoot;
  const template = fs.mkdtempSync(path.join(tempRoot, 'oz-pglite-template-'));
  const [built, pglite, postgres] = await Promise.allSettled([buildDist(), migratedPgliteTemplate(path.join(template, 'pglite')), migratedPostgresTemplate()]);
  const postgresTemplate = postgres.status === 'fulfilled' ? postgres.value : null;
  const teardown = async (): Promise<void> => {
    fs.rmSync(tempRoot, { recursive: true, force: true });
    await postgresTemplate?.drop();
  };
  for (const step of [built, pglite, postgres]) {
    if (step.status === 'rejected') {
      await teardown();
      throw step.reason;
    }
  }
  project.provide('pgliteTemplate', path.join(template, 'pglite'));
  project.provide('postgresUrl', postgresTemplate ? POSTGRES_ADMIN_URL : null);
  project.provide('postgresTemplate', postgresTemplate?.name ?? null);
  return teardown;
}

/** A migrated database to copy, or null when PostgreSQL is absent (outside CI). */
async function migratedPostgresTemplate(): Promise<{ name: string; drop: () => Promise<void> } | null> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    await client.end().catch(() => undefined);
    if (process.env.CI === 'true') {
      throw new Error(`CI=true but PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.stderr.write(`\n[tests] PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}; running the embedded-database half only.\n`);
    return null;
  }
  // A killed run cannot drop its databases; the next run does, once they are hours old.
  await dropStaleTestDatabases(client).catch((err: unknown) => process.stderr.write(`\n[tests] could not drop stale test databases: ${String(err)}\n`));
  const name = `oz_template_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let releaseLock = async (): Promise<void> => undefined;
  const drop = async (): Promise<void> => {
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await releaseLock();
  };
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  // Held until the run ends: another run's clean-up leaves a template alone while this run (or a watch session) lives.
  releaseLock = await holdTemplateLock(POSTGRES_ADMIN_URL, name);
  try {
    const opened = await openDatabase({ kind: 'postgres', url: POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`) }, silentLogger());
    const migrated = await migrateToLatest(opened.db);
    await opened.close();
    if (!migrated.ok) throw new Error(`PostgreSQL template migration failed: ${migrated.reason}`);
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  return { name, drop };
}

/** `node scripts/build-if-stale.mjs`, what `npm start` runs: compiles src/ into dist/ unless dist/ is up to date. */
function buildDist(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`building dist/ failed (${signal ?? `exit code ${String(code)}`})`))));
  });
}

async function migratedPgliteTemplate(dataDir: string): Promise<void> {
  const opened = await openDatabase({ kind: 'embedded', dataDir }, silentLogger());
  const migrated = await migrateToLatest(opened.db);
  await opened.close();
  if (!migrated.ok) throw new Error(`PGlite template migration failed: ${migrated.reason}`);
}
