import type { Update } from 'grammy/types';
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../db/index.js';
import { outboxRows, type Receipt } from '../outbox/index.js';
import { setSetting } from '../settings/index.js';
import { orderingKey, updateKind } from './update-key.js';

export const OFFSET_SETTING = 'telegram.next_offset';

export interface InboxItem {
  updateId: number;
  key: string;
  update: Update;
}

/**
 * Stores a batch and the next getUpdates offset in one transaction. Only after
 * this resolves may the poller ask Telegram for `nextOffset`, which is what
 * confirms the batch to Telegram: an update is never confirmed before it is stored.
 * Returns the updates that were new (a redelivered update_id is ignored).
 */
export async function storeBatch(db: Db, updates: readonly Update[], nextOffset: number): Promise<InboxItem[]> {
  if (updates.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const rows = updates.map((update) => ({
      update_id: update.update_id,
      chat_key: orderingKey(update),
      kind: updateKind(update),
      payload: JSON.stringify(update),
    }));
    const inserted = await trx
      .insertInto('inbox')
      .values(rows)
      .onConflict((oc) => oc.column('update_id').doNothing())
      .returning('update_id')
      .execute();
    await setSetting(trx, OFFSET_SETTING, String(nextOffset));
    const fresh = new Set(inserted.map((row) => row.update_id));
    return updates
      .filter((update) => fresh.has(update.update_id))
      .map((update) => ({ updateId: update.update_id, key: orderingKey(update), update }));
  });
}

/** Unfinished updates in arrival order: handled first at start-up. */
export async function pendingItems(db: DbOrTx): Promise<InboxItem[]> {
  const rows = await db
    .selectFrom('inbox')
    .select(['update_id', 'chat_key', 'payload'])
    .where('status', '=', 'pending')
    .orderBy('update_id')
    .execute();
  return rows.map((row) => ({ updateId: row.update_id, key: row.chat_key, update: parseUpdate(row.payload) }));
}

function parseUpdate(payload: unknown): Update {
  // jsonb comes back parsed from both drivers; a string means an older row stored as text.
  return (typeof payload === 'string' ? JSON.parse(payload) : payload) as Update;
}

/**
 * Marks an update finished and stores the replies it sent, in one statement: the
 * outbox rows and the status change land together or not at all.
 */
export async function finishUpdate(
  db: DbOrTx,
  updateId: number,
  outcome: { status: 'done' } | { status: 'failed'; error: string },
  sent: readonly Receipt[],
): Promise<void> {
  const finish = {
    status: outcome.status,
    error: outcome.status === 'failed' ? outcome.error.slice(0, 2000) : null,
    finished_at: new Date(),
  };
  if (sent.length === 0) {
    await db.updateTable('inbox').set(finish).where('update_id', '=', updateId).execute();
    return;
  }
  await db
    .with('sent', (qb) =>
      qb
        .insertInto('outbox')
        .values(outboxRows(sent))
        .onConflict((oc) => oc.columns(['scope', 'seq']).doNothing()),
    )
    .updateTable('inbox')
    .set(finish)
    .where('update_id', '=', updateId)
    .execute();
}

export async function countPending(db: DbOrTx): Promise<number> {
  const row = await db
    .selectFrom('inbox')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes finished updates older than the cutoff; pending ones are never pruned. */
export async function pruneInbox(db: DbOrTx, olderThan: Date): Promise<number> {
  const result = await db
    .deleteFrom('inbox')
    .where('status', '<>', 'pending')
    .where(sql<boolean>`coalesce(finished_at, received_at) < ${olderThan}`)
    .executeTakeFirst();
  return Number(result.numDeletedRows ?? 0n);
}
