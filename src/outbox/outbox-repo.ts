import { sql } from 'kysely';
import type { DbOrTx } from '../db/index.js';
import type { Receipt } from './receipt-log.js';

/** The outbox rows of a finished piece of work: what was sent, for inspection and retention. */
export function outboxRows(receipts: readonly Receipt[]) {
  return receipts.map((receipt) => ({
    scope: receipt.scope,
    seq: receipt.seq,
    method: receipt.method,
    chat_id: receipt.chatId,
    payload: JSON.stringify(receipt.payload ?? null),
    status: 'sent' as const,
    result: JSON.stringify(receipt.result ?? null),
  }));
}

export async function pruneOutbox(db: DbOrTx, olderThan: Date): Promise<number> {
  const result = await db.deleteFrom('outbox').where(sql<boolean>`created_at < ${olderThan}`).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0n);
}
