export {
  VectorStoreError,
  type VectorHit,
  type VectorPoint,
  type VectorStore,
  type VectorStoreErrorKind,
  type VectorStoreOperation,
} from './vector-store.js';
export {
  ExactIndex,
  cosineWithUnit,
  defaultRerankDepth,
  normalizeVector,
  type ExactIndexOptions,
  type IndexEntry,
  type IndexFootprint,
  type ScoredId,
} from './exact-index.js';
export { createEmbeddedVectorStore, type EmbeddedVectorStoreOptions, type VectorSource } from './embedded-store.js';
export { createQdrantStore, type QdrantStoreOptions } from './qdrant/index.js';
export { serializeVector, deserializeVector } from './vector-codec.js';
export { canonicalPointId } from './point-id.js';
