/** Letters and digits: what a reader sees of a text, whatever its markup. */
const CONTENT = /[\p{L}\p{N}]/u;
/** Markdown's emphasis and code marks, which the formatted message no longer has. */
const MARKS = /[*_`~]/g;

/**
 * Where `final` goes beyond what a streamed draft already showed, or undefined when it is
 * not the same text. The draft streams the model's Markdown as it arrives ("The answer is
 * **4**.") while the final message is the formatted answer ("The answer is 4."), so the two
 * are compared by their letters and digits in order: when the final one holds the draft's,
 * the answer is already on screen and only what follows (a note under it) is new.
 */
export function draftContinuation(shown: string, final: string): number | undefined {
  if (final.startsWith(shown)) return shown.length;
  const shownChars = [...shown];
  const wanted = shownChars.filter((char) => CONTENT.test(char));
  if (wanted.length === 0) return undefined;
  let matched = 0;
  let offset = 0; // UTF-16 index in `final` just past the last character compared
  for (const char of final) {
    if (matched === wanted.length) break;
    if (CONTENT.test(char)) {
      if (char !== wanted[matched]) return undefined;
      matched += 1;
    }
    offset += char.length;
  }
  if (matched < wanted.length) return undefined;
  // The draft's closing punctuation ("." after "**4**") is on screen too.
  let lastContent = shownChars.length - 1;
  while (lastContent >= 0 && !CONTENT.test(shownChars[lastContent] ?? '')) lastContent -= 1;
  const tail = shownChars.slice(lastContent + 1).join('').replace(MARKS, '').trimEnd();
  return final.startsWith(tail, offset) ? offset + tail.length : offset;
}
