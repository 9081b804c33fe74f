/**
 * Issue 10, "Numbers":
 *   (a) routine firing precision: send time minus slot time, on an idle daemon-like setup.
 *       The real Scheduler (src/routines/scheduler.ts) runs on the real clock against a fresh
 *       embedded PGlite database, with ROUTINES routines due every minute for MINUTES minutes;
 *       each run sends through a messenger that records when it was called. Baseline, in the
 *       same process and minutes: a bare node-cron `* * * * *` task recording when it fired.
 *       The scheduler's own overhead is the difference (claiming each slot in the run table).
 *   (b) the cost of a quiet day: the repository's recurring-plans.md, every section connected
 *       and empty (the routines' own database sections on a fresh database, calendar and
 *       emails as empty sections), driven through the Scheduler with an injected clock set to
 *       each slot of a whole month; each run does what the routines feature does
 *       (writeBriefing, then send only if there is a draft) with a counting model and
 *       messenger. Expected: 0 model calls, 0 messages.
 *
 *   npx tsx bench/routines.bench.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cron from 'node-cron';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../src/db/index.js';
import { silentLogger } from '../src/log/index.js';
import type { OwnerMessenger } from '../src/messenger/index.js';
import { writeBriefing } from '../src/routines/briefing.js';
import type { BriefingSection } from '../src/routines/contracts.js';
import { sendHeldDigest } from '../src/routines/held-digest.js';
import { parseRecurringPlans } from '../src/routines/recurring-plans.js';
import { everyMinutesSchedule, routineSchedule } from '../src/routines/schedule.js';
import { Scheduler, type Schedulable } from '../src/routines/scheduler.js';
import { goalsSection, progressSection, projectsSection, remindersSection, staleSection, tasksSection } from '../src/routines/sections.js';
import { ScriptedModel } from '../test/google/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROUTINES = 5;
const MINUTES = Number(process.env.BENCH_ROUTINE_MINUTES ?? 4);
const TIME_ZONE = 'Europe/Berlin';

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

async function freshDatabase(): Promise<{ opened: OpenDatabase; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-routines-bench-'));
  const opened = await openDatabase({ kind: 'embedded', dataDir: path.join(dir, 'pglite') }, silentLogger());
  const migrated = await migrateToLatest(opened.db);
  if (!migrated.ok) throw new Error('migrations failed');
  return { opened, dir };
}

interface Precision {
  schedulerMs: number[];
  cronMs: number[];
}

async function firingPrecision(): Promise<Precision> {
  const { opened, dir } = await freshDatabase();
  const started = Date.now();
  const schedulerMs: number[] = [];
  const cronMs: number[] = [];
  const messenger: OwnerMessenger = {
    async send() {
      return { messageIds: [schedulerMs.length] };
    },
  };
  const items: Schedulable[] = Array.from({ length: ROUTINES }, (_, i) => ({
    key: `routine:bench-${i}`,
    title: `bench ${i}`,
    schedule: everyMinutesSchedule(1),
    timeZone: TIME_ZONE,
    catchUp: 'skip',
    pausable: true,
    run: async ({ slot }) => {
      const delivery = await messenger.send({ text: 'tick' }, { scope: `bench-${i}@${slot.toISOString()}` });
      // The slot the scheduler found at start (up to a minute old) is not a precision sample.
      if (slot.getTime() > started) schedulerMs.push(Date.now() - slot.getTime());
      return { status: 'delivered', messageIds: delivery?.messageIds ?? [] };
    },
  }));
  const baseline = cron.schedule('* * * * *', () => {
    const now = Date.now();
    cronMs.push(now - Math.floor(now / 60_000) * 60_000);
  }, { name: 'bench baseline' });
  const scheduler = new Scheduler({
    db: opened.db,
    clock: () => new Date(),
    log: silentLogger(),
    sources: async () => items,
    paused: () => false,
    ask: async () => undefined,
  });
  await scheduler.start();
  const end = (Math.floor(Date.now() / 60_000) + MINUTES) * 60_000 + 20_000;
  await new Promise((resolve) => setTimeout(resolve, end - Date.now()));
  await scheduler.stop();
  await baseline.destroy();
  await opened.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { schedulerMs, cronMs };
}

interface QuietMonth {
  days: number;
  runs: number;
  modelCalls: number;
  messages: number;
  statuses: Record<string, number>;
}

async function quietMonth(): Promise<QuietMonth> {
  const { opened, dir } = await freshDatabase();
  const db = opened.db;
  const parsed = parseRecurringPlans(fs.readFileSync(path.join(ROOT, 'recurring-plans.md'), 'utf8'));
  if (!parsed.ok) throw new Error('recurring-plans.md does not parse');
  let messages = 0;
  const llm = new ScriptedModel(); // answers every call; counts them in llm.requests
  const messenger: OwnerMessenger = {
    async send() {
      messages += 1;
      return { messageIds: [messages] };
    },
  };
  const empty = (key: string, title: string): BriefingSection => ({ key, gather: async () => ({ connected: true, title, lines: [] }) });
  const sections = new Map<string, BriefingSection>(
    [
      tasksSection(db),
      projectsSection(db),
      progressSection(db),
      staleSection(db),
      goalsSection(db, path.join(dir, 'about-me.md')),
      remindersSection(db),
      empty('calendar', 'Calendar'),
      empty('emails', 'Emails'),
    ].map((section) => [section.key, section]),
  );
  const statuses: Record<string, number> = {};
  const items: Schedulable[] = parsed.plans
    .filter((plan) => plan.enabled)
    .map((plan) => ({
      key: `routine:${plan.id}`,
      title: plan.title,
      schedule: routineSchedule(plan.rule, plan.timeZone ?? TIME_ZONE),
      timeZone: plan.timeZone ?? TIME_ZONE,
      catchUp: plan.catchUp,
      pausable: true,
      run: async ({ now, scope }) => {
        const draft = await writeBriefing({ plan, sections, llm, now, timeZone: plan.timeZone ?? TIME_ZONE, notes: [] });
        if (!draft) return { status: 'nothing', reason: 'nothing to say' };
        const delivery = await messenger.send({ text: draft.text }, { scope });
        return { status: 'delivered', messageIds: delivery?.messageIds ?? [] };
      },
    }));
  // A fixed month in the past: the clock never meets the database's own now().
  const from = new Date('2026-03-01T00:00:00+01:00');
  const to = new Date('2026-04-01T00:00:00+02:00');
  let now = from;
  const scheduler = new Scheduler({
    db,
    clock: () => now,
    log: silentLogger(),
    sources: async () => items,
    paused: () => false,
    ask: async () => undefined,
    afterCheck: async (at) => {
      await sendHeldDigest({ db, messenger, now: at, timeZone: TIME_ZONE });
    },
  });
  await scheduler.check();
  await scheduler.idle();
  for (;;) {
    const next = items.map((item) => item.schedule.next(now)).filter((slot): slot is Date => slot !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
    if (!next || next.getTime() >= to.getTime()) break;
    now = new Date(next.getTime() + 1000);
    await scheduler.check();
    await scheduler.idle();
  }
  const runs = await db.selectFrom('routine_runs').select(['status']).execute();
  for (const run of runs) statuses[run.status] = (statuses[run.status] ?? 0) + 1;
  await opened.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { modelCalls: llm.requests.length, days: Math.round((to.getTime() - from.getTime()) / 86_400_000), runs: runs.length, messages, statuses };
}

const quiet = await quietMonth();
const precision = await firingPrecision();
const ms = (value: number): string => `${value.toFixed(0)} ms`;
const p50s = percentile(precision.schedulerMs, 50);
const p95s = percentile(precision.schedulerMs, 95);
const p50c = percentile(precision.cronMs, 50);
const p95c = percentile(precision.cronMs, 95);
const lines = [
  '## Routines: firing precision and the cost of a quiet day (issue 10)',
  '',
  `Firing precision: the real Scheduler on the real clock, fresh embedded PGlite, ${ROUTINES} routines due every minute for ${MINUTES} minutes; ` +
    'a sample is the time the routine called the messenger minus its slot time. Baseline: a bare node-cron `* * * * *` task in the same process (its lateness past the minute).',
  '',
  '| | samples | p50 | p95 | max |',
  '| --- | ---: | ---: | ---: | ---: |',
  `| bare node-cron tick (baseline) | ${precision.cronMs.length} | ${ms(p50c)} | ${ms(p95c)} | ${ms(Math.max(...precision.cronMs))} |`,
  `| Scheduler: send − slot | ${precision.schedulerMs.length} | ${ms(p50s)} | ${ms(p95s)} | ${ms(Math.max(...precision.schedulerMs))} |`,
  '',
  `Scheduler p95 − node-cron p95 = ${ms(p95s - p95c)} of claim-and-dispatch overhead (ratio of p95s ${(p95s / Math.max(1, p95c)).toFixed(1)}×). ` +
    `Target (issue 10 asks for the p95; the scheduler calls a slot on time within ${5} minutes): p95 under 1 s: ${p95s < 1000 ? 'met' : 'missed'}.`,
  '',
  `Quiet days: the repository's recurring-plans.md (${quiet.runs} routine runs over ${quiet.days} days of March 2026, Europe/Berlin) with every section connected and empty, ` +
    'driven through the Scheduler with an injected clock at each slot; each run = writeBriefing, then a send only if it returned a draft, as the routines feature does; held-message digest after each check.',
  '',
  '| | model calls | messages | run statuses |',
  '| --- | ---: | ---: | --- |',
  `| ${quiet.days} quiet days (${quiet.runs} runs) | ${quiet.modelCalls} | ${quiet.messages} | ${Object.entries(quiet.statuses).map(([status, count]) => `${status}: ${count}`).join(', ')} |`,
  '',
  `Target 0 model calls and 0 messages: ${quiet.modelCalls === 0 && quiet.messages === 0 ? 'met' : 'missed'}.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
