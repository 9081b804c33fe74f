import { z } from 'zod';
import type { Tool, ToolRegistry } from '../tools/index.js';
import { clipText, memoryDate, shortId } from './memory-format.js';
import type { MemoryService } from './memory-service.js';

const FORGET_UNDO = 'forget_memory';
const RESTORE_UNDO = 'restore_memory';

const restorePayload = z.object({
  id: z.string(),
  previous: z.object({ text: z.string(), source: z.enum(['command', 'chat', 'email', 'routine']), sourceRef: z.string().nullable(), expiresAt: z.string().nullable() }),
});

/** `remember` (L1, Undo forgets it or restores the wording it replaced) and `search_memory` (L0). */
export function registerMemoryTools(registry: ToolRegistry, service: MemoryService, timeZone: string): void {
  const remember: Tool<{ text: string; expires_in_days?: number | undefined }> = {
    name: 'remember',
    description:
      'Store a lasting fact the owner wants remembered ("remember that …"). Write it as a self-contained sentence. ' +
      'Near-duplicates update the existing memory. Optional expires_in_days for things that stop mattering.',
    tier: 'L1',
    args: z.object({ text: z.string().trim().min(1).max(4000), expires_in_days: z.number().int().min(1).max(3650).optional() }).strict(),
    describe: ({ text }) => `Remember: ${clipText(text, 80)}`,
    run: async ({ text, expires_in_days }, ctx) => {
      const expiresAt = expires_in_days === undefined ? null : new Date(service.now().getTime() + expires_in_days * 86_400_000);
      const outcome = await service.add({ text, source: 'chat', sourceRef: ctx.idempotencyKey, author: ctx.actor ?? 'Z', expiresAt });
      if (outcome.kind === 'added') {
        const waiting = outcome.notSearchable === undefined ? '' : ` It is saved but not searchable yet (${outcome.notSearchable}); it becomes searchable by itself once the embedding model loads.`;
        return {
          content: `Remembered (id ${shortId(outcome.memory.id)}).${waiting}`,
          summary: `Remembered: ${clipText(text, 80)}`,
          undo: { kind: FORGET_UNDO, payload: { id: outcome.memory.id }, label: 'Forget it' },
        };
      }
      const { previous } = outcome;
      return {
        content: `Updated an existing memory instead of adding a near-duplicate (${Math.round(outcome.similarity * 100)}% similar). It said: ${previous.text}`,
        summary: `Updated a memory: ${clipText(text, 80)}`,
        undo: {
          kind: RESTORE_UNDO,
          payload: { id: previous.id, previous: { text: previous.text, source: previous.source, sourceRef: previous.sourceRef, expiresAt: previous.expiresAt?.toISOString() ?? null } },
          label: 'Restore the previous wording',
        },
      };
    },
  };

  const search: Tool<{ query: string; limit?: number | undefined }> = {
    name: 'search_memory',
    description: "Search the owner's memories by meaning. Returns the best matches with date, score and id.",
    tier: 'L0',
    args: z.object({ query: z.string().trim().min(1).max(1000), limit: z.number().int().min(1).max(10).optional() }).strict(),
    describe: ({ query }) => `Search memories for “${clipText(query, 60)}”`,
    run: async ({ query, limit }) => {
      const { hits, note } = await service.search(query, { limit: limit ?? 5, minScore: 0.2 });
      const lines = hits.map(
        (hit) => `[${memoryDate(hit.memory.createdAt, timeZone)}, ${hit.match === 'meaning' ? `score ${hit.score.toFixed(2)}` : 'matched by words'}, id ${shortId(hit.memory.id)}] ${hit.memory.text}`,
      );
      return { content: [note, lines.length === 0 ? 'No memory matches.' : lines.join('\n')].filter(Boolean).join('\n') };
    },
  };

  registry.register(remember);
  registry.register(search);
  registry.registerUndo(FORGET_UNDO, async (payload) => {
    const { id } = z.object({ id: z.string() }).parse(payload);
    return (await service.forget(id)) ? 'Forgot it again.' : 'It was already gone.';
  });
  registry.registerUndo(RESTORE_UNDO, async (payload) => {
    const { id, previous } = restorePayload.parse(payload);
    const restored = await service.restore(id, { ...previous, expiresAt: previous.expiresAt === null ? null : new Date(previous.expiresAt) });
    return restored ? 'The memory has its previous wording again.' : 'That memory is gone; nothing to restore.';
  });
}
