import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { DbOrTx } from '../db/index.js';
import type { ApprovalChoice, ApprovalStatus } from '../db/tables/approvals.table.js';

export interface Approval {
  id: string;
  kind: string;
  payload: unknown;
  summary: string;
  choices: ApprovalChoice[];
  status: ApprovalStatus;
  decision: string | null;
  outcome: string | null;
  chatId: number;
  messageId: number | null;
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
}

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function newApprovalId(): string {
  return Array.from({ length: 12 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
}

export interface NewApproval {
  originKey: string | undefined;
  kind: string;
  payload: unknown;
  summary: string;
  choices: ApprovalChoice[];
  chatId: number;
  expiresAt: Date;
}

/** Inserts the approval, or returns the one a previous run of the same work created. */
export async function insertApproval(db: DbOrTx, input: NewApproval): Promise<Approval> {
  const inserted = await db
    .insertInto('approvals')
    .values({
      id: newApprovalId(),
      origin_key: input.originKey ?? null,
      kind: input.kind,
      payload: JSON.stringify(input.payload ?? null),
      summary: input.summary,
      choices: JSON.stringify(input.choices),
      chat_id: input.chatId,
      expires_at: input.expiresAt,
    })
    .onConflict((oc) => oc.column('origin_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return toApproval(inserted);
  const existing = await db.selectFrom('approvals').selectAll().where('origin_key', '=', input.originKey ?? '').executeTakeFirstOrThrow();
  return toApproval(existing);
}

export async function setApprovalMessage(db: DbOrTx, id: string, messageId: number): Promise<void> {
  await db.updateTable('approvals').set({ message_id: messageId }).where('id', '=', id).execute();
}

export async function findApproval(db: DbOrTx, id: string): Promise<Approval | undefined> {
  const row = await db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toApproval(row) : undefined;
}

/**
 * The one atomic step a button tap makes: pending → approved/declined, only
 * before expiry and only for a choice the approval offers. Returns undefined
 * when the tap changed nothing (second tap, stale, expired, forged).
 */
export async function decideApproval(db: DbOrTx, id: string, choice: ApprovalChoice, now: Date): Promise<Approval | undefined> {
  const row = await db
    .updateTable('approvals')
    .set({ status: choice.approves ? 'approved' : 'declined', decision: choice.id, decided_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  return row ? toApproval(row) : undefined;
}

export async function recordOutcome(db: DbOrTx, id: string, outcome: string): Promise<void> {
  await db.updateTable('approvals').set({ outcome: outcome.slice(0, 2000) }).where('id', '=', id).execute();
}

/** Marks pending approvals past their expiry as expired; returns them so their messages can say so. */
export async function expireDue(db: DbOrTx, now: Date): Promise<Approval[]> {
  const rows = await db
    .updateTable('approvals')
    .set({ status: 'expired', decided_at: now })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .returningAll()
    .execute();
  return rows.map(toApproval);
}

export async function countPendingApprovals(db: DbOrTx, now: Date): Promise<number> {
  const row = await db
    .selectFrom('approvals')
    .select(sql<string>`count(*)`.as('n'))
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

type ApprovalRow = {
  id: string;
  kind: string;
  payload: unknown;
  summary: string;
  choices: ApprovalChoice[];
  status: ApprovalStatus;
  decision: string | null;
  outcome: string | null;
  chat_id: number;
  message_id: number | null;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
};

function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    summary: row.summary,
    choices: row.choices,
    status: row.status,
    decision: row.decision,
    outcome: row.outcome,
    chatId: row.chat_id,
    messageId: row.message_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
  };
}
