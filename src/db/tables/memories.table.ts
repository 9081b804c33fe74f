import type { ColumnType } from 'kysely';

/** Where a memory came from. */
export type MemorySource = 'command' | 'chat' | 'email' | 'routine';

/**
 * One thing the owner asked Z to remember. The row is the source of truth; the vector store
 * (Qdrant or the embedded index) is rebuilt from `vector` and `embedding_model`.
 */
export interface MemoriesTable {
  id: string;
  text: string;
  source: MemorySource;
  /** Provenance within the source: a Telegram message, a tool call key, an email id. */
  source_ref: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  expires_at: Date | null;
  embedding_model: string;
  /** float32 little endian (see serializeVector); null until the embedding model has embedded the text. */
  vector: ColumnType<Uint8Array | null, Uint8Array | null, Uint8Array | null>;
  /** Who wrote it: `owner`, `Z`, or a specialist agent's name; null for memories older than agents. */
  author: ColumnType<string | null, string | null | undefined, string | null>;
  /** Null while Qdrant has not stored the current vector; the background indexer retries those. */
  indexed_at: Date | null;
}

/** Vector-store deletions still owed (the store was unreachable when the memory was forgotten). */
export interface MemoryIndexDeletionsTable {
  id: string;
  queued_at: ColumnType<Date, Date | undefined, never>;
}
