import { EmbedderUnavailableError, type Embedder } from './embedder/index.js';

/** What /status says about the embedding model. */
export type EmbedderState = { state: 'not-loaded' } | { state: 'loaded' } | { state: 'unavailable'; reason: string; error: EmbedderUnavailableError };

export interface ObservedEmbedder {
  embedder: Embedder;
  state(): EmbedderState;
}

/**
 * Wraps an Embedder to remember how its last load went, without loading anything itself: the
 * model loads on the first real use, so /status never pays for (or triggers) a load.
 */
export function observeEmbedder(inner: Embedder): ObservedEmbedder {
  let current: EmbedderState = { state: 'not-loaded' };
  const embedder: Embedder = {
    modelName: inner.modelName,
    dimensions: inner.dimensions,
    async embed(texts) {
      try {
        const vectors = await inner.embed(texts);
        current = { state: 'loaded' };
        return vectors;
      } catch (error) {
        if (error instanceof EmbedderUnavailableError) current = { state: 'unavailable', reason: error.message, error };
        throw error;
      }
    },
  };
  if (inner.checkFiles) embedder.checkFiles = inner.checkFiles.bind(inner);
  return { state: () => current, embedder };
}
