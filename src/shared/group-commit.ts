/**
 * Group commit: writes submitted during one turn of the event loop are written
 * together, as one statement and one commit, once that turn is over
 * (`setImmediate`). A lone write waits for a single turn (well under a millisecond).
 *
 * Under a burst this is what lets the embedded database keep up: PGlite runs on
 * the daemon's own thread and pays most of a statement's cost per statement
 * (parse, plan, commit), not per row, so eight handlers finishing in the same
 * turn cost one statement instead of eight.
 *
 * Groups do not wait for each other: on PostgreSQL each goes out on its own
 * pooled connection, so one slow statement holds up only the writes in its own
 * group, never the next turn's. (PGlite runs them one after the other anyway.)
 *
 * A group the database refuses is written again one by one, so a write that
 * cannot succeed fails alone and never takes its neighbours with it.
 */
export interface GroupCommitOptions {
  /** The most items one write is given; a larger turn is split. */
  maxGroup: number;
  /** Told when a group of several was refused, before its items are written one by one. */
  onGroupRefused?: (err: unknown, size: number) => void;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<T> {
  readonly #write: (items: readonly T[]) => Promise<void>;
  readonly #options: GroupCommitOptions;
  #waiting: Waiting<T>[] = [];

  constructor(write: (items: readonly T[]) => Promise<void>, options: GroupCommitOptions) {
    this.#write = write;
    this.#options = { ...options, maxGroup: Math.max(1, options.maxGroup) };
  }

  /** Resolves once `item` is written (alone or with others); rejects with its own failure. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => this.#flush());
      this.#waiting.push({ item, resolve, reject });
    });
  }

  #flush(): void {
    const turn = this.#waiting;
    this.#waiting = [];
    for (let start = 0; start < turn.length; start += this.#options.maxGroup) {
      void this.#writeGroup(turn.slice(start, start + this.#options.maxGroup));
    }
  }

  async #writeGroup(group: Waiting<T>[]): Promise<void> {
    try {
      await this.#write(group.map((entry) => entry.item));
      for (const entry of group) entry.resolve();
      return;
    } catch (err) {
      if (group.length === 1) {
        group[0]?.reject(err);
        return;
      }
      this.#options.onGroupRefused?.(err, group.length);
    }
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
