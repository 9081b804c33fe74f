import { EmbedderUnavailableError, type Embedder, type ModelFilesCheck } from '../../src/memory/embedder/index.js';

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

const STOP = new Set(['a', 'an', 'the', 'is', 'are', 'my', 'in', 'on', 'of', 'to', 'and', 'that', 'what', 'when', 'i', 'me', 'do', 'does']);

function fnv1a(text: string, seed: number): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Deterministic bag-of-words embedder: every content word adds ±1 to a hashed dimension, then the
 * vector is normalised. Texts that share words really are close, which the random fixture model
 * cannot give; identical word sets score 1.
 */
export function fakeEmbedder(
  options: { modelName?: string; dimensions?: number } = {},
): Embedder & { calls: number; failWith?: Error; missingFiles: string[]; checkFiles(): Promise<ModelFilesCheck> } {
  const dimensions = options.dimensions ?? 384;
  const modelName = options.modelName ?? 'fake/bag-of-words';
  const embedder = {
    modelName,
    dimensions,
    calls: 0,
    failWith: undefined as Error | undefined,
    /** Like a model folder without these files: embed throws what the real adapter throws with ALLOW_REMOTE_MODELS=false. */
    missingFiles: [] as string[],
    async checkFiles(): Promise<ModelFilesCheck> {
      return { folder: `/models/${modelName}`, missingFiles: [...embedder.missingFiles], requiredFiles: REQUIRED, allowRemoteModels: false, remoteHost: 'huggingface.co' };
    },
    async embed(texts: readonly string[]): Promise<Float32Array[]> {
      embedder.calls += 1;
      if (embedder.failWith) throw embedder.failWith;
      if (embedder.missingFiles.length > 0) {
        throw new EmbedderUnavailableError({ modelName, folder: `/models/${modelName}`, allowRemoteModels: false, missingFiles: [...embedder.missingFiles], requiredFiles: REQUIRED });
      }
      return texts.map((text) => {
        const vector = new Float32Array(dimensions);
        const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
        for (const word of words) {
          if (STOP.has(word)) continue;
          const h = fnv1a(word, 0);
          vector[h % dimensions]! += (h & 0x80000000) === 0 ? 1 : -1;
        }
        let norm = 0;
        for (const x of vector) norm += x * x;
        norm = Math.sqrt(norm);
        if (norm === 0) vector[0] = 1;
        else for (let i = 0; i < dimensions; i++) vector[i]! /= norm;
        return vector;
      });
    },
  };
  return embedder;
}

export function modelMissingError(): EmbedderUnavailableError {
  return new EmbedderUnavailableError({
    modelName: 'Xenova/all-MiniLM-L6-v2',
    folder: '/nowhere/models/Xenova/all-MiniLM-L6-v2',
    allowRemoteModels: false,
    missingFiles: ['config.json'],
    requiredFiles: ['config.json', 'tokenizer.json'],
  });
}
