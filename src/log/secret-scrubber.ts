/** What a secret value becomes in a log line. */
export const SECRET_CENSOR = '[secret]';

/**
 * Returns a function that replaces every given secret value in a string, in each form it can
 * take in a JSON log line: as is, JSON-escaped (a quote or backslash in a password), and
 * percent-encoded (a token inside a URL). Empty values are ignored; longer values are replaced
 * first, so a secret that contains another is never left half-visible.
 */
export function createSecretScrubber(secrets: readonly string[]): (line: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(encodeURIComponent(secret)).slice(1, -1));
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (line) => line;
  const pattern = new RegExp(ordered.map(escapeRegExp).join('|'), 'g');
  return (line) => line.replace(pattern, SECRET_CENSOR);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
