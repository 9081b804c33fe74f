import type { Transformer } from 'grammy';

/** An unpaired UTF-16 surrogate. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const REPLACEMENT = '\ufffd';

/**
 * Telegram answers 400 "text must be encoded in UTF-8" to a string holding an
 * unpaired surrogate, and jsonb (where the journal keeps what was sent) refuses
 * those and NUL. A reply that quotes the owner's odd text (or a model's echo of it)
 * must still go out, so every string argument has them replaced by U+FFFD: one
 * UTF-16 unit for one, so entity offsets stay right.
 */
export function wellFormedTransformer(): Transformer {
  return (prev, method, payload, signal) => prev(method, wellFormed(payload), signal);
}

export function wellFormed<T>(value: T): T {
  return clean(value) as T;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, REPLACEMENT).replaceAll('\0', REPLACEMENT);
  if (Array.isArray(value)) return value.map(clean);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, clean(inner)]));
  }
  // InputFile and other class instances pass through untouched.
  return value;
}
