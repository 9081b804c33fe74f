import cron, { type ScheduledTask } from 'node-cron';
import type { Db } from '../db/index.js';
import type { RunStatus, RunTrigger } from '../db/tables/routines.table.js';
import type { Logger } from '../log/index.js';
import { formatLocal, localDateKey, type Clock } from '../time/index.js';
import {
  bumpAttempts,
  claimRun,
  ensureFirstSeen,
  findRun,
  finishRun,
  getRun,
  interruptedRuns,
  latestRun,
  pruneJobRuns,
  transitionRun,
} from './runs-repo.js';
import type { Schedule } from './schedule.js';

/**
 * What happens to a slot the daemon missed (it was down, or paused):
 * - `skip`: recorded as skipped, nothing sent;
 * - `same-day`: run once if it is still the slot's day in the routine's time zone, else skipped;
 * - `once`: run once, however long ago;
 * - `ask`: the owner gets Run now / Skip buttons.
 * Only the latest missed slot of a routine is considered: at most one catch-up per routine.
 */
export type CatchUpPolicy = 'skip' | 'same-day' | 'once' | 'ask';
export const CATCH_UP_POLICIES: readonly CatchUpPolicy[] = ['skip', 'same-day', 'once', 'ask'];

export interface RunContext {
  now: Date;
  slot: Date;
  trigger: RunTrigger;
  /** Idempotency key for what this run sends: the same on every attempt of this slot. */
  scope: string;
  /** Why this is a catch-up, for the message itself. */
  note?: string;
}

export interface RunResult {
  status: Extract<RunStatus, 'delivered' | 'held' | 'nothing' | 'done' | 'failed'>;
  reason?: string;
  messageIds?: number[];
}

/** Anything the scheduler runs: a routine, a feature's job, a reminder. */
export interface Schedulable {
  /** Run-log key: `routine:<id>`, `job:<name>`, `reminder:<id>`. */
  key: string;
  title: string;
  schedule: Schedule;
  timeZone: string;
  catchUp: CatchUpPolicy;
  /** Held by /pause. */
  pausable: boolean;
  run(context: RunContext): Promise<RunResult>;
}

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Everything due, read afresh on each check (routines file edits, new reminders). */
  sources: () => Promise<Schedulable[]>;
  /** The owner's /pause. */
  paused: () => boolean;
  /** Sends the Run now / Skip question of an `ask` catch-up. */
  ask: (schedulable: Schedulable, runId: number, slot: Date) => Promise<void>;
  /** Called after each check (digest of held messages, nudges). */
  afterCheck?: (now: Date) => Promise<void>;
}

/** A slot found later than this after its time counts as missed, not as on time. */
export const ON_TIME_MS = 5 * 60_000;
/** A run interrupted by crashes this many times is given up (a crash loop must not resend forever). */
const MAX_ATTEMPTS = 3;
const MAX_MISSED_COUNT = 50;
const PRUNE_EVERY_MS = 3_600_000;
const JOB_RUNS_KEPT_MS = 2 * 86_400_000;

