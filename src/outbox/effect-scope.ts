import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The unit of work whose side effects are journaled (a Telegram update, a routine
 * run). Effects inside it are numbered in the order they happen, so a replay of
 * the same work after a crash meets its earlier effects under the same numbers.
 */
export interface EffectScope {
  /** Stable idempotency key, e.g. `update:123` or `job:morning:2026-11-22`. */
  readonly key: string;
  next: number;
  /** Set when a replay took a different path; the rest of the scope runs unjournaled. */
  diverged: boolean;
}

const storage = new AsyncLocalStorage<EffectScope>();

export function runInEffectScope<T>(key: string, work: () => Promise<T>): Promise<T> {
  return storage.run({ key, next: 0, diverged: false }, work);
}

export function currentEffectScope(): EffectScope | undefined {
  return storage.getStore();
}

/**
 * Reserves the next effect number in the current scope; other features (tool
 * calls, card writes) use `${scope.key}#${seq}` as their idempotency key.
 */
export function nextEffectKey(label: string): string | undefined {
  const scope = storage.getStore();
  if (!scope) return undefined;
  const seq = scope.next;
  scope.next += 1;
  return `${scope.key}#${seq}:${label}`;
}
