import { sql } from 'kysely';
import type { Db, DbOrTx } from '../db/index.js';
import { outboxRows, type Receipt } from '../outbox/index.js';
import { setSetting } from '../settings/index.js';
import type { InboxUpdate } from './inbox-update.js';
import { orderingKey, updateKind } from './update-key.js';

export const OFFSET_SETTING = 'telegram.next_offset';

/** A stored update waiting to be handled; `U` is the channel's full update type. */
export interface InboxItem<U extends InboxUpdate = InboxUpdate> {
  updateId: number;
  key: string;
  update: U;
}

/** An update the database refused even as text: kept as id, kind and reason, never handled. */
export interface UnstorableUpdate {
  updateId: number;
  kind: string;
  reason: string;
}

export interface StoredBatch<U extends InboxUpdate = InboxUpdate> {
  /** Updates that were new (a redelivered update_id is ignored), in batch order. */
  fresh: InboxItem<U>[];
  unstorable: UnstorableUpdate[];
}

/**
 * Stores a batch and the next getUpdates offset in one transaction. Only after
 * this resolves may the poller ask Telegram for `nextOffset`, which is what
 * confirms the batch to Telegram: an update is never confirmed before it is stored.
 *
 * Each update is kept as its JSON text, which holds what jsonb refuses (\u0000,
 * unpaired surrogates) as escapes and parses back to the identical update. Should
 * the database still refuse one row, the rows are stored one by one (each in its
 * own savepoint) and the refused one is recorded as failed with the reason, so
 * one poisoned update neither loses the others nor stops the offset.
 */
export async function storeBatch<U extends InboxUpdate>(db: Db, updates: readonly U[], nextOffset: number): Promise<StoredBatch<U>> {
  if (updates.length === 0) return { fresh: [], unstorable: [] };
  return db.transaction().execute(async (trx) => {
    let inserted: Set<number>;
    const unstorable: UnstorableUpdate[] = [];
    try {
      inserted = await insertRows(trx, updates.map(inboxRow));
    } catch {
      inserted = new Set();
      for (const update of updates) {
        const row = inboxRow(update);
        try {
          for (const id of await insertRows(trx, [row])) inserted.add(id);
        } catch (rowErr) {
          const reason = errorText(rowErr);
          const recorded = await trx
            .insertInto('inbox')
            .values({ update_id: update.update_id, chat_key: row.chat_key, kind: row.kind, raw: null, status: 'failed', error: `not stored: ${reason}`.slice(0, 2000) })
            .onConflict((oc) => oc.column('update_id').doNothing())
            .returning('update_id')
            .executeTakeFirst();
          // A redelivery of an update already recorded is nothing new.
          if (recorded) unstorable.push({ updateId: update.update_id, kind: row.kind, reason });
        }
      }
    }
    await setSetting(trx, OFFSET_SETTING, String(nextOffset));
    const fresh = updates
      .filter((update) => inserted.has(update.update_id))
      .map((update) => ({ updateId: update.update_id, key: orderingKey(update), update }));
    return { fresh, unstorable };
  });
}

function inboxRow(update: InboxUpdate): { update_id: number; chat_key: string; kind: string; raw: string } {
  return { update_id: update.update_id, chat_key: orderingKey(update), kind: updateKind(update), raw: JSON.stringify(update) };
}

/** Inserts inside a savepoint, so a refused row leaves the transaction usable. */
async function insertRows(trx: DbOrTx, rows: Array<ReturnType<typeof inboxRow>>): Promise<Set<number>> {
  await sql`savepoint inbox_rows`.execute(trx);
  try {
    const inserted = await trx
      .insertInto('inbox')
      .values(rows)
      .onConflict((oc) => oc.column('update_id').doNothing())
      .returning('update_id')
      .execute();
    await sql`release savepoint inbox_rows`.execute(trx);
    return new Set(inserted.map((row) => Number(row.update_id)));
  } catch (err) {
    await sql`rollback to savepoint inbox_rows`.execute(trx);
    throw err;
  }
}

function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim().slice(0, 500) || 'unknown error';
}

