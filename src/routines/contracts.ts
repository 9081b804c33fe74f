/**
 * What features hand to the routine scheduler: periodic jobs (mail polls,
 * backups, heartbeats) and briefing sections (calendar, tasks, emails, …).
 * Types only; the scheduler and the briefing writer implement the other side.
 */

/** When a job runs. Cron expressions are read in the owner's time zone. */
export type JobSchedule = { everyMinutes: number } | { cron: string };

export interface ScheduledJob {
  /** Stable name: the run-log key and what `/routines` shows. */
  name: string;
  schedule: JobSchedule;
  /** Held by `/pause` (true for anything that speaks or polls on the owner's behalf). */
  pausable: boolean;
  /** One run for one slot. Throwing records the run as failed; the next slot still runs. */
  run(slot: { now: Date; slot: Date }): Promise<void>;
}

export type BriefingPeriod = 'day' | 'week' | 'month';

export interface BriefingRequest {
  now: Date;
  timeZone: string;
  period: BriefingPeriod;
}

export type BriefingFacts =
  /** Plain-text facts, one per line; an empty list means "nothing to say". */
  | { connected: true; title: string; lines: string[] }
  /** The source is not set up: one honest line, never invented content. */
  | { connected: false; note: string };

export interface BriefingSection {
  /** The `includes:` name in recurring-plans.md: calendar, tasks, emails, projects, … */
  key: string;
  gather(request: BriefingRequest): Promise<BriefingFacts>;
  /** Called once the briefing that carried these facts was delivered (e.g. mark mail summaries included). */
  delivered?(request: BriefingRequest): Promise<void>;
}
