/** A rough token count (≈ 4 characters per token): good enough to budget a context window. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface TokenBudget {
  /** Tokens the answer may take. */
  answer: number;
  /** Tokens left for the running summary plus recent turns. */
  history: number;
}

/**
 * Splits OLLAMA_NUM_CTX between what every request must carry (system prompt with context,
 * tool schemas, the new message), room for the answer, and the history that fills the rest.
 */
export function tokenBudget(numCtx: number, fixedTokens: number): TokenBudget {
  const answer = Math.min(1024, Math.floor(numCtx / 4));
  return { answer, history: Math.max(0, numCtx - answer - fixedTokens) };
}
