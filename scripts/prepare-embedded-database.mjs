#!/usr/bin/env node
/**
 * Runs after `npm ci` / `npm install` (the `postinstall` script): creates an empty embedded
 * PostgreSQL cluster once (PGlite's initdb, 7–30 s on a small machine) and keeps it as a
 * compressed archive in node_modules/.cache/openzero/. The daemon's first start then unpacks
 * the archive into DATA_DIR (about a second) instead of running initdb itself.
 *
 * The archive is named after the installed PGlite version, so an upgrade makes a new one.
 * Failure here never fails the install: the daemon falls back to initdb on its first start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const started = Date.now();
try {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@electric-sql/pglite');
  const nodeModules = entry.slice(0, entry.lastIndexOf(`${path.sep}node_modules${path.sep}`) + `${path.sep}node_modules`.length);
  const version = JSON.parse(fs.readFileSync(path.join(nodeModules, '@electric-sql', 'pglite', 'package.json'), 'utf8')).version;
  const target = path.join(nodeModules, '.cache', 'openzero', `pglite-${version}.tar.gz`);
  if (fs.existsSync(target)) process.exit(0);
  process.stdout.write(`openzero: preparing the embedded database template (one time, PGlite ${version})…\n`);
  const { PGlite } = await import('@electric-sql/pglite');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'openzero-pglite-'));
  try {
    const db = await PGlite.create({ dataDir: path.join(scratch, 'pgdata') });
    const archive = new Uint8Array(await (await db.dumpDataDir('gzip')).arrayBuffer());
    await db.close();
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    fs.writeFileSync(partial, archive);
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`openzero: embedded database template ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} catch (err) {
  process.stderr.write(`openzero: could not prepare the embedded database template (${err instanceof Error ? err.message : String(err)}); the first start will create the database instead, which takes longer.\n`);
}
