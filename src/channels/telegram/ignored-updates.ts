import type { Update } from 'grammy/types';

/**
 * Updates the router let go without acting on them: a stranger's, the owner's in a
 * group, or a kind no feature handles. The inbox then keeps only their id and kind.
 * grammY hands handlers the very update object it was given, so identity marks it.
 */
export class IgnoredUpdates {
  readonly #updates = new WeakSet<Update>();

  mark(update: Update): void {
    this.#updates.add(update);
  }

  has(update: Update): boolean {
    return this.#updates.has(update);
  }
}
