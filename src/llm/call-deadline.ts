/** Why a call's AbortSignal fired. */
export type AbortCause = 'connect-timeout' | 'request-timeout' | 'caller';

export interface CallDeadline {
  /** Fires on either timeout or when the caller aborts. */
  readonly signal: AbortSignal;
  /** Set once the signal has fired; undefined while the call is alive. */
  readonly cause: AbortCause | undefined;
  /** Response headers arrived: the connect timeout no longer applies. */
  headersArrived(): void;
  /** Clears the timers and aborts whatever is still in flight (a body nobody will read). */
  dispose(): void;
}

export interface CallDeadlineOptions {
  /** No response headers within this → abort with 'connect-timeout'. Omit for no such limit. */
  connectTimeoutMs?: number;
  /** The whole call, stream included, within this → else abort with 'request-timeout'. */
  requestTimeoutMs: number;
  callerSignal?: AbortSignal | undefined;
}

/**
 * One AbortController per model call that remembers which limit fired, so an AbortError
 * surfacing from deep inside an SDK can be reported as the right timeout (or as the caller's abort).
 */
export function startCallDeadline(options: CallDeadlineOptions): CallDeadline {
  const controller = new AbortController();
  let cause: AbortCause | undefined;
  const abort = (why: AbortCause): void => {
    if (cause !== undefined) return;
    cause = why;
    controller.abort(new Error(`llm call aborted: ${why}`));
  };

  const onCallerAbort = (): void => abort('caller');
  const callerSignal = options.callerSignal;
  if (callerSignal?.aborted) abort('caller');
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  let connectTimer: NodeJS.Timeout | undefined =
    options.connectTimeoutMs === undefined
      ? undefined
      : setTimeout(() => abort('connect-timeout'), options.connectTimeoutMs);
  const requestTimer = setTimeout(() => abort('request-timeout'), options.requestTimeoutMs);

  return {
    signal: controller.signal,
    get cause() {
      return cause;
    },
    headersArrived() {
      clearTimeout(connectTimer);
      connectTimer = undefined;
    },
    dispose() {
      clearTimeout(connectTimer);
      clearTimeout(requestTimer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (!controller.signal.aborted) controller.abort(new Error('llm call finished'));
    },
  };
}
