import type { LanguageModel } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import type { BoardStructure } from './board-structure.js';

export type BoardChoice = { board: string; by: 'model' } | { board: string; by: 'fallback'; reason: string };

/**
 * Asks the local model which board a task belongs on. The answer is only trusted when
 * it names a board of the structure; otherwise, or when the model is unreachable, the
 * first board is used and the caller offers buttons to correct it.
 */
export async function chooseBoard(llm: LanguageModel, structure: BoardStructure, title: string, log: Logger): Promise<BoardChoice> {
  const names = structure.boards.map((board) => board.name);
  const fallback = names[0] ?? 'Inbox';
  try {
    const result = await llm.chat({
      messages: [
        {
          role: 'system',
          content: `You sort tasks onto boards by life domain. Boards: ${names.join(', ')}. Answer with the board name only, nothing else.`,
        },
        { role: 'user', content: title },
      ],
    });
    const answer = result.content.toLowerCase();
    const picked = names
      .map((name) => ({ name, at: answer.indexOf(name.toLowerCase()) }))
      .filter((candidate) => candidate.at >= 0)
      .sort((a, b) => a.at - b.at)[0];
    if (picked) return { board: picked.name, by: 'model' };
    return { board: fallback, by: 'fallback', reason: 'the model named no board' };
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, 'board choice by the local model failed');
    return { board: fallback, by: 'fallback', reason: 'the local model is unavailable' };
  }
}
