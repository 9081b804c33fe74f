import { z } from 'zod';
import type { DbOrTx } from '../db/index.js';
import type { AgentState } from '../db/tables/agents.table.js';

export type { AgentState } from '../db/tables/agents.table.js';

export interface OnboardingAnswer {
  question: string;
  answer: string;
}

export interface AgentRow {
  name: string;
  state: AgentState;
  step: number;
  answers: OnboardingAnswer[];
}

const Answers = z.array(z.object({ question: z.string(), answer: z.string() }));

/** An agent's row; a template nobody touched has none and is dormant. */
export async function getAgent(db: DbOrTx, name: string): Promise<AgentRow> {
  const row = await db.selectFrom('agents').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) return { name, state: 'dormant', step: 0, answers: [] };
  const answers = Answers.safeParse(JSON.parse(row.answers));
  return { name, state: row.state, step: row.onboarding_step, answers: answers.success ? answers.data : [] };
}

export async function listAgentRows(db: DbOrTx): Promise<AgentRow[]> {
  const rows = await db.selectFrom('agents').select('name').execute();
  return Promise.all(rows.map((row) => getAgent(db, row.name)));
}

export async function saveAgent(db: DbOrTx, agent: AgentRow, now: Date): Promise<void> {
  const values = { state: agent.state, onboarding_step: agent.step, answers: JSON.stringify(agent.answers), updated_at: now };
  await db
    .insertInto('agents')
    .values({ name: agent.name, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .execute();
}

/** The one agent being interviewed, if any. */
export async function onboardingAgent(db: DbOrTx): Promise<AgentRow | undefined> {
  const row = await db.selectFrom('agents').select('name').where('state', '=', 'onboarding').orderBy('updated_at', 'desc').executeTakeFirst();
  return row ? getAgent(db, row.name) : undefined;
}

export interface SoulVersion {
  id: number;
  version: number;
  text: string;
  approvedAt: Date;
}

/** Every approved soul of an agent, newest first; the first is in force. */
export async function soulVersions(db: DbOrTx, agent: string): Promise<SoulVersion[]> {
  const rows = await db
    .selectFrom('agent_souls')
    .select(['id', 'version', 'text', 'approved_at'])
    .where('agent', '=', agent)
    .where('status', '=', 'approved')
    .orderBy('version', 'desc')
    .execute();
  return rows.flatMap((row) => (row.version !== null && row.approved_at !== null ? [{ id: row.id, version: row.version, text: row.text, approvedAt: row.approved_at }] : []));
}

export async function insertSoulDraft(db: DbOrTx, agent: string, text: string, now: Date): Promise<number> {
  const row = await db.insertInto('agent_souls').values({ agent, status: 'draft', version: null, text, created_at: now, approved_at: null }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function findSoulDraft(db: DbOrTx, id: number): Promise<{ id: number; agent: string; text: string; status: string } | undefined> {
  return db.selectFrom('agent_souls').select(['id', 'agent', 'text', 'status']).where('id', '=', id).executeTakeFirst();
}

/** Makes a draft the agent's newest version; undefined when it was already decided. */
export async function approveSoulDraft(db: DbOrTx, id: number, now: Date): Promise<number | undefined> {
  const draft = await db.selectFrom('agent_souls').select(['agent', 'status']).where('id', '=', id).executeTakeFirst();
  if (!draft || draft.status !== 'draft') return undefined;
  const version = await nextVersion(db, draft.agent);
  const updated = await db
    .updateTable('agent_souls')
    .set({ status: 'approved', version, approved_at: now })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1 ? version : undefined;
}

export async function declineSoulDraft(db: DbOrTx, id: number): Promise<boolean> {
  const updated = await db.updateTable('agent_souls').set({ status: 'declined' }).where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Rollback: an old version's text becomes a new version (history is never rewritten). */
export async function restoreSoulVersion(db: DbOrTx, agent: string, version: number, now: Date): Promise<number | undefined> {
  const old = await db.selectFrom('agent_souls').select('text').where('agent', '=', agent).where('version', '=', version).where('status', '=', 'approved').executeTakeFirst();
  if (!old) return undefined;
  const next = await nextVersion(db, agent);
  await db.insertInto('agent_souls').values({ agent, status: 'approved', version: next, text: old.text, created_at: now, approved_at: now }).execute();
  return next;
}

async function nextVersion(db: DbOrTx, agent: string): Promise<number> {
  const row = await db.selectFrom('agent_souls').select((eb) => eb.fn.max('version').as('max')).where('agent', '=', agent).executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}
