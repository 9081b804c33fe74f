import type { Turn } from './conversation-repo.js';
import { estimateTokens } from './token-budget.js';

export interface HistoryPlan {
  /** Turns that go into the request as they are, oldest first. */
  keep: Turn[];
  /** Older turns to fold into the running summary first (empty: no distillation needed). */
  fold: Turn[];
}

export function turnTokens(turn: Turn): number {
  // A few tokens of role framing per message.
  return estimateTokens(turn.content) + 4;
}

/**
 * Decides what of the unsummarized history goes into the next request. When summary plus
 * turns fit the budget, everything stays. Otherwise the newest turns that fit half the budget
 * stay and the rest are folded into the summary, so the summary has room to grow and the
 * next few turns do not trigger another distillation at once.
 */
export function planHistory(turns: Turn[], summaryTokens: number, budgetTokens: number): HistoryPlan {
  const total = turns.reduce((sum, turn) => sum + turnTokens(turn), summaryTokens);
  if (total <= budgetTokens) return { keep: turns, fold: [] };
  const keepBudget = Math.floor(budgetTokens / 2);
  let used = 0;
  let split = turns.length;
  while (split > 0) {
    const cost = turnTokens(turns[split - 1] as Turn);
    if (used + cost > keepBudget) break;
    used += cost;
    split -= 1;
  }
  // Never leave an answer without its question at the start of the kept history.
  while (split < turns.length && turns[split]?.role === 'assistant') split += 1;
  return { keep: turns.slice(split), fold: turns.slice(0, split) };
}

/** The newest turns that fit `budgetTokens`, oldest first (what a request carries after distillation). */
export function fitNewest(turns: Turn[], budgetTokens: number): Turn[] {
  let used = 0;
  let split = turns.length;
  while (split > 0) {
    const cost = turnTokens(turns[split - 1] as Turn);
    if (used + cost > budgetTokens) break;
    used += cost;
    split -= 1;
  }
  while (split < turns.length && turns[split]?.role === 'assistant') split += 1;
  return turns.slice(split);
}
