export { createAssistantFeature, type AssistantDeps } from './assistant-feature.js';
export { conversationContextProvider } from './conversation-provider.js';
export { estimateTokens, tokenBudget, type TokenBudget } from './token-budget.js';
export { planHistory, fitNewest, type HistoryPlan } from './history-window.js';
export { DeepThinkPayload, buildDeepThinkPayload, sha256 } from './deep-think-payload.js';
export type { PersonaPaths } from './system-prompt.js';
export { Z_VOICE, type Voice } from './voice.js';
