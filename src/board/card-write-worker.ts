import { writeAudit } from '../audit/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { BoardWriteRejected, applyOp } from './apply-op.js';
import { markAttempt, markOpFinal, markOpRetry, pendingOps, pendingOpsForTask, type BoardOp } from './card-write-queue-repo.js';
import type { BoardStructure } from './board-structure.js';
import { BLOCKED_BACKOFF, TRANSIENT_BACKOFF, backoffMs } from './backoff.js';
import type { BoardHealth } from './board-health.js';
import { BoardError, type TaskBoard } from './task-board.js';

/**
 * What became of a task's queued writes after one flush: `queued` = Planka unreachable
 * (retried with backoff); `blocked` = Planka refuses every write until the owner fixes
 * `fix` (kept, retried slowly); `rejected` = Planka refused this write for good.
 */
export type FlushResult =
  | { state: 'applied' }
  | { state: 'queued'; reason: string }
  | { state: 'blocked'; reason: string; fix: string }
  | { state: 'local' }
  | { state: 'rejected'; reason: string };

export interface CardWriteWorkerDeps {
  db: Db;
  log: Logger;
  /** Undefined while Planka is not configured: writes stay queued locally. */
  board: TaskBoard | undefined;
  structure: () => Promise<BoardStructure>;
  now: () => Date;
  /** Told about problems that block every write, and when they are gone. */
  health?: BoardHealth;
}

/**
 * Applies queued Planka writes: one task at a time (its writes strictly in order),
 * retrying with growing waits (see backoff.ts): 2 s doubling to 1 min while Planka is
 * unreachable, 1 min doubling to 1 h while it refuses every write (wrong password,
 * missing role). Writes for different tasks never block each other's correctness, only their timing.
 */
export class CardWriteWorker {
  readonly #deps: CardWriteWorkerDeps;
  readonly #locks = new Map<number, Promise<unknown>>();

  constructor(deps: CardWriteWorkerDeps) {
    this.#deps = deps;
  }

  /** Applies the task's pending writes now (ignoring backoff), under the task's lock. */
  flushTask(taskId: number): Promise<FlushResult> {
    const previous = this.#locks.get(taskId) ?? Promise.resolve();
    const run = previous.then(() => this.#flush(taskId), () => this.#flush(taskId));
    this.#locks.set(taskId, run);
    void run.finally(() => {
      if (this.#locks.get(taskId) === run) this.#locks.delete(taskId);
    });
    return run;
  }

  /**
   * One pass over every task with a write due; stops at the first retryable failure
   * (Planka is down: no point knocking on every task). Returns how many tasks got through.
   */
  async tick(options: { ignoreBackoff?: boolean } = {}): Promise<number> {
    if (!this.#deps.board) return 0;
    const now = this.#deps.now();
    const firstByTask = new Map<number, BoardOp>();
    for (const op of await pendingOps(this.#deps.db)) if (!firstByTask.has(op.taskId)) firstByTask.set(op.taskId, op);
    let applied = 0;
    for (const [taskId, op] of firstByTask) {
      if (!options.ignoreBackoff && op.nextAttemptAt > now) continue;
      const result = await this.flushTask(taskId);
      if (result.state === 'queued' || result.state === 'blocked') break;
      if (result.state === 'applied') applied += 1;
    }
    return applied;
  }

  async #flush(taskId: number): Promise<FlushResult> {
    const { db, log, board, structure, now } = this.#deps;
    const ops = await pendingOpsForTask(db, taskId);
    if (ops.length === 0) return { state: 'applied' };
    if (!board) return { state: 'local' };
    let layout;
    try {
      layout = await board.layout(await structure());
    } catch (err) {
      return this.#retryLater(ops[0], err);
    }
    for (const op of ops) {
      await markAttempt(db, op.id);
      try {
        await applyOp({ db, board, layout, now }, op, op.attempts > 0);
        this.#deps.health?.clear();
        await writeAudit(db, { actor: 'system', action: `planka:${op.op}`, destination: board.destination, detail: { taskId, opId: op.id, attempt: op.attempts + 1 } });
      } catch (err) {
        if (err instanceof BoardWriteRejected) {
          log.warn({ opId: op.id, taskId, op: op.op, reason: err.message }, 'planka write rejected');
          await markOpFinal(db, op.id, 'failed', err.message, now());
          // Later writes of this task depend on this one; they go the same way.
          for (const later of ops.filter((other) => other.id > op.id)) await markOpFinal(db, later.id, 'failed', `after: ${err.message}`, now());
          return { state: 'rejected', reason: err.message };
        }
        return this.#retryLater(op, err);
      }
    }
    return { state: 'applied' };
  }

  async #retryLater(op: BoardOp | undefined, err: unknown): Promise<FlushResult> {
    const reason = err instanceof Error ? err.message : String(err);
    const blocking = err instanceof BoardError && err.blocksAll ? err : undefined;
    if (blocking) this.#deps.health?.report(blocking, this.#deps.now());
    if (op) {
      const wait = backoffMs(op.retries + 1, blocking ? BLOCKED_BACKOFF : TRANSIENT_BACKOFF);
      await markOpRetry(this.#deps.db, op.id, reason, new Date(this.#deps.now().getTime() + wait));
      this.#deps.log.warn({ opId: op.id, taskId: op.taskId, retries: op.retries + 1, retryInMs: wait, permanent: blocking !== undefined, reason }, 'planka write queued for retry');
    }
    return blocking ? { state: 'blocked', reason, fix: blocking.fix ?? 'check the Planka settings' } : { state: 'queued', reason };
  }
}
