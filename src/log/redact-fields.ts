import { serializeError } from './serialize-error.js';

/** What a redacted field's value becomes: the reader still sees that the field existed. */
export const REDACTED = '[redacted]';

/**
 * Field names whose values never reach a log line, at any depth: personal text (messages,
 * answers, memories, mail, request payloads) and secrets.
 */
export const REDACTED_FIELDS = new Set(
  [
    'text',
    'caption',
    'body',
    'rawBody',
    'payload',
    'content',
    'messages',
    'prompt',
    'question',
    'answer',
    'summary',
    'title',
    'memoryText',
    'emailBody',
    'token',
    'botToken',
    'apiKey',
    'password',
    'secret',
    'authorization',
    'cookie',
    'headers',
  ].map((name) => name.toLowerCase()),
);

const MAX_DEPTH = 8;

/**
 * A copy of a log call's fields with personal text and secrets replaced at any depth, and
 * every error (wherever it sits) reduced to its safe fields. The caller's objects are never
 * changed.
 */
export function redactPersonalText(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = redactValue(key, value, 0);
  return out;
}

function redactValue(key: string, value: unknown, depth: number): unknown {
  if (REDACTED_FIELDS.has(key.toLowerCase()) && value !== undefined && value !== null) return REDACTED;
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return serializeError(value);
  if (value instanceof Date) return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue('', item, depth + 1));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [inner, innerValue] of Object.entries(value)) out[inner] = redactValue(inner, innerValue, depth + 1);
  return out;
}
