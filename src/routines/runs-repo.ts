import type { DbOrTx } from '../db/index.js';
import type { RunStatus, RunTrigger } from '../db/tables/routines.table.js';

export interface RunRow {
  id: number;
  routine: string;
  slot: Date;
  status: RunStatus;
  trigger: RunTrigger;
  reason: string | null;
  attempts: number;
  messageIds: number[];
  reported: boolean;
  claimedAt: Date;
  finishedAt: Date | null;
}

/**
 * Claims (routine, slot): true for exactly one caller, ever. The unique constraint is the
 * guarantee; a second trigger, an overlapping tick or a restarted process gets false.
 */
export async function claimRun(
  db: DbOrTx,
  row: { routine: string; slot: Date; status: RunStatus; trigger: RunTrigger; reason?: string; at: Date; finished?: boolean },
): Promise<number | undefined> {
  const inserted = await db
    .insertInto('routine_runs')
    .values({
      routine: row.routine,
      slot: row.slot,
      status: row.status,
      trigger: row.trigger,
      reason: row.reason ?? null,
      claimed_at: row.at,
      finished_at: row.finished ? row.at : null,
    })
    .onConflict((oc) => oc.columns(['routine', 'slot']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
}

export async function findRun(db: DbOrTx, routine: string, slot: Date): Promise<RunRow | undefined> {
  const row = await db.selectFrom('routine_runs').selectAll().where('routine', '=', routine).where('slot', '=', slot).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function getRun(db: DbOrTx, id: number): Promise<RunRow | undefined> {
  const row = await db.selectFrom('routine_runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function finishRun(db: DbOrTx, id: number, outcome: { status: RunStatus; reason?: string; messageIds?: number[]; at: Date }): Promise<void> {
  await db
    .updateTable('routine_runs')
    .set({
      status: outcome.status,
      reason: outcome.reason ?? null,
      message_ids: outcome.messageIds && outcome.messageIds.length > 0 ? JSON.stringify(outcome.messageIds) : null,
      finished_at: outcome.at,
    })
    .where('id', '=', id)
    .execute();
}

/** Moves a run from one status to another only if it still has the first (one button press wins). */
export async function transitionRun(db: DbOrTx, id: number, from: RunStatus, to: { status: RunStatus; trigger?: RunTrigger; reason?: string; at: Date }): Promise<boolean> {
  const result = await db
    .updateTable('routine_runs')
    .set({ status: to.status, ...(to.trigger ? { trigger: to.trigger } : {}), reason: to.reason ?? null, ...(to.status === 'running' ? { finished_at: null } : { finished_at: to.at }) })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return (result.numUpdatedRows ?? 0n) > 0n;
}

/** Runs a dead process left in `running`: the next start resumes them. */
export async function interruptedRuns(db: DbOrTx): Promise<RunRow[]> {
  const rows = await db.selectFrom('routine_runs').selectAll().where('status', '=', 'running').orderBy('slot').execute();
  return rows.map(toRun);
}

export async function bumpAttempts(db: DbOrTx, id: number): Promise<void> {
  await db
    .updateTable('routine_runs')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function latestRun(db: DbOrTx, routine: string): Promise<RunRow | undefined> {
  const row = await db.selectFrom('routine_runs').selectAll().where('routine', '=', routine).orderBy('slot', 'desc').limit(1).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function runsOf(db: DbOrTx, routine: string): Promise<RunRow[]> {
  const rows = await db.selectFrom('routine_runs').selectAll().where('routine', '=', routine).orderBy('slot').execute();
  return rows.map(toRun);
}

/** Catch-ups and skips not yet told to the owner in a briefing. */
export async function unreportedCatchUps(db: DbOrTx): Promise<RunRow[]> {
  const rows = await db
    .selectFrom('routine_runs')
    .selectAll()
    .where('reported', '=', false)
    .where((eb) => eb.or([eb('trigger', '=', 'catch-up'), eb('status', '=', 'skipped'), eb('status', '=', 'failed')]))
    .where('routine', 'not like', 'job:%')
    .orderBy('slot')
    .execute();
  return rows.map(toRun);
}

export async function markReported(db: DbOrTx, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('routine_runs').set({ reported: true }).where('id', 'in', ids).execute();
}

/** Job runs are frequent: finished ones older than `before` go. */
export async function pruneJobRuns(db: DbOrTx, before: Date): Promise<void> {
  await db.deleteFrom('routine_runs').where('routine', 'like', 'job:%').where('status', '!=', 'running').where('slot', '<', before).execute();
}

/** When the scheduler first saw this routine (slots before it were never promised). */
export async function ensureFirstSeen(db: DbOrTx, routine: string, now: Date): Promise<{ firstSeen: Date; paused: boolean }> {
  await db.insertInto('routine_state').values({ routine, first_seen: now }).onConflict((oc) => oc.column('routine').doNothing()).execute();
  const row = await db.selectFrom('routine_state').select(['first_seen', 'paused']).where('routine', '=', routine).executeTakeFirstOrThrow();
  return { firstSeen: new Date(row.first_seen), paused: row.paused };
}

export async function setRoutinePaused(db: DbOrTx, routine: string, paused: boolean, now: Date): Promise<void> {
  await db
    .insertInto('routine_state')
    .values({ routine, first_seen: now, paused })
    .onConflict((oc) => oc.column('routine').doUpdateSet({ paused }))
    .execute();
}

function toRun(row: {
  id: number;
  routine: string;
  slot: Date;
  status: RunStatus;
  trigger: RunTrigger;
  reason: string | null;
  attempts: number;
  message_ids: string | null;
  reported: boolean;
  claimed_at: Date;
  finished_at: Date | null;
}): RunRow {
  return {
    id: row.id,
    routine: row.routine,
    slot: new Date(row.slot),
    status: row.status,
    trigger: row.trigger,
    reason: row.reason,
    attempts: row.attempts,
    messageIds: row.message_ids ? (JSON.parse(row.message_ids) as number[]) : [],
    reported: row.reported,
    claimedAt: new Date(row.claimed_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
  };
}
