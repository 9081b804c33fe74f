import { sql } from 'kysely';
import type { DbOrTx } from '../db/index.js';
import type { MemorySource } from '../db/tables/memories.table.js';
import { deserializeVector, serializeVector } from './vector/index.js';

/** A memory as the rest of the app sees it (without its vector). */
export interface Memory {
  id: string;
  text: string;
  source: MemorySource;
  sourceRef: string | null;
  /** Who wrote it: `owner`, `Z`, or a specialist agent's name; null for memories older than agents. */
  author: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date | null;
  embeddingModel: string;
  /** False while the external vector store still owes this row an upsert. */
  indexed: boolean;
  /** False while the text waits for the embedding model: not searchable by meaning yet. */
  searchable: boolean;
}

/**
 * Vectors are read as base64 text, not bytea: PGlite decodes bytea ~25× slower (2 s vs 73 ms
 * for 5k 384-d rows), which made loading the index the slowest part of start-up.
 * (PostgreSQL wraps base64 at 76 characters; Buffer.from ignores the newlines.)
 */
const VECTOR_BASE64 = sql<string>`encode(vector, 'base64')`.as('vector_b64');

function decodeVector(base64: string): Float32Array {
  return deserializeVector(Buffer.from(base64, 'base64'));
}

export interface StoredVector {
  id: string;
  vector: Float32Array;
}

const SEARCHABLE = sql<boolean>`vector is not null`.as('searchable');
const MEMORY_COLUMNS = ['id', 'text', 'source', 'source_ref', 'author', 'created_at', 'updated_at', 'expires_at', 'embedding_model', 'indexed_at', SEARCHABLE] as const;

interface MemoryRow {
  id: string;
  text: string;
  source: MemorySource;
  source_ref: string | null;
  author: string | null;
  created_at: Date;
  updated_at: Date;
  expires_at: Date | null;
  embedding_model: string;
  indexed_at: Date | null;
  searchable: boolean;
}

function toMemory(row: MemoryRow): Memory {
  return {
    id: row.id,
    text: row.text,
    source: row.source,
    sourceRef: row.source_ref,
    author: row.author,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    embeddingModel: row.embedding_model,
    indexed: row.indexed_at !== null,
    searchable: row.searchable,
  };
}

export interface NewMemoryRow {
  id: string;
  text: string;
  source: MemorySource;
  sourceRef: string | null;
  /** Who wrote it (see Memory.author); left as it was when a rewrite does not say. */
  author?: string | null;
  expiresAt: Date | null;
  embeddingModel: string;
  /** Null stores the text now and leaves embedding to the background worker. */
  vector: Float32Array | null;
  now: Date;
  /** Set when the vector store already holds the vector (the embedded index lives off this row). */
  indexedAt: Date | null;
}

export async function insertMemory(db: DbOrTx, row: NewMemoryRow): Promise<Memory> {
  const inserted = await db
    .insertInto('memories')
    .values({
      id: row.id,
      text: row.text,
      source: row.source,
      source_ref: row.sourceRef,
      author: row.author ?? null,
      created_at: row.now,
      updated_at: row.now,
      expires_at: row.expiresAt,
      embedding_model: row.embeddingModel,
      vector: row.vector === null ? null : serializeVector(row.vector),
      indexed_at: row.indexedAt,
    })
    .returning(MEMORY_COLUMNS)
    .executeTakeFirstOrThrow();
  return toMemory(inserted);
}

/** A memory's new content: everything a new row has but its id. */
export type MemoryRewrite = Omit<NewMemoryRow, 'id'>;

/** Replaces a memory's content (a near-duplicate or an undo); keeps id and created_at. Undefined when it is gone. */
export async function rewriteMemory(db: DbOrTx, id: string, change: MemoryRewrite): Promise<Memory | undefined> {
  const row = await db
    .updateTable('memories')
    .set({
      text: change.text,
      source: change.source,
      source_ref: change.sourceRef,
      ...(change.author !== undefined ? { author: change.author } : {}),
      expires_at: change.expiresAt,
      embedding_model: change.embeddingModel,
      vector: change.vector === null ? null : serializeVector(change.vector),
      updated_at: change.now,
      indexed_at: change.indexedAt,
    })
    .where('id', '=', id)
    .returning(MEMORY_COLUMNS)
    .executeTakeFirst();
  return row ? toMemory(row) : undefined;
}

