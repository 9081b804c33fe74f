#!/usr/bin/env node
// `npm run build`: src/*.ts → dist/*.js, one file for one file (no bundle, so what loads on first
// use stays in its own module), with source maps. esbuild only strips the types: it takes about
// a second where `tsc` took 40–80 s on a small server, so a first `npm start` does not sit
// there compiling. Types are checked by `npm run typecheck` (and `npm test`), not here; the
// settings that make a per-file transform safe (isolatedModules, verbatimModuleSyntax) are on
// in tsconfig.json. Plain JavaScript: it runs before anything is compiled.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every source file but the tests, relative to the project root. */
function sources(folder) {
  return fs.readdirSync(path.join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

try {
  await build({
    absWorkingDir: root,
    entryPoints: sources('src'),
    outdir: 'dist',
    outbase: 'src',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'error',
  });
} catch {
  // esbuild has printed each error with its file and line.
  process.exit(1);
}
