import { sql } from 'kysely';
import type { DbOrTx } from '../db/index.js';

export interface OutboxEntry {
  method: string;
  status: 'pending' | 'sent' | 'failed';
  result: unknown;
  attempts: number;
}

/** Claims (scope, seq) for a new effect; returns the existing entry if there was one. */
export async function claimEffect(
  db: DbOrTx,
  scope: string,
  seq: number,
  method: string,
  chatId: number | null,
  payload: unknown,
): Promise<OutboxEntry | undefined> {
  const inserted = await db
    .insertInto('outbox')
    .values({ scope, seq, method, chat_id: chatId, payload: JSON.stringify(payload), attempts: 1 })
    .onConflict((oc) => oc.columns(['scope', 'seq']).doNothing())
    .returning('seq')
    .executeTakeFirst();
  if (inserted) return undefined;
  const row = await db
    .selectFrom('outbox')
    .select(['method', 'status', 'result', 'attempts'])
    .where('scope', '=', scope)
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();
  return { method: row.method, status: row.status, result: row.result, attempts: row.attempts };
}

export async function markEffectRetry(db: DbOrTx, scope: string, seq: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'pending' }))
    .where('scope', '=', scope)
    .where('seq', '=', seq)
    .execute();
}

export async function markEffectSent(db: DbOrTx, scope: string, seq: number, result: unknown): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', result: JSON.stringify(result ?? null), sent_at: new Date(), error: null })
    .where('scope', '=', scope)
    .where('seq', '=', seq)
    .execute();
}

export async function markEffectFailed(db: DbOrTx, scope: string, seq: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'failed', error: error.slice(0, 2000) })
    .where('scope', '=', scope)
    .where('seq', '=', seq)
    .execute();
}

export async function countPendingEffects(db: DbOrTx): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function pruneOutbox(db: DbOrTx, olderThan: Date): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('status', '<>', 'pending')
    .where(sql<boolean>`created_at < ${olderThan}`)
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0n);
}
