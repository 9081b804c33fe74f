/**
 * Issue 11: `googleapis` (every Google API in one package) against the per-API packages
 * `@googleapis/gmail` + `@googleapis/calendar` + `google-auth-library`, which come from the
 * same generator. Installs both into temporary folders with npm (the last versions that
 * still support Node 20: googleapis 178 and @googleapis/gmail 18 / calendar 16, both on
 * google-auth-library 10.5), then measures install size, the time to load Gmail + Calendar
 * + OAuth2 in a fresh Node process, and that process's RSS. Ratios are per-API / googleapis.
 *
 *   npx tsx bench/google-clients.bench.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Variant {
  name: string;
  packages: string[];
  /** ESM source that loads Gmail, Calendar and OAuth2 and prints {ms, rssMb}. */
  load: string;
}

const measure = `const t0 = performance.now();
__LOAD__
const ms = performance.now() - t0;
globalThis.gc?.();
console.log(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 2 ** 20 }));`;

const VARIANTS: Variant[] = [
  {
    name: 'googleapis@178.0.0',
    packages: ['googleapis@178.0.0'],
    load: `const { google } = await import('googleapis');
const auth = new google.auth.OAuth2('id', 'secret');
google.gmail({ version: 'v1', auth }); google.calendar({ version: 'v3', auth });`,
  },
  {
    name: '@googleapis/gmail@18 + calendar@16 + google-auth-library@10.5',
    packages: ['@googleapis/gmail@18.0.0', '@googleapis/calendar@16.0.0', 'google-auth-library@10.5.0'],
    load: `const [{ gmail }, { calendar }, { OAuth2Client }] = await Promise.all([import('@googleapis/gmail'), import('@googleapis/calendar'), import('google-auth-library')]);
const auth = new OAuth2Client('id', 'secret');
gmail({ version: 'v1', auth }); calendar({ version: 'v3', auth });`,
  },
];

function duBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += duBytes(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Result {
  name: string;
  packages: number;
  mb: number;
  loadMs: number;
  rssMb: number;
}

function run(variant: Variant): Result {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-gbench-'));
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'gbench', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...variant.packages], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const modules = path.join(dir, 'node_modules');
    const packages = fs.readdirSync(modules).flatMap((name) => (name.startsWith('@') ? fs.readdirSync(path.join(modules, name)) : name.startsWith('.') ? [] : [name])).length;
    const script = path.join(dir, 'load.mjs');
    fs.writeFileSync(script, measure.replace('__LOAD__', variant.load));
    const samples: Array<{ ms: number; rssMb: number }> = [];
    for (let i = 0; i < 7; i += 1) {
      const child = spawnSync(process.execPath, ['--expose-gc', script], { cwd: dir, encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${variant.name} failed to load: ${child.stderr}`);
      samples.push(JSON.parse(child.stdout.trim()) as { ms: number; rssMb: number });
    }
    return { name: variant.name, packages, mb: duBytes(modules) / 2 ** 20, loadMs: median(samples.map((s) => s.ms)), rssMb: median(samples.map((s) => s.rssMb)) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [all, perApi] = VARIANTS.map(run);
if (!all || !perApi) throw new Error('both variants must run');
const lines = [
  '### Google client libraries (issue 11)',
  '',
  '`npx tsx bench/google-clients.bench.ts` — installs each option in a temporary folder, then loads Gmail + Calendar + OAuth2 in a fresh Node process 7 times (median).',
  '',
  '| option | packages | install size (MB) | load (ms) | RSS after load (MB) |',
  '|---|---|---|---|---|',
  ...[all, perApi].map((r) => `| ${r.name} | ${r.packages} | ${r.mb.toFixed(1)} | ${r.loadMs.toFixed(0)} | ${r.rssMb.toFixed(1)} |`),
  `| **per-API / googleapis** | | **${(perApi.mb / all.mb).toFixed(2)}×** | **${(perApi.loadMs / all.loadMs).toFixed(2)}×** | **${(perApi.rssMb / all.rssMb).toFixed(2)}×** |`,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
