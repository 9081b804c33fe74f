/**
 * The fields of an error that help to understand it and never carry personal text: grammY's
 * `payload` (the message being sent), request bodies, responses and headers are left out.
 * Nested errors (`cause`, grammY's HttpError `error`, AggregateError `errors`) are serialized
 * the same way, a few levels deep.
 */
const KEPT_FIELDS = ['type', 'code', 'errno', 'syscall', 'status', 'statusCode', 'error_code', 'description', 'method', 'kind', 'provider', 'model', 'hint', 'operation'] as const;
const NESTED_FIELDS = ['cause', 'error'] as const;
const MAX_DEPTH = 4;

export type SerializedError = { [key: string]: string | number | boolean | SerializedError | SerializedError[] | undefined };

/** Serializes what was logged as `err`: an Error, an error-like object, or a plain message. */
export function serializeError(value: unknown): unknown {
  if (typeof value === 'string') return value;
  return serializeNested(value, 0);
}

function serializeNested(value: unknown, depth: number): SerializedError {
  if (typeof value !== 'object' || value === null) return { message: String(value) };
  const fields = value as Record<string, unknown>;
  const out: SerializedError = {};
  const name = value instanceof Error ? value.name : fields['name'];
  if (typeof name === 'string') out.type = name;
  if (typeof fields['message'] === 'string') out.message = fields['message'];
  for (const key of KEPT_FIELDS) {
    const field = fields[key];
    if (key === 'type' && out.type !== undefined) continue;
    if (typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean') out[key] = field;
  }
  if (typeof fields['stack'] === 'string') out.stack = fields['stack'];
  if (depth >= MAX_DEPTH) return out;
  for (const key of NESTED_FIELDS) {
    const nested = fields[key];
    if (typeof nested === 'object' && nested !== null) out[key] = serializeNested(nested, depth + 1);
  }
  const errors = fields['errors'];
  if (Array.isArray(errors)) out.errors = errors.slice(0, 5).map((inner) => serializeNested(inner, depth + 1));
  return out;
}
