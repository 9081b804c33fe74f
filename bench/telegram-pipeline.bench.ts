/**
 * Throughput, memory and start-up time of the Telegram pipeline, all against one fake Bot API
 * in one run:
 *   (a) a bare grammY echo bot (bot.start() long polling; @grammyjs/runner is not installed),
 *   (b) openzero itself (`node dist/main.js`) answering an unknown command through the full
 *       pipeline: owner check, inbox, router, journaled outbox; on PGlite and on PostgreSQL,
 *       each on a fresh database.
 * Each bot runs as its own child process; the fake runs here. 5,000 text updates from 50 chats
 * arrive as one burst while the bot is polling; the clock runs from the burst until the fake has
 * stored the 5,000th reply.
 *
 * openzero runs with `--unpaced-benchmark`: its outgoing messages are normally paced to Telegram's
 * limits (about 1 per second per private chat, 20 per minute per group), which would make this a
 * measure of those limits (the burst would take minutes), while the echo bot does not pace at all.
 * The flag removes only the pacer; the daemon logs a warning when it is given, which is checked here.
 *
 *   npm run build && npx tsx bench/telegram-pipeline.bench.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startFakeTelegram, type FakeTelegram, type TgChat } from '../test/fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess } from '../test/support/daemon.js';
import { processMemory } from './support/proc-memory.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const UPDATES = 5000;
const CHAT_COUNT = 50;
const RESTARTS = 3;
/**
 * Idle RSS is read this long after ready: V8 shrinks its heap once it sees the process idle,
 * 10–20 s after start (an idle daemon on PostgreSQL: 105–118 MB at 5 s, 83–90 MB from 20 s).
 * A daemon spends its day idle, so the settled figure is the one the goal is about.
 */
const IDLE_SETTLE_MS = 30_000;
const OWNER = { id: 4242, first_name: 'Olive', username: 'olive' };
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const chats: TgChat[] = [
  { id: OWNER.id, type: 'private', first_name: OWNER.first_name, username: OWNER.username },
  ...Array.from({ length: CHAT_COUNT - 1 }, (_, i): TgChat => ({ id: -2000 - i, type: 'group', title: `Bench group ${i}` })),
];

interface ThroughputResult {
  label: string;
  perSecond: number;
  seconds: number;
  readyMs: number;
  idleMb: number;
  /** Idle RSS after a restart on the now-existing database (openzero only). */
  idleRestartMb?: number;
  peakMb: number;
}

interface ReadyResult {
  label: string;
  /** Wall time from spawn to the ready line, per start. */
  spawnToReadyMs: number[];
  /** The daemon's own readyMs (process start → ready, without Node's boot). */
  inProcessMs: number[];
}

