import type { ColumnType, Generated } from 'kysely';

export type AgentState = 'dormant' | 'onboarding' | 'active' | 'paused';

/** A specialist's state; a template without a row is dormant. */
export interface AgentsTable {
  name: string;
  state: AgentState;
  /** Index of the next onboarding question while `onboarding`. */
  onboarding_step: ColumnType<number, number | undefined, number>;
  /** JSON array of `{ question, answer }`. */
  answers: ColumnType<string, string | undefined, string>;
  updated_at: Date;
}

export type SoulStatus = 'draft' | 'approved' | 'declined' | 'retired';

/** Soul texts: drafts waiting for the owner, and every approved version (the newest approved one is in force). */
export interface AgentSoulsTable {
  id: Generated<number>;
  agent: string;
  status: SoulStatus;
  /** Set when approved: 1, 2, 3 … per agent. */
  version: number | null;
  text: string;
  created_at: Date;
  approved_at: Date | null;
}

/** What a heartbeat found worth the owner's attention, for the chief of staff. */
export interface CosInboxTable {
  id: Generated<number>;
  /** `heartbeat:<agent>@<slot>`: one artifact per run, however often it is retried. */
  scope: string;
  agent: string;
  urgent: boolean;
  title: string;
  body: string;
  created_at: Date;
  notified_at: Date | null;
  /** Set once a briefing carried it. */
  briefed_at: Date | null;
}

/** A Markdown procedure that combines existing tools. */
export interface SkillsTable {
  name: string;
  description: string;
  body: string;
  /** A cron expression in the owner's time zone, or null (run by name only). */
  schedule: string | null;
  /** Who wrote it: `Z`, an agent's name, or `owner`. */
  author: string;
  created_at: Date;
  updated_at: Date;
}
