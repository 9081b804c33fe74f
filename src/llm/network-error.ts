/** How a failure below HTTP looks to the model port. */
export type NetworkFailure = 'unreachable' | 'timeout';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Recognises Node/undici network errors: `TypeError: fetch failed` whose cause (or an
 * AggregateError inside it, when localhost resolves to ::1 and 127.0.0.1) carries a code, and
 * `TypeError: terminated` when the server drops the connection mid-stream.
 */
export function classifyNetworkError(error: unknown): NetworkFailure | undefined {
  const codes = collectCodes(error, 0);
  if (codes.some((code) => TIMEOUT_CODES.has(code))) return 'timeout';
  if (codes.some((code) => UNREACHABLE_CODES.has(code))) return 'unreachable';
  if (error instanceof TypeError && /^(fetch failed|terminated)$/.test(error.message)) return 'unreachable';
  return undefined;
}

/** The first network error code found in the cause chain, for log lines and messages. */
export function networkErrorCode(error: unknown): string | undefined {
  return collectCodes(error, 0)[0];
}

function collectCodes(error: unknown, depth: number): string[] {
  if (depth > 5 || typeof error !== 'object' || error === null) return [];
  const codes: string[] = [];
  if ('code' in error && typeof error.code === 'string') codes.push(error.code);
  if (error instanceof AggregateError) {
    for (const inner of error.errors) codes.push(...collectCodes(inner, depth + 1));
  }
  if ('cause' in error) codes.push(...collectCodes(error.cause, depth + 1));
  return codes;
}
