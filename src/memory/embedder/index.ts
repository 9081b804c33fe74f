export { EmbedderUnavailableError, networkErrorCode, type Embedder, type EmbedderUnavailableContext, type ModelFilesCheck, type UnavailableReason } from './embedder.js';
export { createTransformersEmbedder, type TransformersEmbedder, type TransformersEmbedderOptions } from './transformers-embedder.js';
export { requiredModelFiles } from './model-files.js';
