/**
 * Group commit: writes submitted during one turn of the event loop are written
 * together, as one statement and one commit, once that turn is over
 * (`setImmediate`). Writes submitted while a group is being written form the
 * next group. A lone write waits for a single turn (well under a millisecond).
 *
 * Under a burst this is what lets the embedded database keep up: PGlite runs
 * on the daemon's own thread and pays most of a statement's cost per statement
 * (parse, plan, commit), not per row, so eight handlers finishing in the same
 * turn cost one statement instead of eight.
 *
 * A group the database refuses is written again one by one, so a write that
 * cannot succeed fails alone and never takes its neighbours with it.
 */
export class GroupCommit<T> {
  readonly #write: (items: readonly T[]) => Promise<void>;
  readonly #maxGroup: number;
  #waiting: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  #scheduled = false;

  constructor(write: (items: readonly T[]) => Promise<void>, options: { maxGroup: number }) {
    this.#write = write;
    this.#maxGroup = Math.max(1, options.maxGroup);
  }

  /** Resolves once `item` is written (alone or with others); rejects with its own failure. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const group = this.#waiting.splice(0, this.#maxGroup);
        try {
          await this.#write(group.map((entry) => entry.item));
          for (const entry of group) entry.resolve();
        } catch (err) {
          if (group.length === 1) group[0]?.reject(err);
          else await this.#oneByOne(group);
        }
      }
    } finally {
      this.#scheduled = false;
    }
  }

  async #oneByOne(group: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }>): Promise<void> {
    for (const entry of group) {
      try {
        await this.#write([entry.item]);
        entry.resolve();
      } catch (err) {
        entry.reject(err);
      }
    }
  }
}
