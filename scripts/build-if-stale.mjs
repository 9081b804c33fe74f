#!/usr/bin/env node
// `npm start` runs this before the daemon: it compiles src/ into dist/ only when something
// changed since the last build, and says so, so a start never sits silent for a minute.
// Plain JavaScript on purpose: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
/** What the build reads: the sources (folders too, so a deleted file counts) and the settings. */
const inputs = ['src', 'scripts/build.mjs', 'package.json', 'package-lock.json'];

function newestChange(file) {
  let stats;
  try {
    stats = fs.statSync(file);
  } catch {
    return 0;
  }
  let newest = stats.mtimeMs;
  if (stats.isDirectory()) {
    for (const entry of fs.readdirSync(file)) newest = Math.max(newest, newestChange(path.join(file, entry)));
  }
  return newest;
}

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return undefined;
  }
}

const built = builtAt();
const changed = Math.max(...inputs.map((input) => newestChange(path.join(root, input))));
if (built !== undefined && built >= changed && fs.existsSync(path.join(root, 'dist', 'main.js'))) process.exit(0);

process.stderr.write(built === undefined ? 'building… (first start: compiling src/ into dist/)\n' : 'building… (src/ changed since the last build)\n');
const startedAt = Date.now();
const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (result.status !== 0) {
  process.stderr.write('build failed: see the errors above.\n');
  process.exit(result.status ?? 1);
}
// The stamp's time is when the build started: an edit made while it ran makes the next start build again.
fs.writeFileSync(stamp, '');
fs.utimesSync(stamp, startedAt / 1000, startedAt / 1000);
process.stderr.write(`built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
