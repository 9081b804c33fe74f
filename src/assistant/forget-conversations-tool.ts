import { z } from 'zod';
import type { Db } from '../db/index.js';
import type { Tool } from '../tools/index.js';
import { eraseTextCopies, eraseUpdateCopies } from '../forgetting/index.js';
import { erasePastThreads, pastThreadsToErase } from './conversation-repo.js';

/** What an approved erase stores: exactly the threads the owner was shown. */
const EraseTarget = z.object({ threadIds: z.array(z.number().int()) });

const Args = z
  .object({
    before: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
      .optional()
      .describe('Only conversations that ended before this day (YYYY-MM-DD). Leave out to erase every past conversation.'),
  })
  .strict();
type Args = z.infer<typeof Args>;

/**
 * L2: permanently erases past conversation threads (their messages and summaries; the current
 * thread stays), with the copies the spine kept: the updates in the inbox, the replies in the
 * outbox, and quotes in approvals and audit. It cannot be undone and it deletes the owner's own
 * records, so the model may only ask for it: it runs after the owner taps Approve, unless the
 * owner allowed it with `/policy allow forget_past_conversations`. The request names exactly the
 * threads it will erase (their ids, how many messages); approving erases those, not any that ended since.
 */
export function forgetConversationsTool(db: Db): Tool<Args> {
  return {
    name: 'forget_past_conversations',
    description:
      'Permanently erase stored past conversations with the owner (their messages and summaries; the current conversation stays). ' +
      'Only when the owner explicitly asks to delete or forget past conversations.',
    tier: 'L2',
    args: Args,
    describe: ({ before }, object) =>
      object
        ? 'Permanently erase these past conversations (messages and summaries). This cannot be undone'
        : before
        ? `Permanently erase past conversations that ended before ${before} (messages and summaries). This cannot be undone.`
        : 'Permanently erase all past conversations (messages and summaries; the current one stays). This cannot be undone.',
    resolve: async ({ before }) => {
      const found = await pastThreadsToErase(db, cutoffOf(before));
      if (found.ids.length === 0) return { ok: false, error: 'There are no past conversations to erase.' };
      const { ids, turns, firstEnded, lastEnded } = found;
      const day = (date: Date | null): string => date?.toISOString().slice(0, 10) ?? '?';
      return {
        ok: true,
        object: {
          id: ids.length <= 6 ? ids.map((id) => `#${id}`).join(', ') : `#${ids[0]}…#${ids[ids.length - 1]}`,
          title: `${ids.length} past conversation${ids.length === 1 ? '' : 's'}, ${turns} messages`,
          where: firstEnded && day(firstEnded) !== day(lastEnded) ? `ended ${day(firstEnded)} to ${day(lastEnded)}` : `ended ${day(lastEnded)}`,
          ref: { threadIds: ids },
        },
      };
    },
    run: async ({ before }, ctx) => {
      const exact = ctx.object ? EraseTarget.parse(ctx.object.ref).threadIds : undefined;
      const erased = await db.transaction().execute(async (trx) => {
        const result = await erasePastThreads(trx, cutoffOf(before), exact);
        // The updates that carried those messages, the replies sent to them, and quotes elsewhere.
        const updateIds = result.erased.flatMap((turn) => {
          const match = /^update:(\d+)#/.exec(turn.originKey ?? '');
          return match ? [Number(match[1])] : [];
        });
        await eraseUpdateCopies(trx, updateIds);
        await eraseTextCopies(trx, [...result.erased.map((turn) => turn.content), ...result.summaries]);
        return result;
      });
      const text =
        erased.threads === 0
          ? 'There were no past conversations to erase.'
          : `Erased ${erased.threads} past conversation${erased.threads === 1 ? '' : 's'} (${erased.turns} messages).`;
      return { content: text, summary: text };
    },
  };
}

function cutoffOf(before: string | undefined): Date | undefined {
  return before ? new Date(`${before}T00:00:00Z`) : undefined;
}
