import type { Db } from '../db/index.js';
import { memoriesContaining } from './memories-repo.js';
import type { MemoryHit } from './memory-types.js';
import { wordScore } from './word-match.js';

/**
 * Live memories matched by the query's words (share of words found), best first: for
 * memories the model has not embedded yet (`onlyUnembedded`), or all of them when the
 * model is unavailable.
 */
export async function wordHits(
  db: Db,
  request: { words: readonly string[]; now: Date; limit: number; minScore: number | undefined; onlyUnembedded: boolean },
): Promise<MemoryHit[]> {
  const { words, now, limit, minScore, onlyUnembedded } = request;
  if (words.length === 0) return [];
  const candidates = await memoriesContaining(db, words, now, 500, onlyUnembedded);
  return candidates
    .map((memory): MemoryHit => ({ memory, score: wordScore(words, memory.text), match: 'words' }))
    .filter((hit) => hit.score > 0 && hit.score >= (minScore ?? 0))
    .sort((a, b) => b.score - a.score || b.memory.createdAt.getTime() - a.memory.createdAt.getTime())
    .slice(0, limit);
}