/**
 * Finds due slots and runs each at most once. node-cron is only a trigger (every minute
 * on the minute); a check of our own runs at start and every minute too, so a tick that
 * node-cron skipped under load is found by the next check. A slot is claimed in the run
 * table (unique per routine and slot) before anything is sent. On-time runs start at
 * once; catch-ups and resumed runs go one at a time.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #inFlight = new Map<string, Promise<void>>();
  #serial: Promise<void> = Promise.resolve();
  #checking: Promise<void> | undefined;
  #recheck = false;
  #timer: NodeJS.Timeout | undefined;
  #trigger: ScheduledTask | undefined;
  #lastPrune = 0;
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Resumes runs a dead process left half-done, checks once, then keeps checking every minute. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.resumeInterrupted();
    await this.check();
    this.#trigger = cron.schedule('* * * * *', () => this.#fire('cron'), { name: 'openzero routines', noOverlap: false });
    this.#timer = setInterval(() => this.#fire('interval'), 60_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#trigger?.destroy();
    this.#trigger = undefined;
    await this.idle();
  }

  /** Waits for the check and every run it started. */
  async idle(): Promise<void> {
    for (;;) {
      const serial = this.#serial;
      const pending = [this.#checking, serial, ...this.#inFlight.values()].filter((p): p is Promise<void> => p !== undefined);
      await Promise.allSettled(pending);
      if (this.#checking === undefined && this.#serial === serial && this.#inFlight.size === 0) return;
    }
  }

  #fire(source: string): void {
    if (this.#stopped) return;
    this.check().catch((err: unknown) => this.#options.log.error({ err, source }, 'routine check failed'));
  }

  /** One check: claims every due, unclaimed slot. Overlapping calls coalesce into one more pass. */
  check(): Promise<void> {
    if (this.#checking) {
      this.#recheck = true;
      return this.#checking;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.#recheck = false;
          await this.#checkOnce();
        } while (this.#recheck);
      } finally {
        this.#checking = undefined;
      }
    };
    this.#checking = run();
    return this.#checking;
  }

  async #checkOnce(): Promise<void> {
    const { db, clock, log, sources, paused } = this.#options;
    const now = clock();
    const items = await sources();
    for (const item of items) {
      if (this.#inFlight.has(item.key)) continue;
      try {
        await this.#consider(item, now, paused());
      } catch (err) {
        log.error({ err, routine: item.key }, 'routine slot check failed');
      }
    }
    if (now.getTime() - this.#lastPrune > PRUNE_EVERY_MS) {
      this.#lastPrune = now.getTime();
      await pruneJobRuns(db, new Date(now.getTime() - JOB_RUNS_KEPT_MS)).catch((err: unknown) => log.warn({ err }, 'pruning job runs failed'));
    }
    await this.#options.afterCheck?.(now).catch((err: unknown) => log.warn({ err }, 'after-check work failed'));
    log.debug({ items: items.length, running: this.#inFlight.size }, 'routine check done');
  }

  async #consider(item: Schedulable, now: Date, pausedAll: boolean): Promise<void> {
    const { db, log } = this.#options;
    const slot = item.schedule.previous(now);
    if (!slot) return;
    const state = await ensureFirstSeen(db, item.key, now);
    // Long before the routine was first seen: never promised (a slot just before first sight still runs on time).
    if (slot.getTime() < state.firstSeen.getTime() - ON_TIME_MS) return;
    if ((item.pausable && pausedAll) || state.paused) return; // held: /resume applies the catch-up policy
    if (await findRun(db, item.key, slot)) return;

    const late = now.getTime() - slot.getTime() > ON_TIME_MS;
    if (!late) {
      const id = await claimRun(db, { routine: item.key, slot, status: 'running', trigger: 'scheduled', at: now });
      if (id !== undefined) this.#launch(item, id, slot, 'scheduled', false);
      return;
    }
    const missed = await this.#missedBefore(item, slot, state.firstSeen);
    const earlier = missed > 0 ? `; ${missed >= MAX_MISSED_COUNT ? `${MAX_MISSED_COUNT}+` : missed} earlier slot${missed === 1 ? '' : 's'} dropped` : '';
    const when = `missed at ${formatLocal(slot, item.timeZone)}`;
    const decision = decideCatchUp(item.catchUp, slot, now, item.timeZone);
    if (decision === 'skip') {
      const reason =
        item.catchUp === 'same-day' ? `${when}; not caught up: that day is over (catch-up: same-day)${earlier}` : `${when}; not caught up (catch-up: skip)${earlier}`;
      await claimRun(db, { routine: item.key, slot, status: 'skipped', trigger: 'catch-up', reason, at: now, finished: true });
      log.info({ routine: item.key, slot, reason }, 'missed slot skipped');
      return;
    }
    if (decision === 'ask') {
      const id = await claimRun(db, { routine: item.key, slot, status: 'asked', trigger: 'catch-up', reason: `${when}; asked whether to run it${earlier}`, at: now });
      if (id !== undefined) await this.#options.ask(item, id, slot);
      return;
    }
    const id = await claimRun(db, { routine: item.key, slot, status: 'running', trigger: 'catch-up', reason: `${when}; caught up (catch-up: ${item.catchUp})${earlier}`, at: now });
    if (id !== undefined) this.#launch(item, id, slot, 'catch-up', true, `This was due ${formatLocal(slot, item.timeZone)}; it is sent late.`);
  }

  /** Slots between the last recorded one (or first sight) and this one: dropped, reported in the reason. */
  async #missedBefore(item: Schedulable, slot: Date, firstSeen: Date): Promise<number> {
    const last = await latestRun(this.#options.db, item.key);
    const floor = Math.max(last?.slot.getTime() ?? 0, firstSeen.getTime());
    let count = 0;
    let cursor = item.schedule.previous(new Date(slot.getTime() - 1));
    while (cursor && cursor.getTime() > floor && count < MAX_MISSED_COUNT) {
      count += 1;
      cursor = item.schedule.previous(new Date(cursor.getTime() - 1));
    }
    return count;
  }

  /** Starts one claimed run: on-time ones at once, catch-ups one at a time. */
  #launch(item: Schedulable, runId: number, slot: Date, trigger: RunTrigger, serial: boolean, note?: string): void {
    const execute = (): Promise<void> => this.#execute(item, runId, slot, trigger, note);
    let done: Promise<void>;
    if (serial) {
      done = this.#serial.then(execute);
      this.#serial = done.catch(() => undefined);
    } else {
      done = execute();
    }
    const tracked = done.finally(() => {
      if (this.#inFlight.get(item.key) === tracked) this.#inFlight.delete(item.key);
    });
    this.#inFlight.set(item.key, tracked);
  }

  async #execute(item: Schedulable, runId: number, slot: Date, trigger: RunTrigger, note?: string): Promise<void> {
    const { db, clock, log } = this.#options;
    const scope = `${item.key}@${slot.toISOString()}`;
    try {
      const result = await item.run({ now: clock(), slot, trigger, scope, ...(note ? { note } : {}) });
      const existing = await getRun(db, runId);
      await finishRun(db, runId, {
        status: result.status,
        reason: [existing?.reason, result.reason].filter(Boolean).join('; ') || undefined,
        ...(result.messageIds ? { messageIds: result.messageIds } : {}),
        at: clock(),
      });
      log.info({ routine: item.key, slot, trigger, status: result.status }, 'routine run finished');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await finishRun(db, runId, { status: 'failed', reason, at: clock() }).catch(() => undefined);
      log.error({ err, routine: item.key, slot }, 'routine run failed');
    }
  }

  /** Runs a dead process claimed but did not finish: again, once each (their sends are idempotent per scope). */
  async resumeInterrupted(): Promise<void> {
    const { db, clock, log, sources } = this.#options;
    const runs = await interruptedRuns(db);
    if (runs.length === 0) return;
    const items = new Map((await sources()).map((item) => [item.key, item]));
    for (const run of runs) {
      const item = items.get(run.routine);
      if (!item) {
        await finishRun(db, run.id, { status: 'failed', reason: 'interrupted, and the routine no longer exists', at: clock() });
        continue;
      }
      if (run.attempts >= MAX_ATTEMPTS) {
        await finishRun(db, run.id, { status: 'failed', reason: `interrupted ${run.attempts} times; given up`, at: clock() });
        continue;
      }
      await bumpAttempts(db, run.id);
      log.info({ routine: run.routine, slot: run.slot, attempts: run.attempts + 1 }, 'resuming an interrupted routine run');
      this.#launch(item, run.id, run.slot, 'resumed', true);
    }
  }

  /** The owner pressed Run now on an `ask` catch-up: true if this press started it. */
  async runAsked(runId: number): Promise<'started' | 'gone' | 'unknown-routine'> {
    const { db, clock, sources } = this.#options;
    const run = await getRun(db, runId);
    if (!run) return 'gone';
    const item = (await sources()).find((candidate) => candidate.key === run.routine);
    if (!item) return 'unknown-routine';
    if (!(await transitionRun(db, runId, 'asked', { status: 'running', trigger: 'asked', reason: `${run.reason ?? ''}; owner chose Run now`, at: clock() }))) return 'gone';
    this.#launch(item, runId, run.slot, 'asked', true, `This was due ${formatLocal(run.slot, item.timeZone)}; you asked for it now.`);
    return 'started';
  }

  async skipAsked(runId: number): Promise<boolean> {
    const run = await getRun(this.#options.db, runId);
    return transitionRun(this.#options.db, runId, 'asked', { status: 'skipped', reason: `${run?.reason ?? ''}; owner chose Skip`, at: this.#options.clock() });
  }
}

/** Which way a missed slot goes under a policy, given the time now. */
export function decideCatchUp(policy: CatchUpPolicy, slot: Date, now: Date, timeZone: string): 'run' | 'skip' | 'ask' {
  switch (policy) {
    case 'skip':
      return 'skip';
    case 'once':
      return 'run';
    case 'ask':
      return 'ask';
    case 'same-day':
      return localDateKey(slot, timeZone) === localDateKey(now, timeZone) ? 'run' : 'skip';
  }
}
