import type { Db, DbOrTx } from '../db/index.js';
import type { EmailAction, EmailSeenState } from '../db/tables/google.table.js';
import { getSetting, setSetting } from '../settings/index.js';

const CURSOR_KEY = 'gmail.history_id';
const LAST_SYNC_KEY = 'gmail.last_sync_at';

export interface SyncCursor {
  historyId: string | undefined;
  lastSyncAt: Date | undefined;
}

export async function readCursor(db: DbOrTx): Promise<SyncCursor> {
  const [historyId, last] = await Promise.all([getSetting(db, CURSOR_KEY), getSetting(db, LAST_SYNC_KEY)]);
  return { historyId, lastSyncAt: last ? new Date(last) : undefined };
}

/**
 * Records discovered ids (each id once, ever) and moves the cursor in one transaction: the
 * cursor never passes a message that is not recorded, so a crash loses no mail.
 */
export async function recordDiscovery(db: Db, ids: readonly string[], historyId: string, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let added = 0;
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const result = await trx
        .insertInto('email_seen')
        .values(chunk.map((id) => ({ message_id: id, state: 'new' as const, discovered_at: now })))
        .onConflict((oc) => oc.column('message_id').doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    await setSetting(trx, CURSOR_KEY, historyId);
    await setSetting(trx, LAST_SYNC_KEY, now.toISOString());
    return added;
  });
}

export interface OpenMessage {
  id: string;
  state: EmailSeenState;
  attempts: number;
}

/** Messages discovered but not finished (including an urgent one a crash left mid-notification). */
export async function openMessages(db: DbOrTx, limit: number): Promise<OpenMessage[]> {
  const rows = await db
    .selectFrom('email_seen')
    .select(['message_id', 'state', 'attempts'])
    .where('state', 'in', ['new', 'notifying'])
    .orderBy('discovered_at')
    .orderBy('message_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.message_id, state: row.state, attempts: row.attempts }));
}

/**
 * Claims a message for its urgent alert (new → notifying). False when another poll already
 * claimed or finished it. A crash after the claim leaves `notifying`: the next poll resends
 * under the same messenger scope, which delivers at most once.
 */
export async function claimForAlert(db: DbOrTx, id: string): Promise<boolean> {
  const result = await db.updateTable('email_seen').set({ state: 'notifying' }).where('message_id', '=', id).where('state', '=', 'new').executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function noteAttempt(db: DbOrTx, id: string): Promise<void> {
  await db
    .updateTable('email_seen')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('message_id', '=', id)
    .execute();
}

export interface TriageRecord {
  id: string;
  sender: string;
  subject: string;
  receivedAt: Date;
  action: EmailAction;
  ruleId: number | null;
  summary: string | null;
}

/**
 * Finishes a message: its triage row and its seen state in one transaction. Returns false when
 * another poll finished it first (nothing written twice).
 */
export async function finishMessage(db: Db, id: string, triage: TriageRecord | undefined, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const done = await trx
      .updateTable('email_seen')
      .set({ state: triage ? 'done' : 'gone', finished_at: now })
      .where('message_id', '=', id)
      .where('state', 'in', ['new', 'notifying'])
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return false;
    if (triage) {
      await trx
        .insertInto('email_summaries')
        .values({ message_id: id, sender: triage.sender, subject: triage.subject, received_at: triage.receivedAt, action: triage.action, rule_id: triage.ruleId, summary: triage.summary, processed_at: now })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .execute();
    }
    return true;
  });
}

export interface TriagedMail {
  id: string;
  sender: string;
  subject: string;
  receivedAt: Date;
  action: EmailAction;
  summary: string | null;
  processedAt: Date;
  includedInBriefing: boolean;
}

function toTriaged(row: {
  message_id: string;
  sender: string;
  subject: string;
  received_at: Date;
  action: EmailAction;
  summary: string | null;
  processed_at: Date;
  included_in_briefing: boolean;
}): TriagedMail {
  return {
    id: row.message_id,
    sender: row.sender,
    subject: row.subject,
    receivedAt: new Date(row.received_at),
    action: row.action,
    summary: row.summary,
    processedAt: new Date(row.processed_at),
    includedInBriefing: row.included_in_briefing,
  };
}

const TRIAGE_COLUMNS = ['message_id', 'sender', 'subject', 'received_at', 'action', 'summary', 'processed_at', 'included_in_briefing'] as const;

/** Mail triaged since `since`, newest first. */
export async function triagedSince(db: DbOrTx, since: Date, limit = 200): Promise<TriagedMail[]> {
  const rows = await db.selectFrom('email_summaries').select(TRIAGE_COLUMNS).where('processed_at', '>=', since).orderBy('processed_at', 'desc').limit(limit).execute();
  return rows.map(toTriaged);
}

/** Summaries waiting for the next briefing, oldest first. */
export async function pendingSummaries(db: DbOrTx, limit = 50): Promise<TriagedMail[]> {
  const rows = await db
    .selectFrom('email_summaries')
    .select(TRIAGE_COLUMNS)
    .where('action', '=', 'summarize')
    .where('included_in_briefing', '=', false)
    .orderBy('processed_at')
    .limit(limit)
    .execute();
  return rows.map(toTriaged);
}

export async function markIncluded(db: DbOrTx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('email_summaries').set({ included_in_briefing: true }).where('message_id', 'in', [...ids]).execute();
}

export async function seenCounts(db: DbOrTx): Promise<{ open: number; total: number }> {
  const rows = await db.selectFrom('email_seen').select(['state', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('state').execute();
  let open = 0;
  let total = 0;
  for (const row of rows) {
    total += Number(row.n);
    if (row.state === 'new' || row.state === 'notifying') open += Number(row.n);
  }
  return { open, total };
}
