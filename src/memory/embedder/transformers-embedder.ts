import { join } from 'node:path';
import type * as Transformers from '@huggingface/transformers';
import type { FeatureExtractionPipeline, Tensor } from '@huggingface/transformers';
import type { Logger } from '../../log/index.js';
import { createBatchQueue } from './batch-queue.js';
import { EmbedderUnavailableError, type Embedder, type ModelFilesCheck } from './embedder.js';
import { findMissingFiles, requiredModelFiles } from './model-files.js';

export interface TransformersEmbedderOptions {
  /** Hugging Face model id, e.g. 'Xenova/all-MiniLM-L6-v2'. */
  modelName: string;
  /** Folder holding `<modelName>/…`; downloads (when allowed) are saved there too. */
  modelsDir: string;
  /** When false, nothing is fetched from the network: the files must be in `<modelsDir>/<modelName>/`. */
  allowRemoteModels: boolean;
  /** Where missing files are downloaded from. Default https://huggingface.co/ (the library's default). */
  remoteHost?: string;
  /** Use onnx/model_quantized.onnx (int8) instead of onnx/model.onnx (fp32, the library's CPU default). Default false. */
  quantized?: boolean;
  /** Vector length the model must produce; checked when the model loads. Default 384 (MiniLM-L6). */
  dimensions?: number;
  /**
   * Most texts per model call. Waiting requests are merged up to this many texts; a larger request
   * is split, sorted by length so each call pads little. Each call blocks the event loop for its
   * inference time (onnxruntime-node runs synchronously), so this also bounds that pause. Default 16.
   */
  maxBatchSize?: number;
  log: Logger;
}

export interface TransformersEmbedder extends Embedder {
  checkFiles(): Promise<ModelFilesCheck>;
  /** Releases the ONNX session. The embedder loads again if used afterwards. */
  dispose(): Promise<void>;
}

/**
 * Characters kept per input before tokenizing. The model sees at most 512 tokens and a WordPiece
 * token covers at most ~100 characters, so text past this point is dropped by truncation anyway;
 * cutting it first keeps the synchronous tokenizer from chewing through megabytes on the event loop.
 */
const MAX_INPUT_CHARS = 65_536;

const EXTRACTION_OPTIONS = { pooling: 'mean', normalize: true } as const;

/**
 * transformers.js keeps its settings in one process-wide `env` object that is read while a model
 * loads, so loads are serialized: two embedders with different folders must not interleave.
 */
let envLock: Promise<unknown> = Promise.resolve();

/**
 * Embedder running a sentence-transformers model (mean pooling, L2-normalized) locally through
 * transformers.js and onnxruntime-node. The model loads on first use, once, shared by concurrent
 * callers; a failed load is retried by the next call.
 */
