import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../log/index.js';
import { parseRecurringPlans, type PlanProblem, type RoutinePlan } from './recurring-plans.js';

/** Where the text of the last version that parsed is kept, so it outlives a restart (the database's settings). */
export interface LastGoodPlans {
  load(): Promise<string | undefined>;
  save(text: string): Promise<void>;
}

/**
 * recurring-plans.md as it stands: re-read when it changes (a watch on its folder, and
 * a size/mtime check on every read). A version with problems is reported once and
 * ignored: the last good version keeps running, across restarts too (`lastGood`).
 */
export class PlansSource {
  readonly file: string;
  readonly #log: Logger;
  readonly #report: (problems: PlanProblem[], digest: string) => Promise<void>;
  readonly #lastGood: LastGoodPlans | undefined;
  #savedText: string | undefined;
  #stamp = '';
  #plans: RoutinePlan[] = [];
  #problems: PlanProblem[] = [];
  #watcher: fs.FSWatcher | undefined;

  constructor(options: { file: string; log: Logger; report: (problems: PlanProblem[], digest: string) => Promise<void>; lastGood?: LastGoodPlans }) {
    this.file = path.resolve(options.file);
    this.#log = options.log;
    this.#report = options.report;
    this.#lastGood = options.lastGood;
  }

  /** The problems of the newest version of the file, if it has any (the last good plans still run). */
  get problems(): PlanProblem[] {
    return this.#problems;
  }

  async plans(): Promise<RoutinePlan[]> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(this.file);
    } catch {
      if (this.#stamp !== 'missing') this.#log.warn({ file: this.file }, 'recurring plans file not found; no routines');
      this.#stamp = 'missing';
      this.#plans = [];
      this.#problems = [];
      return this.#plans;
    }
    const stamp = `${stat.mtimeMs}:${stat.size}`;
    if (stamp === this.#stamp) return this.#plans;
    const text = await fs.promises.readFile(this.file, 'utf8');
    const firstRead = this.#stamp === '';
    this.#stamp = stamp;
    const parsed = parseRecurringPlans(text);
    if (parsed.ok) {
      this.#plans = parsed.plans;
      this.#problems = [];
      this.#log.info({ routines: parsed.plans.length }, 'recurring plans loaded');
      await this.#remember(text);
    } else {
      if (firstRead) await this.#restoreLastGood();
      this.#problems = parsed.problems;
      const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
      this.#log.warn({ problems: parsed.problems.length, lines: parsed.problems.map((p) => p.line) }, 'recurring plans edit rejected; the last good version keeps running');
      await this.#report(parsed.problems, digest).catch((err: unknown) => this.#log.warn({ err }, 'could not report the recurring plans problem'));
    }
    return this.#plans;
  }

  /** A restart with a broken file: run the version that last parsed, as if the edit had been made while running. */
  async #restoreLastGood(): Promise<void> {
    try {
      const text = await this.#lastGood?.load();
      if (text === undefined) return;
      const parsed = parseRecurringPlans(text);
      if (!parsed.ok) return;
      this.#plans = parsed.plans;
      this.#savedText = text;
      this.#log.info({ routines: parsed.plans.length }, 'recurring plans file has problems; running the last good version stored before the restart');
    } catch (err) {
      this.#log.warn({ err }, 'could not read the last good recurring plans');
    }
  }

  async #remember(text: string): Promise<void> {
    if (this.#lastGood === undefined || text === this.#savedText) return;
    try {
      await this.#lastGood.save(text);
      this.#savedText = text;
    } catch (err) {
      this.#log.warn({ err }, 'could not store the last good recurring plans');
    }
  }

  /** Calls `changed` soon after the file is written (editors replace files, so the folder is watched). */
  watch(changed: () => void): void {
    const name = path.basename(this.file);
    let timer: NodeJS.Timeout | undefined;
    try {
      this.#watcher = fs.watch(path.dirname(this.file), (_event, filename) => {
        if (filename !== null && filename !== name) return;
        clearTimeout(timer);
        timer = setTimeout(changed, 200);
      });
      this.#watcher.on('error', (err) => this.#log.warn({ err }, 'watching the recurring plans file failed; edits are read at the next minute check'));
    } catch (err) {
      this.#log.warn({ err }, 'cannot watch the recurring plans file; edits are read at the next minute check');
    }
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
