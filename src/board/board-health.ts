import type { BoardError } from './task-board.js';

/** A problem that blocks every board write until the owner fixes it (credentials, role). */
export interface BlockingProblem {
  message: string;
  fix: string;
  since: Date;
}

/**
 * What the board feature knows is wrong with the board account right now. The card
 * write worker and the task list report here; /status and /task read it; the owner is
 * told once per problem (again only after it was fixed and came back).
 */
export class BoardHealth {
  #problem: (BlockingProblem & { told: boolean }) | undefined;

  report(error: BoardError, now: Date): void {
    if (!error.blocksAll) return;
    if (this.#problem?.message === error.message) return;
    this.#problem = { message: error.message, fix: error.fix ?? 'check the Planka settings', since: now, told: false };
  }

  /** A write or read went through: whatever blocked it is fixed. */
  clear(): void {
    this.#problem = undefined;
  }

  current(): BlockingProblem | undefined {
    return this.#problem;
  }

  /** The problem, once, for the owner's notice. */
  takeUntold(): BlockingProblem | undefined {
    if (!this.#problem || this.#problem.told) return undefined;
    this.#problem.told = true;
    return this.#problem;
  }
}