let sequence = 0;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(check: () => boolean, what: string, child: ChildProcess, timeoutMs = 600_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the bot exited while waiting for ${what}`);
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Sends the burst and waits for every reply; returns seconds taken. */
async function burst(fake: FakeTelegram, child: ChildProcess): Promise<number> {
  const before = fake.botMessages().length;
  const started = performance.now();
  for (let i = 0; i < UPDATES; i++) {
    sequence += 1;
    fake.sendText(OWNER, `/u${sequence}`, chats[i % CHAT_COUNT]);
  }
  await until(() => fake.botMessages().length >= before + UPDATES, `${UPDATES} replies`, child);
  const seconds = (performance.now() - started) / 1000;
  await until(() => fake.pendingUpdates() === 0, 'the fake queue to be confirmed', child);
  return seconds;
}

async function echoBaseline(fake: FakeTelegram): Promise<ThroughputResult> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/grammy-echo-bot.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  await until(() => out.includes('echo bot polling'), 'the echo bot to poll', child, 30_000);
  const readyMs = performance.now() - started;
  await sleep(IDLE_SETTLE_MS);
  const idleMb = processMemory(child.pid ?? 0).rssMb;
  const seconds = await burst(fake, child);
  const peakMb = processMemory(child.pid ?? 0).peakMb;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { label: '(a) grammY echo bot, `bot.start()`', perSecond: UPDATES / seconds, seconds, readyMs, idleMb, peakMb };
}

function launch(fake: FakeTelegram, env: Record<string, string>): { daemon: DaemonProcess; started: number } {
  const started = performance.now();
  const daemon = startDaemon(
    baseEnv({
      LOG_LEVEL: 'info',
      TELEGRAM_POLL_TIMEOUT_SECONDS: '30',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_OWNER_ID: String(OWNER.id),
      TELEGRAM_OWNER_IN_GROUPS: 'true',
      ...env,
    }),
    ['--unpaced-benchmark'],
  );
  return { daemon, started };
}

async function ready(daemon: DaemonProcess, started: number): Promise<{ spawnToReadyMs: number; inProcessMs: number }> {
  const line = await daemon.waitForLog((l) => l.msg === 'openzero is ready', 120_000);
  if (!daemon.logs.some((l) => l.flag === '--unpaced-benchmark')) throw new Error('openzero did not confirm that pacing is off for the benchmark');
  return { spawnToReadyMs: performance.now() - started, inProcessMs: Number(line.readyMs) };
}

async function stop(daemon: DaemonProcess): Promise<void> {
  await stopDaemon(daemon);
  const { code } = await daemon.exited;
  if (code !== 0) throw new Error(`openzero exited with ${String(code)} on SIGTERM\n${daemon.stderr()}`);
}

/** Fresh database: start, idle, burst; then RESTARTS more starts on the now-existing database. */
async function openzero(
  fake: FakeTelegram,
  label: string,
  env: Record<string, string>,
): Promise<{ throughput: ThroughputResult; fresh: ReadyResult; existing: ReadyResult }> {
  const first = launch(fake, env);
  const firstReady = await ready(first.daemon, first.started);
  await sleep(IDLE_SETTLE_MS);
  const pid = first.daemon.child.pid ?? 0;
  const idleMb = processMemory(pid).rssMb;
  const seconds = await burst(fake, first.daemon.child);
  const peakMb = processMemory(pid).peakMb;
  await stop(first.daemon);

  const existing: ReadyResult = { label, spawnToReadyMs: [], inProcessMs: [] };
  let idleRestartMb: number | undefined;
  for (let i = 0; i < RESTARTS; i++) {
    const again = launch(fake, env);
    const measured = await ready(again.daemon, again.started);
    existing.spawnToReadyMs.push(measured.spawnToReadyMs);
    existing.inProcessMs.push(measured.inProcessMs);
    if (i === 0) {
      await sleep(IDLE_SETTLE_MS);
      idleRestartMb = processMemory(again.daemon.child.pid ?? 0).rssMb;
    }
    await stop(again.daemon);
  }
  return {
    throughput: { label: `(b) openzero, ${label}`, perSecond: UPDATES / seconds, seconds, readyMs: firstReady.spawnToReadyMs, idleMb, idleRestartMb, peakMb },
    fresh: { label, spawnToReadyMs: [firstReady.spawnToReadyMs], inProcessMs: [firstReady.inProcessMs] },
    existing,
  };
}

async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> } | string> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const name = `oz_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    url: POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const ms = (value: number): string => `${Math.round(value)} ms`;
const mb = (value: number): string => `${value.toFixed(0)} MB`;
const verdict = (met: boolean): string => (met ? 'met' : '**missed**');

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing: run `npm run build` first (bench/run.ts does)');
  const fake = await startFakeTelegram({ knownChats: chats });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-bench-'));
  const throughput: ThroughputResult[] = [];
  const readiness: { label: string; result: ReadyResult }[] = [];
  let postgresSkipped: string | undefined;
  try {
    throughput.push(await echoBaseline(fake));

    const embedded = await openzero(fake, 'PGlite', { DATA_DIR: dataDir });
    throughput.push(embedded.throughput);
    readiness.push({ label: 'PGlite, fresh data dir (creates the database, runs migrations)', result: embedded.fresh });
    readiness.push({ label: 'PGlite, existing data dir', result: embedded.existing });

    const postgres = await createPostgresDatabase();
    if (typeof postgres === 'string') {
      postgresSkipped = `PostgreSQL at ${POSTGRES_ADMIN_URL} is not reachable (${postgres}); its rows are missing.`;
    } else {
      try {
        const result = await openzero(fake, 'PostgreSQL', { DATA_DIR: path.join(dataDir, 'pg-run'), DATABASE_URL: postgres.url });
        throughput.push(result.throughput);
        readiness.push({ label: 'PostgreSQL, fresh database (runs migrations)', result: result.fresh });
        readiness.push({ label: 'PostgreSQL, existing database', result: result.existing });
      } finally {
        await postgres.drop();
      }
    }
    if (fake.unexpected.length > 0) throw new Error(`the fake saw unexpected requests: ${JSON.stringify(fake.unexpected.slice(0, 5))}`);
  } finally {
    await fake.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const baseline = throughput[0]?.perSecond ?? Number.NaN;
  const pglite = throughput.find((row) => row.label.includes('PGlite'));
  const postgres = throughput.find((row) => row.label.includes('PostgreSQL'));
  const readyOf = (prefix: string): number => median(readiness.find((row) => row.label.startsWith(prefix))?.result.spawnToReadyMs ?? []);

  const lines = [
    '## Telegram pipeline: grammY echo bot vs openzero',
    '',
    '```',
    'npx tsx bench/telegram-pipeline.bench.ts',
    '```',
    '',
    `${UPDATES.toLocaleString('en')} text updates from ${CHAT_COUNT} chats (the owner's private chat + ${CHAT_COUNT - 1} groups), sent as one burst`,
    'to the same fake Bot API (in the benchmark process); each bot is a child process. openzero answers an unknown',
    'command ("I don\'t know /uN…") through owner check, inbox, router and journaled outbox, at LOG_LEVEL=info,',
    'with `--unpaced-benchmark` (no pacing to Telegram\'s per-chat limits, like the echo bot; nothing else changes),',
    `HANDLER_CONCURRENCY=8 (the default). Idle RSS is VmRSS ${IDLE_SETTLE_MS / 1000} s after ready on the fresh database, and again after a restart on`,
    'the same (now existing) database; peak is VmHWM after the burst.',
    '',
    '| bot | updates/s | ratio vs (a) | burst time | spawn → polling | idle RSS | idle RSS, restarted | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...throughput.map(
      (row) =>
        `| ${row.label} | ${row.perSecond.toFixed(0)} | ${(row.perSecond / baseline).toFixed(2)} | ${row.seconds.toFixed(2)} s | ${ms(row.readyMs)} | ${mb(row.idleMb)} | ${row.idleRestartMb === undefined ? '–' : mb(row.idleRestartMb)} | ${mb(row.peakMb)} |`,
    ),
    '',
    `Start-up: spawn of \`node dist/main.js\` → the \`openzero is ready\` log line (polling starts there); "existing" is the median of ${RESTARTS} restarts.`,
    '',
    '| openzero start | spawn → ready | of which in-process (`readyMs`) |',
    '|---|---:|---:|',
    ...readiness.map((row) => `| ${row.label} | ${ms(median(row.result.spawnToReadyMs))} | ${ms(median(row.result.inProcessMs))} |`),
    '',
    '| target | measured | |',
    '|---|---:|---|',
  ];
  if (pglite) lines.push(`| ratio (b)/(a) ≥ 0.5, PGlite | ${(pglite.perSecond / baseline).toFixed(2)} | ${verdict(pglite.perSecond / baseline >= 0.5)} |`);
  if (postgres) {
    const idle = Math.max(postgres.idleMb, postgres.idleRestartMb ?? 0);
    lines.push(`| ratio (b)/(a) ≥ 0.5, PostgreSQL | ${(postgres.perSecond / baseline).toFixed(2)} | ${verdict(postgres.perSecond / baseline >= 0.5)} |`);
    lines.push(`| idle RSS ≤ 100 MB, PostgreSQL (larger of fresh / restarted) | ${mb(idle)} | ${verdict(idle <= 100)} |`);
    lines.push(`| ready ≤ 1.5 s, PostgreSQL (existing database) | ${ms(readyOf('PostgreSQL, existing'))} | ${verdict(readyOf('PostgreSQL, existing') <= 1500)} |`);
  }
  lines.push(`| ready ≤ 1.5 s, PGlite existing data dir | ${ms(readyOf('PGlite, existing'))} | ${verdict(readyOf('PGlite, existing') <= 1500)} |`);
  lines.push('');
  lines.push(...notes(baseline, pglite, postgres, postgresSkipped, readiness.map((row) => ({ ...row.result, label: row.label }))));
  process.stdout.write(`${lines.join('\n')}\n`);
}