export function createTransformersEmbedder(options: TransformersEmbedderOptions): TransformersEmbedder {
  const { modelName, modelsDir, allowRemoteModels, log } = options;
  const quantized = options.quantized ?? false;
  const dimensions = options.dimensions ?? 384;
  const folder = join(modelsDir, ...modelName.split('/'));
  const requiredFiles = requiredModelFiles(quantized);
  const remoteUrl = options.remoteHost ?? 'https://huggingface.co/';
  const remoteHost = new URL(remoteUrl).host;
  let loading: Promise<FeatureExtractionPipeline> | undefined;

  function unavailable(missingFiles: readonly string[], cause?: unknown): EmbedderUnavailableError {
    return new EmbedderUnavailableError({ modelName, folder, allowRemoteModels, missingFiles, requiredFiles, remoteHost, cause });
  }

  async function checkFiles(): Promise<ModelFilesCheck> {
    return { folder, missingFiles: await findMissingFiles(folder, requiredFiles), requiredFiles, allowRemoteModels, remoteHost };
  }

  async function load(): Promise<FeatureExtractionPipeline> {
    const missing = await findMissingFiles(folder, requiredFiles);
    // Checking ourselves first gives a precise message and keeps transformers.js from memoizing
    // "file does not exist" answers for a folder the owner is about to fill.
    if (missing.length > 0 && !allowRemoteModels) throw unavailable(missing);
    const started = performance.now();
    log.info({ modelName, folder, quantized, allowRemoteModels, missing }, 'loading embedding model');
    let extractor: FeatureExtractionPipeline | undefined;
    try {
      // Imported on first use: the library and onnxruntime add ~100 MB that a daemon
      // which has not embedded anything yet should not carry.
      const transformers = await import('@huggingface/transformers');
      extractor = await withTransformersEnv(transformers, () =>
        transformers.pipeline('feature-extraction', modelName, {
          device: 'cpu',
          dtype: quantized ? 'q8' : 'fp32',
          local_files_only: !allowRemoteModels,
          cache_dir: modelsDir,
        }),
      );
      // One tiny run proves the graph, tokenizer and vector length agree before anyone relies on it.
      const probe = toRows(await extractor(['openzero'], EXTRACTION_OPTIONS), 1, dimensions);
      if (probe.length !== 1) throw new Error('warm-up produced no vector');
    } catch (cause) {
      await extractor?.dispose().catch(() => undefined);
      const error = unavailable(await findMissingFiles(folder, requiredFiles), cause);
      log.warn({ err: error, reason: error.reason, modelName, folder }, 'embedding model unavailable');
      throw error;
    }
    log.info({ modelName, ms: Math.round(performance.now() - started) }, 'embedding model loaded');
    return extractor;
  }

  function getExtractor(): Promise<FeatureExtractionPipeline> {
    if (loading === undefined) {
      const attempt = load();
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  }

  const maxBatchSize = options.maxBatchSize ?? 16;

  async function run(texts: string[]): Promise<Float32Array[]> {
    const extractor = await getExtractor();
    // Similar lengths share a call: every text in a call is padded to the longest one.
    const items = texts.map((text, index) => ({ text: clip(text), index })).sort((a, b) => a.text.length - b.text.length);
    const vectors: Float32Array[] = new Array<Float32Array>(texts.length);
    for (let start = 0; start < items.length; start += maxBatchSize) {
      const chunk = items.slice(start, start + maxBatchSize);
      log.debug({ texts: chunk.length }, 'embedding batch');
      const rows = toRows(await extractor(chunk.map((item) => item.text), EXTRACTION_OPTIONS), chunk.length, dimensions);
      chunk.forEach((item, k) => {
        const row = rows[k];
        if (row !== undefined) vectors[item.index] = row;
      });
    }
    return vectors;
  }

  const enqueue = createBatchQueue(run, maxBatchSize);

  return {
    modelName,
    dimensions,
    embed: enqueue,
    checkFiles,
    async dispose(): Promise<void> {
      const current = loading;
      loading = undefined;
      if (current === undefined) return;
      const extractor = await current.catch(() => undefined);
      await extractor?.dispose();
    },
  };

  function withTransformersEnv<T>(transformers: typeof Transformers, task: () => Promise<T>): Promise<T> {
    const { env, LogLevel } = transformers;
    const run = envLock.then(() => {
      env.allowLocalModels = true;
      env.localModelPath = modelsDir;
      env.allowRemoteModels = allowRemoteModels;
      env.remoteHost = remoteUrl;
      // Downloads are cached as `<cacheDir>/<modelName>/<file>`: the same layout the local lookup
      // reads, so a model fetched once with ALLOW_REMOTE_MODELS=true is found offline afterwards.
      env.cacheDir = modelsDir;
      env.useFSCache = true;
      env.useBrowserCache = false;
      // The library logs through console; failures reach our logger through the thrown error.
      env.logLevel = LogLevel.ERROR;
      return task();
    });
    envLock = run.catch(() => undefined);
    return run;
  }
}

/** Keeps at most MAX_INPUT_CHARS characters without splitting a surrogate pair. */
function clip(text: string): string {
  if (text.length <= MAX_INPUT_CHARS) return text;
  const code = text.charCodeAt(MAX_INPUT_CHARS - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? MAX_INPUT_CHARS - 1 : MAX_INPUT_CHARS;
  return text.slice(0, end);
}

/** Splits a [count, dimensions] float32 tensor into one independent vector per input. */
function toRows(output: Tensor, count: number, dimensions: number): Float32Array[] {
  const { data, dims } = output;
  if (!(data instanceof Float32Array) || dims.length !== 2 || dims[0] !== count || dims[1] !== dimensions) {
    throw new Error(
      `expected a float32 tensor of shape [${count}, ${dimensions}], got ${output.type} [${dims.join(', ')}]` +
        (dims[1] !== undefined && dims[1] !== dimensions ? ` (the model's vectors are ${dims[1]}-dimensional; set dimensions to match)` : ''),
    );
  }
  return Array.from({ length: count }, (_, i) => data.slice(i * dimensions, (i + 1) * dimensions));
}
