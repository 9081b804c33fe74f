import { sql } from 'kysely';
import type { DbOrTx } from '../db/index.js';
import type { TurnRole, TurnStatus, TurnUsage } from '../db/tables/conversations.table.js';

export type { TurnRole, TurnStatus, TurnUsage } from '../db/tables/conversations.table.js';

export interface Thread {
  id: number;
  chatId: number;
  startedAt: Date;
  endedAt: Date | null;
  summary: string | null;
  summarizedThrough: number;
  title: string | null;
}

export interface Turn {
  id: number;
  threadId: number;
  role: TurnRole;
  content: string;
  status: TurnStatus;
  used: TurnUsage | null;
  createdAt: Date;
}

/** The chat's open thread, created on first use. */
export async function currentThread(db: DbOrTx, chatId: number): Promise<Thread> {
  const open = await db
    .selectFrom('conversation_threads')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('ended_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (open) return toThread(open);
  const created = await db.insertInto('conversation_threads').values({ chat_id: chatId }).returningAll().executeTakeFirstOrThrow();
  return toThread(created);
}

export async function findThread(db: DbOrTx, id: number): Promise<Thread | undefined> {
  const row = await db.selectFrom('conversation_threads').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toThread(row) : undefined;
}

/** Ends the chat's open thread (its summary stays); the next turn opens a new one. */
export async function endThread(db: DbOrTx, threadId: number, now: Date): Promise<void> {
  await db.updateTable('conversation_threads').set({ ended_at: now }).where('id', '=', threadId).execute();
}

export async function saveSummary(db: DbOrTx, threadId: number, summary: string, summarizedThrough: number): Promise<void> {
  await db.updateTable('conversation_threads').set({ summary, summarized_through: summarizedThrough }).where('id', '=', threadId).execute();
}

export async function setTitle(db: DbOrTx, threadId: number, title: string): Promise<void> {
  await db.updateTable('conversation_threads').set({ title }).where('id', '=', threadId).where('title', 'is', null).execute();
}

/** Stores a turn; with an origin key a replay of the same work gets the turn stored the first time. */
export async function addTurn(
  db: DbOrTx,
  input: { threadId: number; role: TurnRole; content: string; status: TurnStatus; originKey?: string; used?: TurnUsage },
): Promise<Turn> {
  const inserted = await db
    .insertInto('conversation_turns')
    .values({
      thread_id: input.threadId,
      role: input.role,
      content: input.content,
      status: input.status,
      origin_key: input.originKey ?? null,
      used: input.used ? JSON.stringify(input.used) : null,
    })
    .onConflict((oc) => oc.column('origin_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return toTurn(inserted);
  const existing = await db.selectFrom('conversation_turns').selectAll().where('origin_key', '=', input.originKey ?? '').executeTakeFirstOrThrow();
  return toTurn(existing);
}

export async function setTurnStatus(db: DbOrTx, turnId: number, status: TurnStatus): Promise<void> {
  await db.updateTable('conversation_turns').set({ status }).where('id', '=', turnId).execute();
}

export async function findTurn(db: DbOrTx, turnId: number): Promise<Turn | undefined> {
  const row = await db.selectFrom('conversation_turns').selectAll().where('id', '=', turnId).executeTakeFirst();
  return row ? toTurn(row) : undefined;
}

/**
 * The thread's turns after `afterId`, oldest first, that belong in the model's history:
 * answers, and the questions they answered (failed or unanswered questions are left out).
 */
export async function historyTurns(db: DbOrTx, threadId: number, afterId: number, beforeId?: number): Promise<Turn[]> {
  let query = db
    .selectFrom('conversation_turns')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('id', '>', afterId)
    .where('status', 'in', ['answered', 'done']);
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  const rows = await query.orderBy('id', 'asc').execute();
  return rows.map(toTurn);
}

/** The newest turns of a thread, newest last. */
export async function recentTurns(db: DbOrTx, threadId: number, limit: number): Promise<Turn[]> {
  const rows = await db
    .selectFrom('conversation_turns')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('status', 'in', ['answered', 'done'])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toTurn).reverse();
}

/** The newest question in the thread that got no answer (the model failed), for /retry. */
export async function latestUnanswered(db: DbOrTx, threadId: number): Promise<Turn | undefined> {
  const turn = await latestUserTurn(db, threadId);
  return turn && isUnanswered(turn) ? turn : undefined;
}

/** The owner's newest message in the thread, answered or not. */
export async function latestUserTurn(db: DbOrTx, threadId: number): Promise<Turn | undefined> {
  const row = await db
    .selectFrom('conversation_turns')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('role', '=', 'user')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? toTurn(row) : undefined;
}

/** The owner's newest message in any of the chat's threads, open or ended. */
export async function latestUserTurnInChat(db: DbOrTx, chatId: number): Promise<Turn | undefined> {
  const row = await db
    .selectFrom('conversation_turns as t')
    .innerJoin('conversation_threads as th', 'th.id', 't.thread_id')
    .selectAll('t')
    .where('th.chat_id', '=', chatId)
    .where('t.role', '=', 'user')
    .orderBy('t.id', 'desc')
    .executeTakeFirst();
  return row ? toTurn(row) : undefined;
}

export function isUnanswered(turn: Turn): boolean {
  return turn.status === 'failed' || turn.status === 'pending';
}

/** The newest answer in the chat's threads, for /why. */
export async function latestAnswer(db: DbOrTx, chatId: number): Promise<Turn | undefined> {
  const row = await db
    .selectFrom('conversation_turns as t')
    .innerJoin('conversation_threads as th', 'th.id', 't.thread_id')
    .selectAll('t')
    .where('th.chat_id', '=', chatId)
    .where('t.role', '=', 'assistant')
    .orderBy('t.id', 'desc')
    .executeTakeFirst();
  return row ? toTurn(row) : undefined;
}

/** Ended threads with a summary, newest first: what the `conversation` context provider searches. */
export async function pastSummaries(db: DbOrTx, limit: number): Promise<Thread[]> {
  const rows = await db
    .selectFrom('conversation_threads')
    .selectAll()
    .where('ended_at', 'is not', null)
    .where('summary', 'is not', null)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toThread);
}

/** Deletes ended threads (their turns go with them); returns how many threads and turns. */
export async function erasePastThreads(
  db: DbOrTx,
  endedBefore: Date | undefined,
  onlyIds?: readonly number[],
): Promise<{ threads: number; turns: number; erased: Array<{ originKey: string | null; content: string }>; summaries: string[] }> {
  if (onlyIds && onlyIds.length === 0) return { threads: 0, turns: 0, erased: [], summaries: [] };
  const rows = await pastThreads(db, endedBefore, onlyIds).select(['id', 'summary', 'title']).execute();
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return { threads: 0, turns: 0, erased: [], summaries: [] };
  const turns = await db.selectFrom('conversation_turns').select(['origin_key', 'content']).where('thread_id', 'in', ids).execute();
  await db.deleteFrom('conversation_threads').where('id', 'in', ids).execute();
  return {
    threads: ids.length,
    turns: turns.length,
    erased: turns.map((turn) => ({ originKey: turn.origin_key, content: turn.content })),
    summaries: rows.flatMap((row) => [row.summary, row.title].filter((text): text is string => text !== null)),
  };
}

/**
 * Ended threads (ended before `endedBefore` when given, only `onlyIds` when given): the one
 * query that `pastThreadsToErase` shows and `erasePastThreads` erases, so both mean the same threads.
 */
function pastThreads(db: DbOrTx, endedBefore: Date | undefined, onlyIds?: readonly number[]) {
  let threads = db.selectFrom('conversation_threads').where('ended_at', 'is not', null);
  if (endedBefore) threads = threads.where('ended_at', '<', endedBefore);
  if (onlyIds) threads = threads.where('id', 'in', [...onlyIds]);
  return threads;
}

/** The past threads `erasePastThreads` would erase now: ids, message count, when they ended. */
export async function pastThreadsToErase(db: DbOrTx, endedBefore: Date | undefined): Promise<{ ids: number[]; turns: number; firstEnded: Date | null; lastEnded: Date | null }> {
  const rows = await pastThreads(db, endedBefore).select(['id', 'ended_at']).orderBy('id').execute();
  const ids = rows.map((row) => Number(row.id));
  if (ids.length === 0) return { ids, turns: 0, firstEnded: null, lastEnded: null };
  const turns = await db
    .selectFrom('conversation_turns')
    .select(sql<string>`count(*)`.as('n'))
    .where('thread_id', 'in', ids)
    .executeTakeFirstOrThrow();
  const ended = rows.flatMap((row) => (row.ended_at ? [row.ended_at.getTime()] : []));
  return { ids, turns: Number(turns.n), firstEnded: new Date(Math.min(...ended)), lastEnded: new Date(Math.max(...ended)) };
}

interface ThreadRow {
  id: number;
  chat_id: number;
  started_at: Date;
  ended_at: Date | null;
  summary: string | null;
  summarized_through: number;
  title: string | null;
}

function toThread(row: ThreadRow): Thread {
  return {
    id: Number(row.id),
    chatId: Number(row.chat_id),
    startedAt: row.started_at,
    endedAt: row.ended_at,
    summary: row.summary,
    summarizedThrough: Number(row.summarized_through),
    title: row.title,
  };
}

interface TurnRow {
  id: number;
  thread_id: number;
  role: TurnRole;
  content: string;
  status: TurnStatus;
  used: TurnUsage | null;
  created_at: Date;
}

function toTurn(row: TurnRow): Turn {
  return {
    id: Number(row.id),
    threadId: Number(row.thread_id),
    role: row.role,
    content: row.content,
    status: row.status,
    used: row.used,
    createdAt: row.created_at,
  };
}
