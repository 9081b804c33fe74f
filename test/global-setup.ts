import { execFileSync } from 'node:child_process';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

/**
 * Once per run: build dist/ (the end-to-end tests start the daemon exactly as
 * `npm start` does) and find PostgreSQL. With CI=true a missing PostgreSQL fails
 * the run instead of quietly testing only the embedded database.
 */
export default async function setup(project: TestProject): Promise<void> {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
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
}
