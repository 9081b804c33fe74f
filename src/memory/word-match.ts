/**
 * Matching by words, for memories the embedding model cannot search yet (it is missing, or has
 * not embedded them). Honest and simple: a memory scores the share of the query's content words
 * it contains, so "dentist" finds "My dentist is Dr. Smith" but "tooth doctor" does not.
 */

const STOP_WORDS = new Set([
  'the', 'and', 'for', 'are', 'was', 'were', 'that', 'this', 'with', 'what', 'when', 'where', 'who', 'whom', 'which', 'how', 'why',
  'you', 'your', 'yours', 'mine', 'our', 'ours', 'his', 'her', 'hers', 'its', 'they', 'them', 'their', 'have', 'has', 'had',
  'does', 'did', 'can', 'could', 'would', 'should', 'will', 'shall', 'may', 'might', 'must', 'not', 'but', 'from', 'into', 'about',
  'there', 'here', 'then', 'than', 'some', 'any', 'all', 'just', 'tell', 'know', 'remember', 'please', 'again',
]);

/** Distinct content words of a query (lower case, at least 3 characters, possessives dropped), at most 12. */
export function queryWords(query: string): string[] {
  const words = (query.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [])
    .map((word) => word.replace(/['’]s$/u, '').replace(/['’]/gu, ''))
    .filter((word) => word.length >= 3 && !STOP_WORDS.has(word));
  return [...new Set(words)].slice(0, 12);
}

/** Share (0–1) of `words` that occur in `text` as a whole word or a word's start ("dentist" in "dentists"). */
export function wordScore(words: readonly string[], text: string): number {
  if (words.length === 0) return 0;
  const textWords = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  let found = 0;
  for (const word of words) {
    if (textWords.some((candidate) => candidate === word || (word.length >= 4 && candidate.startsWith(word)) || (candidate.length >= 4 && word.startsWith(candidate)))) found += 1;
  }
  return found / words.length;
}