/** Unfinished updates in arrival order: handled first at start-up. `U` is what the channel stored. */
export async function pendingItems<U extends InboxUpdate = InboxUpdate>(db: DbOrTx): Promise<InboxItem<U>[]> {
  const rows = await db
    .selectFrom('inbox')
    .select(['update_id', 'chat_key', 'raw', 'payload'])
    .where('status', '=', 'pending')
    .orderBy('update_id')
    .execute();
  return rows.map((row) => ({ updateId: Number(row.update_id), key: row.chat_key, update: parseUpdate<U>(row.raw, row.payload) }));
}

function parseUpdate<U extends InboxUpdate>(raw: string | null, payload: unknown): U {
  // `raw` since 2026-12-02; older rows hold jsonb (parsed by both drivers) or text.
  if (raw !== null) return JSON.parse(raw) as U;
  return (typeof payload === 'string' ? JSON.parse(payload) : payload) as U;
}

/** How an update ended; `ignored` (a stranger, a kind nobody handles) keeps only its id and kind. */
export type UpdateOutcome = { status: 'done'; ignored?: boolean } | { status: 'failed'; error: string };

/** PostgreSQL's limit is 65,535 bound parameters per statement; a group stays well under it. */
const MAX_PARAMETERS = 30_000;

/** Bound parameters of one finish statement: the time, 4 per update, 7 per reply. */
function parameterCount(finishes: readonly UpdateFinish[]): number {
  return finishes.reduce((n, finish) => n + 4 + 7 * finish.sent.length, 1);
}

/** One finished update: how it ended and the replies it sent. */
export interface UpdateFinish {
  updateId: number;
  outcome: UpdateOutcome;
  sent: readonly Receipt[];
}

/** Marks one update finished with its replies; see `finishUpdates`. */
export function finishUpdate(db: DbOrTx, updateId: number, outcome: UpdateOutcome, sent: readonly Receipt[]): Promise<void> {
  return finishUpdates(db, [{ updateId, outcome, sent }]);
}

/**
 * Marks updates finished and stores the replies they sent, in one statement: the
 * outbox rows and the status changes land together or not at all. This is the one
 * statement every handled update costs, so it is written as SQL rather than built
 * per call, and several updates share it under load (see the dispatcher's group commit).
 */
export async function finishUpdates(db: DbOrTx, finishes: readonly UpdateFinish[], finishedAt: Date = new Date()): Promise<void> {
  if (finishes.length === 0) return;
  if (finishes.length > 1 && parameterCount(finishes) > MAX_PARAMETERS) {
    // Each update's replies and status stay in one statement; only the group is split.
    const half = Math.ceil(finishes.length / 2);
    await finishUpdates(db, finishes.slice(0, half), finishedAt);
    await finishUpdates(db, finishes.slice(half), finishedAt);
    return;
  }
  // Rows in id order, as every other writer of several inbox rows takes them, so two never wait on each other in a circle.
  const ordered = [...finishes].sort((a, b) => a.updateId - b.updateId);
  const outcomes = ordered.map(({ updateId, outcome }) => {
    const error = outcome.status === 'failed' ? outcome.error.slice(0, 2000) : null;
    const clear = outcome.status === 'done' && outcome.ignored === true;
    return sql`(${updateId}::bigint, ${outcome.status}::text, ${error}::text, ${clear}::boolean)`;
  });
  const sent = ordered.flatMap((finish) => outboxRows(finish.sent));
  const storeSent =
    sent.length === 0
      ? sql``
      : sql`with sent as (insert into outbox (scope, seq, method, chat_id, payload, status, result) values ${sql.join(
          sent.map((row) => sql`(${row.scope}, ${row.seq}, ${row.method}, ${row.chat_id}, ${row.payload}::jsonb, ${row.status}, ${row.result}::jsonb)`),
        )} on conflict (scope, seq) do nothing) `;
  // `clear`: an ignored update keeps only its id and kind.
  await sql`${storeSent}update inbox set status = f.status, error = f.error, finished_at = ${finishedAt},
    raw = case when f.clear then null else inbox.raw end, payload = case when f.clear then null else inbox.payload end
    from (values ${sql.join(outcomes)}) as f(update_id, status, error, clear) where inbox.update_id = f.update_id`.execute(db);
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
