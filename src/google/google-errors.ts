/**
 * What a Google failure means for us, decided in one place:
 * - `auth-revoked`: the refresh token was revoked or expired (`invalid_grant`), or Google keeps
 *   refusing our credentials; nothing works until the owner reconnects.
 * - `rate-limited`: 429, or 403 with a rate-limit reason; wait (Retry-After when given) and grow.
 * - `not-found` / `gone`: 404 / 410, expected outcomes callers handle (history too old, sync token).
 * - `failed`: anything else (5xx, network); the next poll tries again.
 */
export type GoogleErrorKind = 'auth-revoked' | 'rate-limited' | 'not-found' | 'gone' | 'failed';

export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  readonly kind: GoogleErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly operation: string;

  constructor(operation: string, kind: GoogleErrorKind, message: string, options: { status?: number | undefined; retryAfterMs?: number | undefined; cause?: unknown } = {}) {
    super(`${operation}: ${message}`, { cause: options.cause });
    this.operation = operation;
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded']);

interface ErrorShape {
  message?: unknown;
  code?: unknown;
  status?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

/** Turns whatever gaxios / google-auth-library threw into a GoogleApiError (never throws itself). */
export function classifyGoogleError(operation: string, err: unknown, now: Date = new Date()): GoogleApiError {
  if (err instanceof GoogleApiError) return err;
  const shape = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  const status = typeof shape.response?.status === 'number' ? shape.response.status : typeof shape.status === 'number' ? shape.status : undefined;
  const data = shape.response?.data;
  const message = typeof shape.message === 'string' ? shape.message : String(err);
  const tokenError = typeof data === 'object' && data !== null && 'error' in data && typeof data.error === 'string' ? data.error : undefined;
  if (tokenError === 'invalid_grant' || message === 'invalid_grant' || /\binvalid_grant\b/.test(message)) {
    return new GoogleApiError(operation, 'auth-revoked', 'Google refused the stored refresh token (invalid_grant: revoked or expired)', { status, cause: err });
  }
  if (tokenError === 'invalid_client' || tokenError === 'unauthorized_client') {
    return new GoogleApiError(operation, 'auth-revoked', `Google refused the OAuth client (${tokenError})`, { status, cause: err });
  }
  const reasons = apiErrorReasons(data);
  const retryAfterMs = parseRetryAfter(headerValue(shape.response?.headers, 'retry-after'), now);
  if (status === 429 || (status === 403 && reasons.some((reason) => RATE_LIMIT_REASONS.has(reason)))) {
    return new GoogleApiError(operation, 'rate-limited', `rate limited (${status}${reasons.length > 0 ? ` ${reasons.join(',')}` : ''})`, { status, retryAfterMs, cause: err });
  }
  if (status === 401) return new GoogleApiError(operation, 'auth-revoked', 'Google refused the credentials (401) even after a token refresh', { status, cause: err });
  if (status === 404) return new GoogleApiError(operation, 'not-found', 'not found (404)', { status, cause: err });
  if (status === 410) return new GoogleApiError(operation, 'gone', 'gone (410)', { status, cause: err });
  return new GoogleApiError(operation, 'failed', status ? `HTTP ${status}${reasons.length > 0 ? ` ${reasons.join(',')}` : ''}` : networkMessage(message), { status, cause: err });
}

/** The `errors[].reason` values of a Google API error body `{error:{code,message,status,errors:[{reason}]}}`. */
function apiErrorReasons(data: unknown): string[] {
  if (typeof data !== 'object' || data === null || !('error' in data)) return [];
  const error = data.error;
  if (typeof error !== 'object' || error === null || !('errors' in error) || !Array.isArray(error.errors)) return [];
  return error.errors.flatMap((item: unknown) => (typeof item === 'object' && item !== null && 'reason' in item && typeof item.reason === 'string' ? [item.reason] : []));
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  // gaxios 7 hands a fetch Headers object (possibly undici's own class, so no instanceof); older ones a record.
  if ('get' in headers && typeof headers.get === 'function') {
    const value: unknown = headers.get(name);
    return typeof value === 'string' ? value : undefined;
  }
  {
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function networkMessage(message: string): string {
  // Gaxios messages may carry the request URL; keep only the first line, without query strings.
  return (message.split('\n')[0] ?? message).replace(/\?[^\s]*/g, '?…').slice(0, 200);
}
