/**
 * Splits an exact request body into pages that Telegram shows without changing a byte: each page
 * stays well under Telegram's 4096-character limit, never ends or starts with whitespace (Telegram
 * trims a message's edges) and never cuts a surrogate pair. Joined in order, the pages are the
 * body again, byte for byte.
 */
export const PAGE_CHARACTERS = 3_500;

export function pageBody(body: string, size = PAGE_CHARACTERS): string[] {
  const pages: string[] = [];
  let start = 0;
  while (start < body.length) {
    let end = Math.min(body.length, start + size);
    if (end < body.length) {
      let cut = end;
      while (cut > start + 1 && !safeCut(body, cut)) cut -= 1;
      // A run of whitespace longer than a page has no safe cut: keep the page as it is.
      if (cut > start + 1) end = cut;
    }
    pages.push(body.slice(start, end));
    start = end;
  }
  return pages;
}

function safeCut(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  const splitsPair = (before >= 0xd800 && before <= 0xdbff) || (after >= 0xdc00 && after <= 0xdfff);
  return !splitsPair && !/\s/.test(text.charAt(at - 1)) && !/\s/.test(text.charAt(at));
}
