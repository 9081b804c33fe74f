import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { createTransformersEmbedder, type Embedder, type TransformersEmbedder } from './embedder/index.js';
import { loadVectors, streamVectors } from './memories-repo.js';
import { MemoryService, type MemoryServiceOptions } from './memory-service.js';
import { observeEmbedder, type EmbedderState } from './observed-embedder.js';
import { createEmbeddedVectorStore, createQdrantStore, type VectorStore } from './vector/index.js';

const QDRANT_TIMEOUT_MS = 5_000;

export interface BuiltMemoryService {
  service: MemoryService;
  store: VectorStore;
  /** The embedder the service uses (observed), for /status. */
  embedder: Embedder;
  embedderState: () => EmbedderState;
  /** Releases the model; call after the service stopped. */
  dispose: () => Promise<void>;
}

/**
 * The memory service from config: the transformers.js embedder (loaded on first use) and Qdrant
 * when QDRANT_URL is set, else the embedded index over the database's vectors. Shared by the
 * daemon and `npm run reindex`.
 */
export function buildMemoryService(
  config: Pick<Config, 'qdrant' | 'embedding'>,
  db: Db,
  log: Logger,
  extra: Pick<MemoryServiceOptions, 'notifyOwner' | 'retry' | 'now' | 'backlog' | 'embedWaitMs'> = {},
): BuiltMemoryService {
  const { embedding, qdrant } = config;
  const transformers: TransformersEmbedder = createTransformersEmbedder({
    modelName: embedding.model,
    modelsDir: embedding.modelsDir,
    allowRemoteModels: embedding.allowRemote,
    log: log.child({ part: 'embedder' }),
  });
  const observed = observeEmbedder(transformers);
  const now = extra.now ?? (() => new Date());
  const store: VectorStore = qdrant
    ? createQdrantStore({ url: qdrant.url, apiKey: qdrant.apiKey, collection: qdrant.collection, timeoutMs: QDRANT_TIMEOUT_MS, log: log.child({ part: 'qdrant' }) })
    : createEmbeddedVectorStore({
        loadAll: () => streamVectors(db, embedding.model, now()),
        loadVectors: (ids) => loadVectors(db, ids, embedding.model, now()),
        log: log.child({ part: 'vector-index' }),
      });
  const service = new MemoryService({ db, embedder: observed.embedder, store, log, ...extra });
  return { service, store, embedder: observed.embedder, embedderState: observed.state, dispose: () => transformers.dispose() };
}
