import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createDurableMessenger, type OwnerMessenger } from '../../src/messenger/index.js';
import { createEffectJournal, ReceiptLog } from '../../src/outbox/index.js';
import { routineSchedule, everyMinutesSchedule, type RoutineRule } from '../../src/routines/schedule.js';
import { Scheduler, ON_TIME_MS, type CatchUpPolicy, type Schedulable } from '../../src/routines/scheduler.js';
import { runsOf } from '../../src/routines/runs-repo.js';
import { localDateKey } from '../../src/time/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

/** Deterministic random numbers (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RoutineSpec {
  key: string;
  rule: RoutineRule;
  timeZone: string;
  catchUp: CatchUpPolicy;
}

describe.each(databaseKinds())('scheduler on %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-scheduler-'));

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    expect((await migrateToLatest(opened.db)).ok).toBe(true);
  });
  afterAll(async () => {
    await opened.close();
    await database.drop();
  });
  beforeEach(async () => {
    await opened.db.deleteFrom('routine_runs').execute();
    await opened.db.deleteFrom('routine_state').execute();
    await opened.db.deleteFrom('owner_messages').execute();
  });

  /** One daemon process: its own receipt log (same file across restarts), messenger and scheduler. */
  function daemonProcess(options: {
    receipts: string;
    clock: () => Date;
    routines: RoutineSpec[];
    sent: string[];
    paused?: () => boolean;
    asked?: number[];
    /** Called right after a physical send; returning true kills the process there (the send never returns). */
    killAfterSend?: (scope: string) => boolean;
    onRun?: (key: string) => Promise<void>;
  }) {
    const receipts = new ReceiptLog(options.receipts);
    receipts.open();
    const journal = createEffectJournal(receipts, silentLogger());
    let killed: () => void = () => undefined;
    const died = new Promise<void>((resolve) => (killed = resolve));
    let currentScope = '';
    const channel: OwnerMessenger = {
      async send(message) {
        const result = await journal.run(
          { method: 'sendMessage', chatId: 1, payload: { text: message.text } },
          async () => {
            options.sent.push(message.text);
            return { ok: true, value: { message_id: options.sent.length }, result: { message_id: options.sent.length } };
          },
          (stored) => stored as { message_id: number },
        );
        if (options.killAfterSend?.(currentScope)) {
          killed();
          await new Promise(() => undefined); // the process is gone: nothing after this runs
        }
        return { messageIds: [result.message_id] };
      },
    };
    const messenger = createDurableMessenger({ db: opened.db, channel, settle: (s) => journal.settle(s), clock: options.clock, timeZone: 'UTC', log: silentLogger() });
    const items: Schedulable[] = options.routines.map((spec) => ({
      key: spec.key,
      title: spec.key,
      schedule: routineSchedule(spec.rule, spec.timeZone),
      timeZone: spec.timeZone,
      catchUp: spec.catchUp,
      pausable: true,
      run: async (context) => {
        await options.onRun?.(spec.key);
        currentScope = context.scope;
        const delivery = await messenger.send({ text: context.scope }, { scope: context.scope });
        return { status: 'delivered', messageIds: delivery?.messageIds ?? [] };
      },
    }));
    const scheduler = new Scheduler({
      db: opened.db,
      clock: options.clock,
      log: silentLogger(),
      sources: async () => items,
      paused: options.paused ?? (() => false),
      ask: async (_item, runId) => {
        options.asked?.push(runId);
      },
    });
    return { scheduler, died, close: () => receipts.close() };
  }

  const morning = (catchUp: CatchUpPolicy, timeZone = 'Europe/Berlin'): RoutineSpec => ({
    key: `routine:morning-${catchUp}`,
    rule: { every: 'day', days: EVERY_DAY, hour: 7, minute: 30 },
    timeZone,
    catchUp,
  });

  it('runs a slot once: a second check and a restart in the same minute send nothing more', async () => {
    let now = new Date('2026-06-01T05:00:00Z'); // 07:00 Berlin: first start
    const sent: string[] = [];
    const file = path.join(dir, 'once.jsonl');
    const first = daemonProcess({ receipts: file, clock: () => now, routines: [morning('same-day')], sent });
    await first.scheduler.check();
    now = new Date('2026-06-01T05:30:10Z');
    await first.scheduler.check();
    await Promise.all([first.scheduler.check(), first.scheduler.check()]);
    await first.scheduler.idle();
    first.close();
    const second = daemonProcess({ receipts: file, clock: () => now, routines: [morning('same-day')], sent });
    await second.scheduler.resumeInterrupted();
    await second.scheduler.check();
    await second.scheduler.idle();
    second.close();
    expect(sent).toEqual(['routine:morning-same-day@2026-06-01T05:30:00.000Z']);
    const runs = await runsOf(opened.db, 'routine:morning-same-day');
    expect(runs.map((run) => [run.status, run.trigger])).toEqual([['delivered', 'scheduled']]);
  });

  it('a missed slot is caught up per policy, with a reason; skips are recorded', async () => {
    let now = new Date('2026-06-01T04:00:00Z'); // 06:00 Berlin: first start, then down until 09:00
    const sent: string[] = [];
    const routines = [morning('same-day'), morning('skip'), morning('once')];
    const file = path.join(dir, 'policy.jsonl');
    const boot = daemonProcess({ receipts: file, clock: () => now, routines, sent });
    await boot.scheduler.check();
    boot.close();
    now = new Date('2026-06-01T07:00:00Z');
    const later = daemonProcess({ receipts: file, clock: () => now, routines, sent });
    await later.scheduler.check();
    await later.scheduler.idle();
    later.close();
    expect(sent.sort()).toEqual(['routine:morning-once@2026-06-01T05:30:00.000Z', 'routine:morning-same-day@2026-06-01T05:30:00.000Z']);
    const [skipped] = await runsOf(opened.db, 'routine:morning-skip');
    expect(skipped?.status).toBe('skipped');
    expect(skipped?.reason).toContain('catch-up: skip');
    const [caught] = await runsOf(opened.db, 'routine:morning-same-day');
    expect(caught?.trigger).toBe('catch-up');
    expect(caught?.reason).toContain('missed at');

    // Down over three days: one catch-up at most, the dropped slots counted in the reason.
    now = new Date('2026-06-04T10:00:00Z');
    const afterOutage = daemonProcess({ receipts: file, clock: () => now, routines, sent });
    await afterOutage.scheduler.check();
    await afterOutage.scheduler.idle();
    afterOutage.close();
    const onceRuns = await runsOf(opened.db, 'routine:morning-once');
    expect(onceRuns).toHaveLength(2);
    expect(onceRuns[1]?.reason).toContain('2 earlier slots dropped');
    expect(sent.filter((text) => text.startsWith('routine:morning-once'))).toHaveLength(2);
    // same-day: the 4th's 07:30 is today (12:00 Berlin), so it runs; the 2nd and 3rd are dropped.
    expect(sent.filter((text) => text.startsWith('routine:morning-same-day'))).toHaveLength(2);
  });

  it('same-day does not send yesterday\'s briefing', async () => {
    let now = new Date('2026-06-01T04:00:00Z');
    const sent: string[] = [];
    const file = path.join(dir, 'sameday.jsonl');
    const boot = daemonProcess({ receipts: file, clock: () => now, routines: [morning('same-day')], sent });
    await boot.scheduler.check();
    boot.close();
    now = new Date('2026-06-01T22:10:00Z'); // 00:10 on the 2nd in Berlin
    const later = daemonProcess({ receipts: file, clock: () => now, routines: [morning('same-day')], sent });
    await later.scheduler.check();
    await later.scheduler.idle();
    later.close();
    expect(sent).toEqual([]);
    const [run] = await runsOf(opened.db, 'routine:morning-same-day');
    expect(run?.status).toBe('skipped');
    expect(run?.reason).toContain('that day is over');
  });

  it('/pause holds every slot; /resume applies the catch-up policy', async () => {
    let now = new Date('2026-06-01T04:00:00Z');
    let paused = false;
    const sent: string[] = [];
    const routines = [morning('same-day'), morning('skip')];
    const proc = daemonProcess({ receipts: path.join(dir, 'pause.jsonl'), clock: () => now, routines, sent, paused: () => paused });
    await proc.scheduler.check();
    paused = true;
    now = new Date('2026-06-01T05:30:05Z');
    await proc.scheduler.check();
    now = new Date('2026-06-01T06:30:00Z');
    await proc.scheduler.check();
    await proc.scheduler.idle();
    expect(sent).toEqual([]);
    expect(await runsOf(opened.db, 'routine:morning-same-day')).toEqual([]);
    paused = false;
    await proc.scheduler.check();
    await proc.scheduler.idle();
    proc.close();
    expect(sent).toEqual(['routine:morning-same-day@2026-06-01T05:30:00.000Z']);
    expect((await runsOf(opened.db, 'routine:morning-skip'))[0]?.status).toBe('skipped');
  });

  it('ask: a missed slot waits for Run now or Skip; one press wins', async () => {
    let now = new Date('2026-06-01T04:00:00Z');
    const sent: string[] = [];
    const asked: number[] = [];
    const proc = daemonProcess({ receipts: path.join(dir, 'ask.jsonl'), clock: () => now, routines: [morning('ask')], sent, asked });
    await proc.scheduler.check();
    now = new Date('2026-06-01T08:00:00Z');
    await proc.scheduler.check();
    await proc.scheduler.check();
    expect(asked).toHaveLength(1);
    expect(sent).toEqual([]);
    const runId = asked[0] ?? 0;
    const presses = await Promise.all([proc.scheduler.runAsked(runId), proc.scheduler.runAsked(runId)]);
    expect(presses.sort()).toEqual(['gone', 'started']);
    expect(await proc.scheduler.skipAsked(runId)).toBe(false);
    await proc.scheduler.idle();
    proc.close();
    expect(sent).toHaveLength(1);
  });

  it('catch-ups run one at a time', async () => {
    let now = new Date('2026-06-01T04:00:00Z');
    const sent: string[] = [];
    let running = 0;
    let most = 0;
    const routines = ['a', 'b', 'c', 'd'].map((name) => ({ ...morning('once'), key: `routine:${name}` }));
    const onRun = async (): Promise<void> => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
    };
    const boot = daemonProcess({ receipts: path.join(dir, 'serial.jsonl'), clock: () => now, routines, sent, onRun });
    await boot.scheduler.check();
    boot.close();
    now = new Date('2026-06-01T09:00:00Z');
    const later = daemonProcess({ receipts: path.join(dir, 'serial.jsonl'), clock: () => now, routines, sent, onRun });
    await later.scheduler.check();
    await later.scheduler.idle();
    later.close();
    expect(sent).toHaveLength(4);
    expect(most).toBe(1);
  });

  it('jobs share the run table: a job slot runs once across two schedulers', async () => {
    let now = new Date('2026-06-01T10:00:30Z');
    let runs = 0;
    const job: Schedulable = {
      key: 'job:poll',
      title: 'poll',
      schedule: everyMinutesSchedule(5),
      timeZone: 'UTC',
      catchUp: 'once',
      pausable: true,
      run: async () => {
        runs += 1;
        return { status: 'done' };
      },
    };
    const make = () => new Scheduler({ db: opened.db, clock: () => now, log: silentLogger(), sources: async () => [job], paused: () => false, ask: async () => undefined });
    const [a, b] = [make(), make()];
    await Promise.all([a.check(), b.check()]);
    await Promise.all([a.idle(), b.idle()]);
    now = new Date('2026-06-01T10:05:01Z');
    await Promise.all([a.check(), b.check()]);
    await Promise.all([a.idle(), b.idle()]);
    expect(runs).toBe(2);
  });

  it('property: 1,000 random crash and restart points over three weeks give 0 double runs and catch-up exactly per policy', { timeout: 600_000 }, async () => {
    const random = seeded(20261202);
    const routines: RoutineSpec[] = [
      { key: 'routine:p-skip', rule: { every: 'day', days: EVERY_DAY, hour: 7, minute: 30 }, timeZone: 'Europe/Berlin', catchUp: 'skip' },
      { key: 'routine:p-same-day', rule: { every: 'day', days: EVERY_DAY, hour: 7, minute: 30 }, timeZone: 'America/New_York', catchUp: 'same-day' },
      { key: 'routine:p-once', rule: { every: 'day', days: EVERY_DAY, hour: 2, minute: 30 }, timeZone: 'Europe/Berlin', catchUp: 'once' },
      { key: 'routine:p-late', rule: { every: 'day', days: [1, 2, 3, 4, 5], hour: 23, minute: 50 }, timeZone: 'America/New_York', catchUp: 'same-day' },
    ];
    const start = new Date('2026-03-01T00:00:00Z').getTime();
    const end = new Date('2026-03-22T00:00:00Z').getTime(); // covers the US spring-forward (Mar 8)
    const toggles = Array.from({ length: 1000 }, () => start + Math.floor(random() * (end - start))).sort((a, b) => a - b);
    // Every slot of every routine, and when the minute check after it happens (0-59 s later).
    const slotChecks: { at: number; key: string; slot: number }[] = [];
    for (const spec of routines) {
      const schedule = routineSchedule(spec.rule, spec.timeZone);
      for (let s = schedule.next(new Date(start)); s && s.getTime() < end; s = schedule.next(s)) {
        slotChecks.push({ at: s.getTime() + Math.floor(random() * 59_000), key: spec.key, slot: s.getTime() });
      }
    }
    type Event = { at: number; kind: 'toggle' } | { at: number; kind: 'check'; key: string; slot: number };
    const events: Event[] = [...toggles.map((at) => ({ at, kind: 'toggle' as const })), ...slotChecks.map((c) => ({ ...c, kind: 'check' as const }))].sort((a, b) => a.at - b.at);

    const file = path.join(dir, 'property.jsonl');
    const sent: string[] = [];
    let now = new Date(start);
    let proc: ReturnType<typeof daemonProcess> | undefined;
    const starts: number[] = [];
    const upAtCheck = new Map<string, boolean>();
    let kills = 0;
    let sendKills = 0;

    const settle = async (p: ReturnType<typeof daemonProcess>): Promise<boolean> => {
      const outcome = await Promise.race([p.scheduler.idle().then(() => 'idle' as const), p.died.then(() => 'died' as const)]);
      return outcome === 'died';
    };
    const boot = async (): Promise<void> => {
      starts.push(now.getTime());
      const p = daemonProcess({ receipts: file, clock: () => now, routines, sent, killAfterSend: () => {
        const kill = random() < 0.3;
        if (kill) sendKills += 1;
        return kill;
      } });
      proc = p;
      await p.scheduler.resumeInterrupted();
      await p.scheduler.check();
      if (await settle(p)) crash();
    };
    const crash = (): void => {
      kills += 1;
      proc?.close();
      proc = undefined;
    };

    for (const event of events) {
      now = new Date(event.at);
      if (event.kind === 'toggle') {
        if (proc) crash();
        else await boot();
        continue;
      }
      const key = `${event.key}@${new Date(event.slot).toISOString()}`;
      upAtCheck.set(key, proc !== undefined);
      if (!proc) continue;
      const p = proc;
      await p.scheduler.check();
      if (await settle(p)) crash();
    }
    proc?.close();

    // The model: which slots must have been delivered.
    const firstStart = starts[0] ?? end;
    const expected = new Set<string>();
    for (const spec of routines) {
      const schedule = routineSchedule(spec.rule, spec.timeZone);
      for (let s = schedule.next(new Date(firstStart - ON_TIME_MS - 1)); s && s.getTime() < end; s = schedule.next(s)) {
        const key = `${spec.key}@${s.toISOString()}`;
        if (upAtCheck.get(key)) {
          expected.add(key);
          continue;
        }
        const restart = starts.find((t) => t >= s.getTime());
        if (restart === undefined) continue;
        if (schedule.previous(new Date(restart))?.getTime() !== s.getTime()) continue; // a later slot came first
        const late = restart - s.getTime() > ON_TIME_MS;
        const run =
          !late ||
          spec.catchUp === 'once' ||
          (spec.catchUp === 'same-day' && localDateKey(s, spec.timeZone) === localDateKey(new Date(restart), spec.timeZone));
        if (run) expected.add(key);
      }
    }
    const counts = new Map<string, number>();
    for (const text of sent) counts.set(text, (counts.get(text) ?? 0) + 1);
    const doubles = [...counts].filter(([, n]) => n > 1);
    expect(doubles).toEqual([]);
    expect([...counts.keys()].sort()).toEqual([...expected].sort());
    expect(starts.length).toBeGreaterThan(400);
    expect(kills).toBeGreaterThan(400);
    expect(sendKills).toBeGreaterThan(2);
  });
});
