/**
 * Issue 9, "Start-up and memory figures": first start on a fresh machine. Spawns
 * `node dist/main.js` (what `npm start` runs) with a fresh DATA_DIR (embedded PGlite: initdb
 * and every migration) against the fake Bot API, and times spawn → the `openzero is ready`
 * log line (the line test/support/daemon.ts and the pipeline benchmark wait for). Then the
 * same on the now-existing data dir, and idle RSS 2 s after ready for both. Baseline in the
 * same run: spawn → first output of a bare `node -e` (Node's own boot on this machine).
 *
 *   npm run build && npx tsx bench/first-start.bench.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram } from '../test/fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess } from '../test/support/daemon.js';
import { processMemory } from './support/proc-memory.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FRESH_STARTS = 3;
const EXISTING_STARTS = 3;
const NODE_BOOTS = 5;
const IDLE_SETTLE_MS = 2000;
const OWNER = { id: 4242, first_name: 'Olive', username: 'olive' };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function nodeBoot(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', "process.stdout.write('up\\n')"], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const ms = performance.now() - started;
  await new Promise((resolve) => child.once('exit', resolve));
  return ms;
}

interface Start {
  spawnToReadyMs: number;
  inProcessMs: number;
  idleMb: number;
}

async function start(env: Record<string, string>, measureIdle: boolean): Promise<Start> {
  const started = performance.now();
  const daemon: DaemonProcess = startDaemon(baseEnv({ LOG_LEVEL: 'info', ...env }));
  let result: Start;
  try {
    const line = await daemon.waitForLog((l) => l.msg === 'openzero is ready', 120_000);
    const spawnToReadyMs = performance.now() - started;
    let idleMb = Number.NaN;
    if (measureIdle) {
      await sleep(IDLE_SETTLE_MS);
      idleMb = processMemory(daemon.child.pid ?? 0).rssMb;
    }
    result = { spawnToReadyMs, inProcessMs: Number(line.readyMs), idleMb };
  } finally {
    await stopDaemon(daemon);
  }
  const { code } = await daemon.exited;
  if (code !== 0) throw new Error(`openzero exited with ${String(code)} on SIGTERM\n${daemon.stderr()}`);
  return result;
}

if (!fs.existsSync(path.join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing: run `npm run build` first (bench/run.ts does)');
const fake = await startFakeTelegram({ knownChats: [{ id: OWNER.id, type: 'private', first_name: OWNER.first_name, username: OWNER.username }] });
const dirs: string[] = [];
const fresh: Start[] = [];
const existing: Start[] = [];
const boots: number[] = [];
try {
  for (let i = 0; i < NODE_BOOTS; i += 1) boots.push(await nodeBoot());
  const telegram = { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_OWNER_ID: String(OWNER.id) };
  for (let i = 0; i < FRESH_STARTS; i += 1) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-first-start-'));
    dirs.push(dir);
    fresh.push(await start({ ...telegram, DATA_DIR: dir }, true));
  }
  const last = dirs[dirs.length - 1] ?? '';
  for (let i = 0; i < EXISTING_STARTS; i += 1) existing.push(await start({ ...telegram, DATA_DIR: last }, true));
} finally {
  await fake.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}

const boot = median(boots);
const ms = (value: number): string => `${Math.round(value)} ms`;
const row = (label: string, starts: Start[]): string => {
  const ready = median(starts.map((s) => s.spawnToReadyMs));
  return `| ${label} | ${starts.map((s) => ms(s.spawnToReadyMs)).join(', ')} | ${ms(ready)} | ${(ready / boot).toFixed(1)}× | ${ms(median(starts.map((s) => s.inProcessMs)))} | ${median(starts.map((s) => s.idleMb)).toFixed(0)} MB |`;
};
const freshReady = median(fresh.map((s) => s.spawnToReadyMs));
const existingReady = median(existing.map((s) => s.spawnToReadyMs));
const lines = [
  '## First start on a fresh machine (issue 9)',
  '',
  `\`node dist/main.js\` against the fake Bot API, embedded PGlite. "Fresh": a new empty DATA_DIR each time (initdb + every migration), ${FRESH_STARTS} starts; ` +
    `"existing": the last of those folders started again, ${EXISTING_STARTS} times. Ready = spawn → the \`openzero is ready\` log line; idle RSS is VmRSS ${IDLE_SETTLE_MS / 1000} s after ready (median). ` +
    `Baseline: spawn → first output of a bare \`node -e\`, median of ${NODE_BOOTS}: ${ms(boot)}.`,
  '',
  '| start | spawn → ready (each) | median | vs bare Node boot | in-process (`readyMs`) | idle RSS |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  row('PGlite, fresh data dir', fresh),
  row('PGlite, existing data dir', existing),
  '',
  '| target | measured | |',
  '| --- | ---: | --- |',
  `| first start, fresh data dir ≤ 3 s | ${ms(freshReady)} | ${freshReady <= 3000 ? 'met' : '**missed**'} |`,
  `| ready ≤ 1.5 s, existing PGlite data dir | ${ms(existingReady)} | ${existingReady <= 1500 ? 'met' : '**missed**'} |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
