export { runInEffectScope, currentEffectScope, nextEffectKey, type EffectScope } from './effect-scope.js';
export { createEffectJournal, type EffectJournal, type EffectOutcome } from './journal.js';
export { countPendingEffects, pruneOutbox } from './outbox-repo.js';
