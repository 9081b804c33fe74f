/**
 * Tool-call arguments as the port promises them: parsed JSON when it parses, else the raw text
 * (so the caller can tell the model its arguments were malformed). Empty text means "no arguments".
 */
export function parseToolArguments(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? {};
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed;
  } catch {
    return raw;
  }
}

/** Arguments as a JSON object for APIs that only take objects; anything else becomes {}. */
export function argumentsAsObject(value: unknown): Record<string, unknown> {
  const parsed = parseToolArguments(value);
  return isRecord(parsed) ? parsed : {};
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