function notes(
  baseline: number,
  pglite: ThroughputResult | undefined,
  postgres: ThroughputResult | undefined,
  skipped: string | undefined,
  readinessRows: ReadyResult[],
): string[] {
  const out = [
    'Notes:',
    '',
    '- (a) is grammY\'s built-in `bot.start()` long polling: `@grammyjs/runner` is not installed. `bot.start()` handles',
    '  one update at a time; the runner would overlap handlers (and, per the spine issue, lose or repeat updates on a crash).',
    '  Its RSS includes the `tsx` loader it runs under (openzero runs compiled JavaScript).',
    '- Per update openzero does what (a) does not: the batch insert into `inbox` with the offset (one transaction per',
    '  getUpdates batch), two synchronous appends to the delivery-receipt file around the `sendMessage`, and the statement',
    '  that stores the reply in `outbox` and marks the update done, shared by the updates that finish in the same turn of',
    '  the event loop (group commit). That is the price of zero loss.',
  ];
  if (pglite && pglite.perSecond / baseline < 0.5) {
    out.push(
      '- PGlite misses the ratio: it is PostgreSQL compiled to WebAssembly running on the daemon\'s own thread, one',
      '  connection, so every query of every chat is serialised with the handlers and the HTTP work on one core.',
    );
  }
  if (postgres && Math.max(postgres.idleMb, postgres.idleRestartMb ?? 0) > 100) {
    out.push('- PostgreSQL idle RSS over 100 MB: Node alone is ~40 MB; the loaded module graph (grammY ~18 MB, kysely ~10 MB, pg, zod,', '  pino, the LLM clients, every feature) accounts for most of the rest. PGlite, transformers.js and the Qdrant client load only when used.');
  }
  if (postgres && postgres.perSecond / baseline < 0.5) {
    out.push('- PostgreSQL misses the ratio: each reply waits for a committed write (a synchronous WAL flush).');
  }
  const boot = (label: string, rows: ReadyResult[]): number | undefined => {
    const row = rows.find((r) => r.label.startsWith(label));
    return row ? median(row.spawnToReadyMs) - median(row.inProcessMs) : undefined;
  };
  const pgBoot = boot('PostgreSQL, existing', readinessRows);
  if (pgBoot !== undefined) {
    out.push(
      `- Start-up: about ${ms(pgBoot)} of every start passes before \`App.start\` begins (Node itself plus loading the`,
      '  compiled modules: grammY, kysely, pg, zod, pino, the LLM clients, every feature); the rest is opening the database,',
      '  checking migrations, getMe, setMyCommands and deleteWebhook.',
    );
  }
  out.push(
    '- PGlite opens a data dir by starting PostgreSQL inside WebAssembly (its heap starts at 128 MB, the minimum the build',
    '  allows). A fresh dir is created by initdb in a short-lived child process, because initdb grows the WebAssembly heap to',
    `  ~700 MB and WebAssembly memory is never returned; the daemon then opens the existing dir (idle ${pglite ? mb(pglite.idleMb) : '?'} after a fresh`,
    '  start' + (pglite?.idleRestartMb === undefined ? ').' : `, ${mb(pglite.idleRestartMb)} after a restart).`),
  );
  if (skipped) out.push(`- ${skipped}`);
  return out;
}

await main();
