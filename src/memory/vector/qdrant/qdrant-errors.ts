import { VectorStoreError, type VectorStoreOperation } from '../vector-store.js';
import { QdrantErrorBody, QdrantHttpFailure } from './qdrant-schemas.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** The HTTP status of a Qdrant answer the SDK threw on, if it was one. */
export function httpStatusOf(error: unknown): number | undefined {
  const parsed = QdrantHttpFailure.safeParse(error);
  return parsed.success ? parsed.data.status : undefined;
}

/** Qdrant's own message (`status.error`, or the plain-text auth body). */
export function qdrantMessageOf(error: unknown): string | undefined {
  const parsed = QdrantHttpFailure.safeParse(error);
  if (!parsed.success) return undefined;
  const body = QdrantErrorBody.safeParse(parsed.data.data);
  if (body.success) return body.data.status.error;
  return typeof parsed.data.data === 'string' && parsed.data.data !== '' ? parsed.data.data : undefined;
}

function networkCode(error: unknown): string | undefined {
  // undici: TypeError('fetch failed') with the socket error as `cause` (possibly nested once more).
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code: unknown = Reflect.get(current, 'code');
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

/** Maps whatever the SDK threw to a VectorStoreError with the right kind. */
export function toVectorStoreError(error: unknown, operation: VectorStoreOperation, collection: string): VectorStoreError {
  const make = (kind: VectorStoreError['kind'], message: string): VectorStoreError =>
    new VectorStoreError({ kind, store: 'qdrant', operation, message, cause: error });
  if (error instanceof VectorStoreError) return error;
  // Matched by name: importing the class would load the whole client at start-up.
  if (error instanceof Error && error.name === 'QdrantClientTimeoutError') return make('timeout', `request timed out (collection ${collection})`);
  const status = httpStatusOf(error);
  if (status !== undefined) {
    const detail = qdrantMessageOf(error) ?? `HTTP ${status}`;
    if (status === 401 || status === 403) {
      return make('rejected', `HTTP ${status} ${detail} — check QDRANT_API_KEY`);
    }
    return make(status >= 500 || status === 429 ? 'server' : 'rejected', `HTTP ${status} ${detail}`);
  }
  const code = networkCode(error);
  if (code !== undefined) return make('unreachable', `cannot reach Qdrant (${code})`);
  if (error instanceof TypeError && error.message === 'fetch failed') return make('unreachable', 'cannot reach Qdrant');
  return make('server', error instanceof Error ? error.message : String(error));
}
