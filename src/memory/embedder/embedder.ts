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
  /** A cheap look at the model's files (no load, no network), for /status and the retry loop. */
  checkFiles?(): Promise<ModelFilesCheck>;
}

export interface ModelFilesCheck {
  /** `<modelsDir>/<modelName>/`: where the files must be. */
  folder: string;
  /** Required files (relative to `folder`) that are not there. */
  missingFiles: readonly string[];
  requiredFiles: readonly string[];
  allowRemoteModels: boolean;
  /** The host downloads come from, e.g. `huggingface.co`. */
  remoteHost: string;
}

/**
 * Why the model could not be loaded:
 * - `missing-files`: files are missing and downloading is off (ALLOW_REMOTE_MODELS=false);
 * - `host-unreachable`: downloading is on, but the download host could not be reached;
 * - `download-failed`: the host answered, but not with the files (HTTP error);
 * - `corrupt-files`: every file is there, but they do not load.
 */
export type UnavailableReason = 'missing-files' | 'host-unreachable' | 'download-failed' | 'corrupt-files';

export interface EmbedderUnavailableContext {
  modelName: string;
  /** The folder the model files were expected in: `<modelsDir>/<modelName>/`. */
  folder: string;
  allowRemoteModels: boolean;
  /** Files (relative to `folder`) that were missing, when that is what failed. */
  missingFiles: readonly string[];
  /** The files a working model folder needs, relative to `folder`. */
  requiredFiles: readonly string[];
  /** The download host (default `huggingface.co`). */
  remoteHost?: string;
  cause?: unknown;
}

/** The embedding model could not be loaded. The message names the cause and the fix. */
export class EmbedderUnavailableError extends Error {
  override readonly name = 'EmbedderUnavailableError';
  readonly modelName: string;
  readonly folder: string;
  readonly allowRemoteModels: boolean;
  readonly missingFiles: readonly string[];
  readonly reason: UnavailableReason;
  /** The cause in a few words, for short notes ("files missing in …"). */
  readonly shortReason: string;
  /** What was found, without the model's name (the message starts with it). */
  readonly found: string;
  /** What the owner can do about it. */
  readonly fix: string;

  constructor(context: EmbedderUnavailableContext) {
    const reason = classifyUnavailable(context);
    const described = describeUnavailable(context, reason);
    super(`Embedding model ${context.modelName} is unavailable: ${described.found}. To fix: ${described.fix}.`, { cause: context.cause });
    this.found = described.found;
    this.fix = described.fix;
    this.modelName = context.modelName;
    this.folder = context.folder;
    this.allowRemoteModels = context.allowRemoteModels;
    this.missingFiles = context.missingFiles;
    this.reason = reason;
    this.shortReason = described.short;
  }
}

/** Node's network error codes (undici wraps them as `fetch failed` with this code on the cause). */
const NETWORK_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN',
]);

/** The network error code somewhere in a cause chain, if any. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (typeof current === 'object') {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
      // undici's own wrapper when the cause carries no code (e.g. an aborted connection).
      if (current instanceof TypeError && current.message === 'fetch failed' && !(current as { cause?: unknown }).cause) return 'fetch failed';
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return undefined;
}

function classifyUnavailable(context: EmbedderUnavailableContext): UnavailableReason {
  if (context.missingFiles.length === 0) return 'corrupt-files';
  if (!context.allowRemoteModels) return 'missing-files';
  return networkErrorCode(context.cause) !== undefined ? 'host-unreachable' : 'download-failed';
}

function causeText(cause: unknown): string {
  if (cause === undefined) return 'unknown error';
  const parts: string[] = [];
  let current: unknown = cause;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const text = current instanceof Error ? current.message : String(current);
    const code = typeof current === 'object' ? (current as { code?: unknown }).code : undefined;
    parts.push(typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text);
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return parts.join(': ').replace(/\s+/g, ' ').slice(0, 300);
}

/** What was found and the fix, each one sentence or two without the final full stop. */
function describeUnavailable(context: EmbedderUnavailableContext, reason: UnavailableReason): { short: string; found: string; fix: string } {
  const { modelName, folder, missingFiles, requiredFiles, cause } = context;
  const host = context.remoteHost ?? 'huggingface.co';
  const copy = `copy ${requiredFiles.join(', ')} from https://${host}/${modelName} (same layout) into ${folder}`;
  switch (reason) {
    case 'missing-files':
      return {
        short: `model files missing in ${folder}`,
        found: `${folder} lacks ${missingFiles.join(', ')}, and downloading is off (ALLOW_REMOTE_MODELS=false)`,
        fix: `${copy}; or set ALLOW_REMOTE_MODELS=true on a machine that can reach https://${host}, and the files are downloaded there once`,
      };
    case 'host-unreachable':
      return {
        short: `${host} is unreachable, and ${folder} lacks the model files`,
        found: `downloading it failed because ${host} cannot be reached from this machine (${causeText(cause)}), and ${folder} lacks ${missingFiles.join(', ')}`,
        fix: `allow HTTPS (port 443) from this machine to ${host} and the hosts it redirects downloads to (*.hf.co), or ${copy}. Files found there are used without any download`,
      };
    case 'download-failed':
      return {
        short: `download from ${host} failed`,
        found: `${host} was reached but did not serve the files (${causeText(cause)}), and ${folder} lacks ${missingFiles.join(', ')}`,
        fix: `check that the model name EMBEDDING_MODEL=${modelName} exists on ${host}, or ${copy}`,
      };
    case 'corrupt-files':
      return {
        short: `the model files in ${folder} do not load`,
        found: `all its files are in ${folder}, but they do not load (${causeText(cause)}); they are probably damaged or incomplete`,
        fix: `delete ${folder} and ${copy} again${context.allowRemoteModels ? `, or just delete it so it is downloaded again from ${host}` : ''}`,
      };
  }
}
