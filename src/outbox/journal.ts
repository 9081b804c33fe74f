import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { currentEffectScope } from './effect-scope.js';
import { claimEffect, markEffectFailed, markEffectRetry, markEffectSent } from './outbox-repo.js';

/** What a journaled call reports back: success with a result to keep, or a failure description. */
export type EffectOutcome<T> = { ok: true; value: T; result: unknown } | { ok: false; value: T; error: string };

export interface EffectJournal {
  /**
   * Runs `perform` at most once per (scope, seq) as far as the database can know.
   * A replay of a completed effect returns `replay(storedResult)` without calling
   * `perform`. An effect whose outcome is unknown (the process died between the
   * call and the record) is performed again and counted as a resend: the remote
   * side (Telegram) offers no idempotency key, so this is the one case a
   * duplicate is possible, and it is logged. Outside a scope, `perform` just runs.
   */
  run<T>(
    effect: { method: string; chatId: number | null; payload: unknown },
    perform: () => Promise<EffectOutcome<T>>,
    replay: (storedResult: unknown) => T,
  ): Promise<T>;
}

export function createEffectJournal(db: Db, log: Logger): EffectJournal {
  return {
    async run(effect, perform, replay) {
      const scope = currentEffectScope();
      if (!scope || scope.diverged) return (await perform()).value;
      const seq = scope.next;
      scope.next += 1;
      const existing = await claimEffect(db, scope.key, seq, effect.method, effect.chatId, effect.payload);
      if (existing) {
        if (existing.method !== effect.method) {
          // The replay took another path (e.g. a model answered differently): stop matching.
          log.warn({ scope: scope.key, seq, was: existing.method, now: effect.method }, 'replay diverged from journal');
          scope.diverged = true;
          return (await perform()).value;
        }
        if (existing.status === 'sent') return replay(existing.result);
        if (existing.status === 'pending') {
          log.warn({ scope: scope.key, seq, method: effect.method }, 'effect outcome unknown after restart; performing again');
        }
        await markEffectRetry(db, scope.key, seq);
      }
      let outcome: EffectOutcome<Awaited<ReturnType<typeof perform>>['value']>;
      try {
        outcome = await perform();
      } catch (err) {
        await markEffectFailed(db, scope.key, seq, err instanceof Error ? err.message : String(err));
        throw err;
      }
      if (outcome.ok) await markEffectSent(db, scope.key, seq, outcome.result);
      else await markEffectFailed(db, scope.key, seq, outcome.error);
      return outcome.value;
    },
  };
}
