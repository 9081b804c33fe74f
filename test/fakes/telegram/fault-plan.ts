// Injected failures: the next N calls of a method answer with a given Telegram error instead of
// running the method. 429s carry parameters.retry_after like the real server.
import { TelegramApiError, tooManyRequests } from './api-error.js';

export interface InjectedError {
  error_code: number;
  description: string;
  retry_after?: number;
}

interface Planned {
  error: TelegramApiError;
  remaining: number;
}

export class FaultPlan {
  private readonly planned = new Map<string, Planned[]>();

  add(method: string, error: TelegramApiError, times: number): void {
    if (times <= 0) return;
    const key = method.toLowerCase();
    const list = this.planned.get(key) ?? [];
    list.push({ error, remaining: times });
    this.planned.set(key, list);
  }

  failNext(method: string, injected: InjectedError, times: number): void {
    const parameters = injected.retry_after === undefined ? undefined : { retry_after: injected.retry_after };
    this.add(method, new TelegramApiError(injected.error_code, injected.description, parameters), times);
  }

  rateLimit(method: string, retryAfterSeconds: number, times: number): void {
    this.add(method, tooManyRequests(retryAfterSeconds), times);
  }

  /** The error to answer this call with, if one is planned. */
  take(method: string): TelegramApiError | undefined {
    const list = this.planned.get(method.toLowerCase());
    const first = list?.[0];
    if (list === undefined || first === undefined) return undefined;
    first.remaining--;
    if (first.remaining <= 0) list.shift();
    return first.error;
  }
}
