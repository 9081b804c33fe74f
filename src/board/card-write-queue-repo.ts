import { sql, type Selectable } from 'kysely';
import type { DbOrTx } from '../db/index.js';
import type { BoardOpKind, BoardOpStatus, CardWriteQueueTable } from '../db/tables/board.table.js';

export interface BoardOp {
  id: number;
  taskId: number;
  op: BoardOpKind;
  payload: unknown;
  key: string;
  status: BoardOpStatus;
  attempts: number;
  /** Failed tries so far (the backoff grows with it). */
  retries: number;
  nextAttemptAt: Date;
  lastError: string | null;
  ownerTold: boolean;
  remindedAt: Date | null;
  createdAt: Date;
}

/** Queues a write; a replay with the same key finds the op it queued before. */
export async function enqueueOp(db: DbOrTx, input: { taskId: number; op: BoardOpKind; payload: unknown; key: string; now: Date }): Promise<BoardOp> {
  const row = await db
    .insertInto('card_write_queue')
    .values({ task_id: input.taskId, op: input.op, payload: JSON.stringify(input.payload ?? {}), idempotency_key: input.key, next_attempt_at: input.now, created_at: input.now })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row) return toOp(row);
  return toOp(await db.selectFrom('card_write_queue').selectAll().where('idempotency_key', '=', input.key).executeTakeFirstOrThrow());
}

/** Pending ops of one task, oldest first. */
export async function pendingOpsForTask(db: DbOrTx, taskId: number): Promise<BoardOp[]> {
  const rows = await db.selectFrom('card_write_queue').selectAll().where('task_id', '=', taskId).where('status', '=', 'pending').orderBy('id').execute();
  return rows.map(toOp);
}

/** Every pending op, oldest first. */
export async function pendingOps(db: DbOrTx): Promise<BoardOp[]> {
  const rows = await db.selectFrom('card_write_queue').selectAll().where('status', '=', 'pending').orderBy('id').execute();
  return rows.map(toOp);
}

export async function markAttempt(db: DbOrTx, id: number): Promise<void> {
  await db.updateTable('card_write_queue').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
}

export async function markOpDone(db: DbOrTx, id: number, now: Date): Promise<void> {
  await db.updateTable('card_write_queue').set({ status: 'done', done_at: now, last_error: null }).where('id', '=', id).where('status', '=', 'pending').execute();
}

export async function markOpFinal(db: DbOrTx, id: number, status: 'failed' | 'cancelled', error: string | null, now: Date): Promise<void> {
  await db.updateTable('card_write_queue').set({ status, last_error: error?.slice(0, 1000) ?? null, done_at: now }).where('id', '=', id).execute();
}

/** Records a failed try: the error, one more retry, and when to try next. */
export async function markOpRetry(db: DbOrTx, id: number, error: string, nextAttemptAt: Date): Promise<void> {
  await db
    .updateTable('card_write_queue')
    .set((eb) => ({ last_error: error.slice(0, 1000), next_attempt_at: nextAttemptAt, retries: eb('retries', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function markOwnerTold(db: DbOrTx, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('card_write_queue').set({ owner_told: true }).where('id', 'in', ids).execute();
}

export async function markReminded(db: DbOrTx, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('card_write_queue').set({ reminded_at: now }).where('id', 'in', ids).execute();
}

/** Ops the owner was told were queued and that have since landed, not yet reported. */
export async function takeLandedNotices(db: DbOrTx): Promise<number> {
  const result = await db
    .updateTable('card_write_queue')
    .set({ owner_told: false })
    .where('owner_told', '=', true)
    .where('status', '=', 'done')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function writeQueueDepth(db: DbOrTx): Promise<{ pending: number; failed: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('card_write_queue')
    .select([
      sql<string>`count(*) filter (where status = 'pending')`.as('pending'),
      sql<string>`count(*) filter (where status = 'failed')`.as('failed'),
      sql<Date | null>`min(created_at) filter (where status = 'pending')`.as('oldest'),
    ])
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), failed: Number(row.failed), oldest: row.oldest === null ? null : new Date(row.oldest) };
}

function toOp(row: Selectable<CardWriteQueueTable>): BoardOp {
  return {
    id: row.id,
    taskId: row.task_id,
    op: row.op,
    payload: row.payload,
    key: row.idempotency_key,
    status: row.status,
    attempts: row.attempts,
    retries: row.retries,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    ownerTold: row.owner_told,
    remindedAt: row.reminded_at,
    createdAt: row.created_at,
  };
}

/** Pending ops the owner was told about, queued before `before`, not yet reminded. */
export async function staleToldOps(db: DbOrTx, before: Date): Promise<BoardOp[]> {
  const rows = await db
    .selectFrom('card_write_queue')
    .selectAll()
    .where('status', '=', 'pending')
    .where('owner_told', '=', true)
    .where('reminded_at', 'is', null)
    .where('created_at', '<', before)
    .orderBy('id')
    .execute();
  return rows.map(toOp);
}
