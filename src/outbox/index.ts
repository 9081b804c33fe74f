export { runInEffectScope, currentEffectScope, nextEffectKey, type EffectScope } from './effect-scope.js';
export { createEffectJournal, type EffectJournal, type EffectOutcome } from './journal.js';
export { ReceiptLog, type Receipt } from './receipt-log.js';
export { outboxRows, pruneOutbox } from './outbox-repo.js';
