import type { MemorySource } from '../db/tables/memories.table.js';
import type { Memory } from './memories-repo.js';
import type { VectorStore } from './vector/index.js';

export interface NewMemory {
  text: string;
  source: MemorySource;
  sourceRef?: string | null;
  /** Who wrote it: `owner`, `Z` or an agent's name (provenance, shown by /why). */
  author?: string | null;
  expiresAt?: Date | null;
}

export type AddOutcome =
  /** `notSearchable` is set when the text is saved but waits for the embedding model (why, in a few words). */
  | { kind: 'added'; memory: Memory; indexed: boolean; notSearchable?: string }
  | { kind: 'updated'; memory: Memory; previous: Memory; similarity: number; indexed: boolean };

export interface MemoryHit {
  memory: Memory;
  /** Cosine similarity for `meaning`, the share of the query's words found for `words`. */
  score: number;
  /** `words`: the memory is not embedded yet (or the model is unavailable), so it matched by words. */
  match: 'meaning' | 'words';
}

export interface SearchOutcome {
  hits: MemoryHit[];
  /** Set when the search had to degrade (Qdrant unreachable: exact search over the database). */
  note?: string;
}

export interface ReindexOutcome {
  indexed: number;
  reembedded: number;
  store: VectorStore['kind'];
}
