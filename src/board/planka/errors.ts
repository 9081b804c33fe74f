/** What went wrong talking to Planka, coarse enough for a caller to decide what to do. */
export type PlankaErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'invalid'
  | 'conflict'
  | 'server';

export interface PlankaErrorContext {
  kind: PlankaErrorKind;
  /** Client operation name, e.g. `createCard`. */
  operation: string;
  /** HTTP status when Planka answered at all. */
  status?: number;
  /** Planka's `code` field (`E_NOT_FOUND`, `E_MISSING_OR_INVALID_PARAMS`, …). */
  code?: string;
  /** Planka's `problems` list on a 400. */
  problems?: readonly string[];
  cause?: unknown;
}

/**
 * Every failure of the Planka client. `retryable` is true only for network trouble,
 * timeouts, 5xx and 429: everything else will fail the same way again.
 */
export class PlankaError extends Error {
  override readonly name = 'PlankaError';
  readonly kind: PlankaErrorKind;
  readonly operation: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly problems: readonly string[];
  readonly retryable: boolean;

  constructor(message: string, context: PlankaErrorContext) {
    super(`planka ${context.operation}: ${message}`, { cause: context.cause });
    this.kind = context.kind;
    this.operation = context.operation;
    this.status = context.status;
    this.code = context.code;
    this.problems = context.problems ?? [];
    this.retryable = isRetryable(context.kind, context.status);
  }
}

function isRetryable(kind: PlankaErrorKind, status: number | undefined): boolean {
  if (kind === 'unreachable' || kind === 'timeout') return true;
  if (status === undefined) return false;
  return status === 429 || status >= 500;
}

/** Maps an HTTP error status to a kind; 429 and 5xx are `server` (and retryable). */
export function kindForStatus(status: number): PlankaErrorKind {
  switch (status) {
    case 400:
    case 422:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    default:
      return status === 429 || status >= 500 ? 'server' : 'invalid';
  }
}
