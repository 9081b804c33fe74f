export { createMemoryFeature, type MemoryFeature, type MemoryFeatureDeps } from './memory-feature.js';
export { buildMemoryService, type BuiltMemoryService } from './build-memory-service.js';
export {
  MemoryService,
  DEFAULT_DEDUPE_THRESHOLD,
  DEDUPE_PREFERENCE,
  type AddOutcome,
  type MemoryHit,
  type MemoryServiceOptions,
  type NewMemory,
  type ReindexOutcome,
  type SearchOutcome,
} from './memory-service.js';
export type { Memory } from './memories-repo.js';
export { memoryContextProvider } from './memory-context.js';
export { observeEmbedder, type EmbedderState, type ObservedEmbedder } from './observed-embedder.js';
