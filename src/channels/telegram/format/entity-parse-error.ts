/**
 * True when Telegram rejected a message's HTML/Markdown entities, i.e. a
 * `GrammyError` (checked structurally, so this module stays SDK-free) with
 * `error_code` 400 and a description starting "Bad Request: can't parse
 * entities". Callers resend the plain-text fallback in that case. Never throws.
 */
export function isEntityParseError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = 'error_code' in err ? err.error_code : undefined;
  const description = 'description' in err ? err.description : undefined;
  return (
    code === 400 &&
    typeof description === 'string' &&
    description.startsWith("Bad Request: can't parse entities")
  );
}
