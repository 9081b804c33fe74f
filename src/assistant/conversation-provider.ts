import type { ContextItem, ContextProvider, GatheredContext } from '../context/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { pastSummaries } from './conversation-repo.js';

const STOP_WORDS = new Set(
  'the and for are but not you your with this that have from was were what when where which who why how can could would should will about into our their there them they then than its it\'s just also some any all one two out has had did does been being over under more most very much such only own same too'.split(' '),
);

export function keywords(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .normalize('NFKD')
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length >= 3 && !STOP_WORDS.has(word)),
  );
}

/**
 * Summaries of past conversation threads as context: ranked by how many of the question's
 * keywords they share. Searching a few hundred summaries in process is instant.
 */
export function conversationContextProvider(db: Db, log: Logger, options: { scan: number; topK: number } = { scan: 300, topK: 3 }): ContextProvider {
  return {
    name: 'conversation',
    async gather(query: string): Promise<GatheredContext> {
      const wanted = keywords(query);
      if (wanted.size === 0) return { items: [] };
      try {
        const threads = await pastSummaries(db, options.scan);
        const items: ContextItem[] = [];
        for (const thread of threads) {
          const summary = thread.summary ?? '';
          const have = keywords(`${thread.title ?? ''} ${summary}`);
          let shared = 0;
          for (const word of wanted) if (have.has(word)) shared += 1;
          if (shared === 0) continue;
          items.push({
            source: 'conversation',
            label: `Earlier conversation${thread.title ? ` “${thread.title}”` : ''}`,
            text: summary,
            score: shared / wanted.size,
            date: thread.endedAt ?? thread.startedAt,
            ref: `thread:${thread.id}`,
          });
        }
        items.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
        return { items: items.slice(0, options.topK) };
      } catch (err) {
        log.warn({ err }, 'searching past conversations failed');
        return { items: [], note: 'Past conversations could not be searched (database error).' };
      }
    },
  };
}
