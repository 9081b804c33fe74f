export { createQdrantStore, type QdrantStoreOptions } from './qdrant-store.js';
