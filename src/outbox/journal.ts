import type { Logger } from '../log/index.js';
import { currentEffectScope } from './effect-scope.js';
import type { Receipt, ReceiptLog } from './receipt-log.js';

/** What a journaled call reports back: success with a result to keep, or a failure description. */
export type EffectOutcome<T> = { ok: true; value: T; result: unknown } | { ok: false; value: T; error: string };

export interface EffectJournal {
  /**
   * Runs `perform` at most once per (scope, seq) as far as this machine can know.
   * A replay of a confirmed effect returns `replay(storedResult)` without calling
   * `perform`. An effect whose outcome is unknown (the process died between the
   * call and its receipt) is performed again and logged: the remote side
   * (Telegram) offers no idempotency key, so that is the one case a duplicate is
   * possible. Outside a scope, `perform` just runs.
   */
  run<T>(
    effect: { method: string; chatId: number | null; payload: unknown },
    perform: () => Promise<EffectOutcome<T>>,
    replay: (storedResult: unknown) => T,
  ): Promise<T>;
  /** Confirmed calls of a scope, for the outbox table when the work finishes. */
  receiptsOf(scope: string): Receipt[];
  /** The scope's calls are in the database now. */
  settle(scope: string): void;
  /** Calls of unfinished work. */
  readonly pendingCount: number;
}

export function createEffectJournal(receipts: ReceiptLog, log: Logger): EffectJournal {
  return {
    async run(effect, perform, replay) {
      const scope = currentEffectScope();
      if (!scope || scope.diverged) return (await perform()).value;
      const seq = scope.next;
      scope.next += 1;
      const prior = receipts.lookup(scope.key, seq);
      if (prior) {
        if (prior.method === effect.method) return replay(prior.result);
        // The replay took another path (e.g. a model answered differently): stop matching.
        log.warn({ scope: scope.key, seq, was: prior.method, now: effect.method }, 'replay diverged from journal');
        scope.diverged = true;
        return (await perform()).value;
      }
      if (receipts.wasAttempted(scope.key, seq)) {
        log.warn({ scope: scope.key, seq, method: effect.method }, 'effect outcome unknown after restart; performing again');
      }
      receipts.attempt(scope.key, seq, effect.method);
      const outcome = await perform();
      // Written synchronously before anything else is awaited: see ReceiptLog.
      if (outcome.ok) receipts.record({ scope: scope.key, seq, method: effect.method, chatId: effect.chatId, payload: effect.payload, result: outcome.result });
      return outcome.value;
    },
    receiptsOf: (scope) => receipts.receiptsOf(scope),
    settle: (scope) => receipts.settle(scope),
    get pendingCount() {
      return receipts.pendingCount;
    },
  };
}
