#!/usr/bin/env node
// `npm test`: the type check and the lint (eslint, then dependency-cruiser) beside the vitest
// suite, not before it. The suite mostly waits on spawned daemons and the clock, so the
// checks' CPU time fits in its waits. Any failure fails the run: a check's output is shown
// when it fails, and the closing lines name every part that failed.
// Arguments go to vitest (`npm test -- test/e2e/spine.test.ts`). Plain JavaScript: it runs
// before anything is compiled.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command; its output is kept (quiet) or passed through. */
function run(command, args, { quiet }) {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (quiet) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    child.on('error', (err) => resolve({ ok: false, output: `${output}${err.message}\n`, seconds: (Date.now() - startedAt) / 1000 }));
    child.on('close', (code, signal) =>
      resolve({ ok: code === 0, output: signal ? `${output}stopped by ${signal}\n` : output, seconds: (Date.now() - startedAt) / 1000 }),
    );
  });
}

const failed = [];
const seconds = (result) => `${result.seconds.toFixed(0)} s`;

/** The checks one after the other (one core), like the README's `npm run typecheck` and `npm run lint`. */
async function checks() {
  for (const script of ['typecheck', 'lint']) {
    const result = await run(npm, ['run', '--silent', script], { quiet: true });
    if (result.ok) {
      process.stdout.write(`\n[npm test] ${script} passed (${seconds(result)}).\n`);
      continue;
    }
    failed.push(script);
    process.stdout.write(`\n[npm test] ${script} FAILED (${seconds(result)}):\n${result.output}\n`);
  }
}

const suite = run(process.execPath, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)], { quiet: false }).then((result) => {
  if (!result.ok) failed.push('vitest');
});
await Promise.all([checks(), suite]);
if (failed.length > 0) {
  process.stdout.write(`\n[npm test] failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
