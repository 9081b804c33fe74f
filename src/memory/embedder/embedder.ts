/**
 * Turns text into vectors for memory search. The port the memory service depends on; the
 * transformers.js adapter runs all-MiniLM-L6-v2 locally, tests may swap in anything.
 */
export interface Embedder {
  /** The model id, e.g. 'Xenova/all-MiniLM-L6-v2'. Stored with vectors so a model change is detectable. */
  readonly modelName: string;
  /** Length of every returned vector (384 for all-MiniLM-L6-v2). */
  readonly dimensions: number;
  /**
   * Embeds texts in one batch; returns unit-norm vectors in input order (an empty input gives an
   * empty result). Inputs longer than the model's window are truncated, not rejected.
   * Throws EmbedderUnavailableError when the model cannot be loaded; a later call tries again.
   */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export interface EmbedderUnavailableContext {
  modelName: string;
  /** The folder the model files were expected in: `<modelsDir>/<modelName>/`. */
  folder: string;
  allowRemoteModels: boolean;
  /** Files (relative to `folder`) that were missing, when that is what failed. */
  missingFiles: readonly string[];
  /** The files a working model folder needs, relative to `folder`. */
  requiredFiles: readonly string[];
  cause?: unknown;
}

/** The embedding model could not be loaded: its files are missing locally and could not (or may not) be downloaded. */
export class EmbedderUnavailableError extends Error {
  override readonly name = 'EmbedderUnavailableError';
  readonly modelName: string;
  readonly folder: string;
  readonly allowRemoteModels: boolean;
  readonly missingFiles: readonly string[];

  constructor(context: EmbedderUnavailableContext) {
    super(describeUnavailable(context), { cause: context.cause });
    this.modelName = context.modelName;
    this.folder = context.folder;
    this.allowRemoteModels = context.allowRemoteModels;
    this.missingFiles = context.missingFiles;
  }
}

function describeUnavailable(context: EmbedderUnavailableContext): string {
  const { modelName, folder, allowRemoteModels, missingFiles, requiredFiles, cause } = context;
  const copy = `copy the ${modelName} files (${requiredFiles.join(', ')}) into ${folder} (the layout of https://huggingface.co/${modelName})`;
  const download = 'set ALLOW_REMOTE_MODELS=true on a machine with internet so they are downloaded into that folder once';
  if (missingFiles.length === 0) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return `Embedding model ${modelName} is unavailable: the files in ${folder} could not be loaded (${reason}). To fix: ${copy} again, or delete them and ${download}.`;
  }
  const remote = allowRemoteModels
    ? 'Downloading them from the Hugging Face Hub was tried and failed.'
    : 'Remote download is off (ALLOW_REMOTE_MODELS is not true), so nothing was fetched.';
  return `Embedding model ${modelName} is unavailable: ${folder} lacks ${missingFiles.join(', ')}. ${remote} To fix: ${copy}, or ${download}.`;
}
