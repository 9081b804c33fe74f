export type LlmErrorKind = 'unreachable' | 'timeout' | 'model-missing' | 'bad-response' | 'rejected' | 'aborted';

export interface LlmErrorInit {
  kind: LlmErrorKind;
  provider: string;
  model: string;
  /** What happened, in one line. */
  message: string;
  /** What the owner can do about it, naming the setting to change. */
  hint: string;
  /** HTTP status when the server answered with an error. */
  status?: number;
  cause?: unknown;
}

/**
 * The only error a LanguageModel throws. `kind` drives the caller's decision (retry, tell the
 * owner, fall back); `hint` is the fix in words, ready to show.
 */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly kind: LlmErrorKind;
  readonly provider: string;
  readonly model: string;
  readonly hint: string;
  readonly status: number | undefined;

  constructor(init: LlmErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.provider = init.provider;
    this.model = init.model;
    this.hint = init.hint;
    this.status = init.status;
  }

  /** Worth trying again later: the server was away, slow, overloaded or rate limiting. */
  get retryable(): boolean {
    if (this.kind === 'unreachable' || this.kind === 'timeout') return true;
    return this.status === 429 || (this.status !== undefined && this.status >= 500 && this.status !== 501);
  }
}
