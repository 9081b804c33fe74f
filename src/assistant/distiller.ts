import type { LanguageModel } from '../llm/index.js';
import type { Turn } from './conversation-repo.js';

/** Marks the distillation request, so it reads as what it is in logs and fakes. */
export const DISTILL_INSTRUCTION =
  'You condense a conversation between the owner and Z, their assistant, into a running summary. ' +
  'Keep facts, decisions, commitments, open questions, names, dates and numbers; drop small talk. ' +
  'Write plain sentences in the third person ("The owner ..."). Output only the summary.';

/**
 * Folds turns into a thread's running summary with the local model. Throws LlmError when the
 * model cannot answer; the caller decides what that means for the turn.
 */
export async function distill(llm: LanguageModel, previous: string | null, turns: Turn[], maxTokens: number): Promise<string> {
  const words = Math.max(30, Math.floor(maxTokens * 0.7));
  const transcript = turns.map((turn) => `${turn.role === 'user' ? 'Owner' : 'Z'}: ${turn.content}`).join('\n\n');
  const user = [
    previous ? `Summary so far:\n${previous}` : 'Summary so far: (none)',
    `New messages:\n${transcript}`,
    `Write the updated summary in at most ${words} words.`,
  ].join('\n\n');
  const result = await llm.chat({ messages: [{ role: 'system', content: DISTILL_INSTRUCTION }, { role: 'user', content: user }] });
  const text = result.content.trim();
  const limit = Math.max(120, maxTokens * 4);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Used when the local model is away at /new: the owner's own lines, so the thread stays findable. */
export function extractiveSummary(previous: string | null, turns: Turn[], maxChars = 800): string {
  const asked = turns.filter((turn) => turn.role === 'user').map((turn) => turn.content.replace(/\s+/g, ' ').trim());
  const text = [previous ?? '', asked.length > 0 ? `The owner said: ${asked.join(' / ')}` : ''].filter(Boolean).join(' ');
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
