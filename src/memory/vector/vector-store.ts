/** One stored memory vector. `id` is a UUID (Qdrant accepts only UUIDs or unsigned integers). */
export interface VectorPoint {
  id: string;
  vector: Float32Array;
  payload: { memoryId: string; createdAt: string; source: string };
}

/** A search result; `score` is the cosine similarity in [-1, 1]. Ids come back lower-case. */
export interface VectorHit {
  id: string;
  score: number;
}

/**
 * Where memory vectors are searched: Qdrant, or the embedded exact index over the database.
 *
 * Every method rejects only with `VectorStoreError` (except `probe`, which never throws). Call
 * `ensureReady` once at start-up before anything else.
 */
export interface VectorStore {
  readonly kind: 'embedded' | 'qdrant';
  /** Creates the collection/index if missing and loads it; idempotent. A different size than the stored one is `rejected`. */
  ensureReady(dimensions: number): Promise<void>;
  /** Inserts or overwrites by id. A non-UUID id or a wrong vector length is `rejected`. */
  upsert(points: readonly VectorPoint[]): Promise<void>;
  /** Best matches first, at most `limit`, only scores ≥ `minScore` when given. */
  search(vector: Float32Array, limit: number, minScore?: number): Promise<VectorHit[]>;
  /** Unknown ids are ignored. */
  delete(ids: readonly string[]): Promise<void>;
  count(): Promise<number>;
  /** Removes everything (for reindex). */
  clear(): Promise<void>;
  /** Health for `/status`; never throws. */
  probe(): Promise<{ ok: boolean; detail: string }>;
}

export type VectorStoreErrorKind = 'unreachable' | 'timeout' | 'rejected' | 'server';

export type VectorStoreOperation = 'ensureReady' | 'upsert' | 'search' | 'delete' | 'count' | 'clear' | 'probe';

/**
 * A vector store operation failed. `unreachable`/`timeout`/`server` are worth a retry later;
 * `rejected` means the request itself is wrong (bad id, wrong size, bad API key) and will fail again.
 */
export class VectorStoreError extends Error {
  override readonly name = 'VectorStoreError';
  readonly kind: VectorStoreErrorKind;
  readonly store: 'embedded' | 'qdrant';
  readonly operation: VectorStoreOperation;
  override readonly cause: unknown;

  constructor(options: {
    kind: VectorStoreErrorKind;
    store: 'embedded' | 'qdrant';
    operation: VectorStoreOperation;
    message: string;
    cause?: unknown;
  }) {
    super(`${options.store} vector store ${options.operation} failed (${options.kind}): ${options.message}`);
    this.kind = options.kind;
    this.store = options.store;
    this.operation = options.operation;
    this.cause = options.cause;
  }
}
