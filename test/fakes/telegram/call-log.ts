// What the fake saw: every request (method, payload, time, answer) and everything it was asked
// for but does not model. `waitFor` re-checks a predicate whenever recorded state changes.
export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  /** ms since epoch when the request arrived. */
  time: number;
  /** HTTP status sent; undefined while a long poll is still open or if the client went away. */
  status: number | undefined;
  /** The response body, once sent. */
  response: Record<string, unknown> | undefined;
  /** True when the client closed the connection before an answer was sent. */
  abandoned: boolean;
}

export interface UnexpectedEntry {
  method: string;
  path: string;
  reason: string;
  time: number;
}

export function describeCall(call: RecordedCall): string {
  const status = call.abandoned ? 'abandoned' : call.status === undefined ? 'open' : String(call.status);
  const payload = JSON.stringify(call.payload);
  const shortPayload = payload.length > 160 ? `${payload.slice(0, 157)}...` : payload;
  const description = call.response?.['description'];
  return `${call.method} ${shortPayload} → ${status}${typeof description === 'string' ? ` ${description}` : ''}`;
}

export class ChangeSignal {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  /** Coalesces bursts: listeners run once per macrotask turn at most. */
  notify(): void {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const listener of [...this.listeners]) listener();
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