/** Live (not expired) memories by id, in no particular order. */
export async function findMemories(db: DbOrTx, ids: readonly string[], now: Date): Promise<Memory[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('memories')
    .select(MEMORY_COLUMNS)
    .where('id', 'in', [...ids])
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  return rows.map(toMemory);
}

/** Live memories whose id starts with `prefix` (hex and dashes, lower-case), at most `limit`. */
export async function findMemoriesByIdPrefix(db: DbOrTx, prefix: string, now: Date, limit: number): Promise<Memory[]> {
  const rows = await db
    .selectFrom('memories')
    .select(MEMORY_COLUMNS)
    .where(sql<string>`id::text`, 'like', `${prefix}%`)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .limit(limit)
    .execute();
  return rows.map(toMemory);
}

/** A page of live memories, newest first. */
export async function listMemories(db: DbOrTx, now: Date, offset: number, limit: number): Promise<Memory[]> {
  const rows = await db
    .selectFrom('memories')
    .select(MEMORY_COLUMNS)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(offset)
    .limit(limit)
    .execute();
  return rows.map(toMemory);
}

export async function countMemories(db: DbOrTx, now: Date): Promise<{ live: number; unindexed: number; unembedded: number }> {
  const row = await db
    .selectFrom('memories')
    .select((eb) => [
      eb.fn.countAll<string>().as('live'),
      eb.fn.count<string>('id').filterWhere((w) => w.and([w('indexed_at', 'is', null), w('vector', 'is not', null)])).as('unindexed'),
      eb.fn.count<string>('id').filterWhere('vector', 'is', null).as('unembedded'),
    ])
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirstOrThrow();
  return { live: Number(row.live), unindexed: Number(row.unindexed), unembedded: Number(row.unembedded) };
}

/** Deletes one memory; returns it, or undefined when it was already gone. */
export async function deleteMemory(db: DbOrTx, id: string): Promise<Memory | undefined> {
  const row = await db.deleteFrom('memories').where('id', '=', id).returning(MEMORY_COLUMNS).executeTakeFirst();
  return row ? toMemory(row) : undefined;
}

/** Deletes every memory that expired at or before `now`; returns their ids. */
export async function deleteExpired(db: DbOrTx, now: Date): Promise<string[]> {
  const rows = await db.deleteFrom('memories').where('expires_at', '<=', now).returning('id').execute();
  return rows.map((row) => row.id);
}

/**
 * Every live vector made by `model`, streamed in id order a page at a time so loading 100k rows
 * never holds more than one page of row objects.
 */
