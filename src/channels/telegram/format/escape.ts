const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/**
 * Escapes text for Telegram's HTML parse mode. `"` is escaped too, so the
 * result is safe both as element text and inside a double-quoted attribute
 * (`&quot;` is one of the four named entities Telegram accepts). Never throws.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}
