export { EmbedderUnavailableError, type Embedder, type EmbedderUnavailableContext } from './embedder.js';
export { createTransformersEmbedder, type TransformersEmbedder, type TransformersEmbedderOptions } from './transformers-embedder.js';
export { requiredModelFiles } from './model-files.js';
