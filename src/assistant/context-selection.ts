import type { ContextItem, ContextProvider } from '../context/index.js';
import type { Logger } from '../log/index.js';
import type { TurnUsage } from './conversation-repo.js';

export interface SelectedContext {
  items: ContextItem[];
  notes: string[];
}

export interface SelectionOptions {
  topK: number;
  /** Items with a score below this are left out; items without a score are kept. */
  minScore: number;
  /** A provider slower than this is skipped for this turn (it never blocks an answer). */
  timeoutMs: number;
}

/** Asks every provider at once and keeps the best items above the threshold. */
export async function selectContext(
  providers: ContextProvider[],
  query: string,
  purpose: 'chat' | 'deep-think',
  options: SelectionOptions,
  log: Logger,
): Promise<SelectedContext> {
  const gathered = await Promise.all(
    providers.map(async (provider) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), options.timeoutMs);
      });
      try {
        const result = await Promise.race([provider.gather(query, purpose), timeout]);
        if (result === undefined) log.warn({ provider: provider.name, timeoutMs: options.timeoutMs }, 'context provider too slow; skipped');
        return result;
      } catch (err) {
        // The port promises never to throw; a provider that does is skipped, not fatal.
        log.warn({ err, provider: provider.name }, 'context provider failed');
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const items = gathered
    .flatMap((result) => result?.items ?? [])
    .filter((item) => item.score === undefined || item.score >= options.minScore)
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
    .slice(0, options.topK);
  const notes = gathered.flatMap((result) => (result?.note ? [result.note] : []));
  return { items, notes };
}

export function usageOf(items: ContextItem[], tools: string[], speaker?: string): TurnUsage {
  return {
    ...(speaker !== undefined ? { speaker } : {}),
    items: items.map((item) => ({
      source: item.source,
      label: item.label,
      ...(item.ref !== undefined ? { ref: item.ref } : {}),
      ...(item.score !== undefined ? { score: Math.round(item.score * 1000) / 1000 } : {}),
      ...(item.date ? { date: item.date.toISOString() } : {}),
      ...(item.author !== undefined ? { author: item.author } : {}),
    })),
    tools: [...new Set(tools)],
  };
}
