import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Database } from './database.js';
import { acquirePidLock } from './pid-lock.js';
import { NulSafePlugin } from './nul-safe-plugin.js';
import { pgliteDialect } from './pglite-dialect.js';
import { makeTreeOwnerOnly } from './owner-only-files.js';
import { embeddedTemplatePath, unpackEmbeddedTemplate } from './embedded-template.js';

export type DatabaseKind = 'embedded' | 'postgres';

export interface OpenDatabase {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Closes the pool or the embedded database and releases the data-dir lock. */
  close(): Promise<void>;
  /** Embedded only: PGlite's gzipped tarball of its data folder. Hold the one connection around it for a consistent copy. */
  dumpDataDir?: () => Promise<Uint8Array>;
}

/** Thrown when the database cannot be opened; the message says what to do. */
export class DatabaseOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseOpenError';
  }
}

// Telegram ids (update, chat, user) are below 2^53: read int8 as a JS number.
const INT8_OID = 20;

/**
 * PGlite at its defaults keeps ~300 MB resident; 8 MB of shared buffers is plenty
 * for one owner's data and brings it to ~160 MB.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=8MB', '-c', 'work_mem=2MB', '-c', 'temp_buffers=2MB'];

/**
 * V8 runs WebAssembly first with its baseline compiler (Liftoff) and recompiles hot functions
 * with its optimising compiler (TurboFan) in the background. For PGlite's 9 MB PostgreSQL that
 * recompilation starts within the first second, and on a small busy machine (2 cores) the
 * daemon's thread waited on it: 0.3–2 s of a 1.2–3 s start went there (bench/first-start.bench.ts).
 * Measured on this workload, the optimised code did not answer queries measurably faster
 * (25,000 upserts and reads: 14.5–21.5 s with TurboFan, 15.9–20.8 s without, same machine), so
 * the daemon stays on Liftoff. These are V8's regular flags (not its testing-only
 * `--liftoff-only`); they apply to WebAssembly compiled from here on, which is PGlite and the
 * capability sandbox's QuickJS, both loaded after this. Nothing about durability changes.
 */
function keepWebAssemblyOnBaselineCompiler(): void {
  v8.setFlagsFromString('--no-wasm-dynamic-tiering');
  v8.setFlagsFromString('--no-wasm-tier-up');
}

/** Lines for the person starting the daemon about slow steps (creating a new embedded database). */
export type ProgressReporter = (line: string) => void;

export async function openDatabase(settings: Config['database'], log: Logger, progress: ProgressReporter = () => undefined): Promise<OpenDatabase> {
  if (settings.kind === 'postgres') return openPostgres(settings.url, log);
  return openEmbedded(settings.dataDir, log, progress);
}

async function openPostgres(url: string, log: Logger): Promise<OpenDatabase> {
  // Loaded here, not at the top: the embedded database never needs the driver (~40 modules).
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text'),
    },
  });
  pool.on('error', (err) => log.warn({ err }, 'postgres idle client error'));
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => undefined);
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DatabaseOpenError(`Cannot connect to PostgreSQL at DATABASE_URL (${redactUrl(url)}): ${reason}. Check that the server is running and the URL is right.`, { cause });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new NulSafePlugin()] });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

async function openEmbedded(dataDir: string, log: Logger, progress: ProgressReporter): Promise<OpenDatabase> {
  fs.mkdirSync(dataDir, { recursive: true });
  // PGlite is a single-process database: two daemons on one folder would corrupt it.
  const releaseLock = acquirePidLock(`${dataDir}.lock`, (pid) => new DatabaseOpenError(
    `The embedded database in ${dataDir} is in use by another openzero process (pid ${pid}). Stop it first, or point DATA_DIR elsewhere.`,
  ));
  try {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await createEmbeddedCluster(dataDir, log, progress);
    keepWebAssemblyOnBaselineCompiler();
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create({
      dataDir,
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
      parsers: { [INT8_OID]: (value: string) => Number(value) },
    });
    const tightened = makeTreeOwnerOnly(dataDir);
    if (tightened > 0) log.debug({ dataDir, tightened }, 'embedded database files made owner-only');
    log.debug({ dataDir }, 'embedded database open');
    const db = new Kysely<Database>({ dialect: pgliteDialect(pglite), plugins: [new NulSafePlugin()] });
    return {
      db,
      kind: 'embedded',
      dumpDataDir: async () => new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer()),
      close: async () => {
        try {
          await db.destroy();
          makeTreeOwnerOnly(dataDir);
        } finally {
          releaseLock();
        }
      },
    };
  } catch (cause) {
    releaseLock();
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DatabaseOpenError(`Cannot open the embedded database in ${dataDir}: ${reason}`, { cause });
  }
}

/**
 * A new embedded cluster: unpacked from the template `npm ci` prepared (under a second), or,
 * without one, created by initdb (10–60 s on a small machine, so the owner is told).
 */
async function createEmbeddedCluster(dataDir: string, log: Logger, progress: ProgressReporter): Promise<void> {
  const startedAt = Date.now();
  const done = (from: 'template' | 'initdb'): void => {
    const ms = Date.now() - startedAt;
    progress(`Embedded database created in ${(ms / 1000).toFixed(1)} s.`);
    log.info({ dataDir, ms, from }, 'embedded database created');
  };
  const template = embeddedTemplatePath();
  if (template !== null) {
    progress(`Creating the embedded database in ${dataDir} (first start only) from the template npm ci prepared…`);
    try {
      await unpackEmbeddedTemplate(template, dataDir);
      done('template');
      return;
    } catch (err) {
      log.warn({ err, template }, 'embedded database template unusable; running initdb instead');
      clearFolder(dataDir);
    }
  }
  progress(`Creating the embedded database in ${dataDir} (first start only; this takes 10–60 seconds)…`);
  const ticker = setInterval(() => progress(`…still creating the embedded database (${Math.round((Date.now() - startedAt) / 1000)} s)`), 10_000);
  try {
    await initEmbeddedInChild(dataDir);
  } finally {
    clearInterval(ticker);
  }
  done('initdb');
}

function clearFolder(dir: string): void {
  for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}

/**
 * initdb inside PGlite grows its WebAssembly heap to ~700 MB, and WebAssembly memory
 * is never given back to the system: run it in a short-lived child process, so the
 * daemon itself only ever opens an existing folder (~200 MB).
 */
async function initEmbeddedInChild(dataDir: string): Promise<void> {
  const script = [
    `const loaded = await import(${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href)});`,
    'const PGlite = loaded.PGlite ?? loaded.default.PGlite;',
    `const db = await PGlite.create({ dataDir: process.env.OZ_PGLITE_DIR, startParams: [...PGlite.defaultStartParams, ...JSON.parse(process.env.OZ_PGLITE_SETTINGS)] });`,
    'await db.close();',
  ].join('\n');
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { env: { ...process.env, OZ_PGLITE_DIR: dataDir, OZ_PGLITE_SETTINGS: JSON.stringify(PGLITE_SETTINGS) }, timeout: 300_000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`initdb failed: ${stderr.trim() || err.message}`)) : resolve()),
    );
  });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@');
}
