import type { ContextProvider, ContextItem } from '../context/index.js';
import type { Logger } from '../log/index.js';
import { clipText, memoryDate } from './memory-format.js';
import type { MemoryService } from './memory-service.js';

/** Memories offered as chat context: at most this many, at least this similar. */
export const CONTEXT_LIMIT = 5;
export const CONTEXT_MIN_SCORE = 0.3;

/** The `memory` context provider: relevant memories with their dates. Never throws. */
export function memoryContextProvider(service: MemoryService, timeZone: string, log: Logger): ContextProvider {
  return {
    name: 'memory',
    async gather(query) {
      if (query.trim() === '') return { items: [] };
      try {
        const { hits, note } = await service.search(query, { limit: CONTEXT_LIMIT, minScore: CONTEXT_MIN_SCORE });
        const items = hits.map((hit): ContextItem => {
          const date = memoryDate(hit.memory.createdAt, timeZone);
          return {
            source: 'memory',
            label: `Memory (${date}${hit.match === 'words' ? ', matched by words' : ''}): ${clipText(hit.memory.text, 60)}`,
            text: `(remembered ${date}) ${hit.memory.text}`,
            score: hit.score,
            date: hit.memory.createdAt,
            ref: hit.memory.id,
            ...(hit.memory.author !== null ? { author: hit.memory.author } : {}),
          };
        });
        return note === undefined ? { items } : { items, note };
      } catch (error) {
        log.warn({ err: error }, 'memory context failed');
        return { items: [], note: `Memories were not used: ${error instanceof Error ? error.message : String(error)}` };
      }
    },
  };
}