export async function* streamVectors(db: DbOrTx, model: string, now: Date, pageSize = 2000): AsyncGenerator<StoredVector> {
  let after: string | undefined;
  for (;;) {
    // Page the ids first (a walk of the primary key), then fetch their vectors unsorted: sorting
    // rows that carry their vectors spilled to disk and made every page cost a full scan.
    let page = db
      .selectFrom('memories')
      .select('id')
      .where('embedding_model', '=', model)
      .where('vector', 'is not', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('id')
      .limit(pageSize);
    if (after !== undefined) page = page.where('id', '>', after);
    const rows = await db.selectFrom('memories').select(['id', VECTOR_BASE64]).where('id', 'in', page).execute();
    for (const row of rows) {
      yield { id: row.id, vector: decodeVector(row.vector_b64) };
      // Lower-case hex text orders like PostgreSQL's uuid (bytewise).
      if (after === undefined || row.id > after) after = row.id;
    }
    if (rows.length < pageSize) return;
  }
}

/** Exact vectors for a few ids (re-ranking); missing, expired or other-model rows are skipped. */
export async function loadVectors(db: DbOrTx, ids: readonly string[], model: string, now: Date): Promise<StoredVector[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('memories')
    .select(['id', VECTOR_BASE64])
    .where('id', 'in', [...ids])
    .where('embedding_model', '=', model)
    .where('vector', 'is not', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  return rows.map((row) => ({ id: row.id, vector: decodeVector(row.vector_b64) }));
}

/** Rows made by another model, or not embedded at all yet (they need embedding), a page at a time. */
export async function staleModelMemories(db: DbOrTx, model: string, limit: number): Promise<{ id: string; text: string }[]> {
  return db
    .selectFrom('memories')
    .select(['id', 'text'])
    .where((eb) => eb.or([eb('embedding_model', '<>', model), eb('vector', 'is', null)]))
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Memories still waiting for the embedding model, oldest first: the durable embedding queue. */
export async function unembeddedMemories(db: DbOrTx, limit: number): Promise<{ id: string; text: string }[]> {
  return db.selectFrom('memories').select(['id', 'text']).where('vector', 'is', null).orderBy('created_at').orderBy('id').limit(limit).execute();
}

/**
 * Gives a waiting memory its vector, unless its text changed meanwhile (then the newer text is
 * still queued). Returns the memory when the vector was attached.
 */
export async function attachVector(db: DbOrTx, id: string, text: string, model: string, vector: Float32Array): Promise<Memory | undefined> {
  const row = await db
    .updateTable('memories')
    .set({ embedding_model: model, vector: serializeVector(vector), indexed_at: null })
    .where('id', '=', id)
    .where('text', '=', text)
    .where('vector', 'is', null)
    .returning(MEMORY_COLUMNS)
    .executeTakeFirst();
  return row ? toMemory(row) : undefined;
}

/**
 * Live memories whose text contains any of `words` (case-insensitive), at most `limit`, newest
 * first; `onlyUnembedded` keeps those the model has not embedded yet.
 */
export async function memoriesContaining(db: DbOrTx, words: readonly string[], now: Date, limit: number, onlyUnembedded: boolean): Promise<Memory[]> {
  if (words.length === 0) return [];
  let query = db
    .selectFrom('memories')
    .select(MEMORY_COLUMNS)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .where((eb) => eb.or(words.map((word) => eb(sql<number>`strpos(lower(text), ${word.toLowerCase()})`, '>', 0))));
  if (onlyUnembedded) query = query.where('vector', 'is', null);
  const rows = await query.orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map(toMemory);
}

export async function setVector(db: DbOrTx, id: string, model: string, vector: Float32Array): Promise<void> {
  await db.updateTable('memories').set({ embedding_model: model, vector: serializeVector(vector), indexed_at: null }).where('id', '=', id).execute();
}

/** Rows the external store has not acknowledged yet, oldest change first. */
export async function unindexedVectors(db: DbOrTx, model: string, limit: number): Promise<(StoredVector & { updatedAt: Date; createdAt: Date; source: MemorySource })[]> {
  const rows = await db
    .selectFrom('memories')
    .select(['id', VECTOR_BASE64, 'updated_at', 'created_at', 'source'])
    .where('indexed_at', 'is', null)
    .where('vector', 'is not', null)
    .where('embedding_model', '=', model)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, vector: decodeVector(row.vector_b64), updatedAt: row.updated_at, createdAt: row.created_at, source: row.source }));
}

/**
 * Marks rows indexed, but only if they were not changed after `asOf` (a rewrite during the
 * upsert leaves the row pending so its newer vector is sent too).
 */
export async function markIndexed(db: DbOrTx, ids: readonly string[], asOf: Date, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('memories').set({ indexed_at: now }).where('id', 'in', [...ids]).where('updated_at', '<=', asOf).execute();
}

export async function markAllUnindexed(db: DbOrTx): Promise<void> {
  await db.updateTable('memories').set({ indexed_at: null }).execute();
}

export async function queueIndexDeletions(db: DbOrTx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .insertInto('memory_index_deletions')
    .values(ids.map((id) => ({ id })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function pendingIndexDeletions(db: DbOrTx, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('memory_index_deletions').select('id').orderBy('queued_at').limit(limit).execute();
  return rows.map((row) => row.id);
}

export async function clearIndexDeletions(db: DbOrTx, ids?: readonly string[]): Promise<void> {
  let query = db.deleteFrom('memory_index_deletions');
  if (ids !== undefined) {
    if (ids.length === 0) return;
    query = query.where('id', 'in', [...ids]);
  }
  await query.execute();
}
