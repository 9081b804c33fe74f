/** Where start-up time goes, for the ready log line (the start-up benchmark prints it). */
export class StartupPhases {
  readonly #marks: [string, number][] = [];
  #last: number;

  constructor(startedAt: number) {
    this.#last = startedAt;
  }

  mark(phase: string): void {
    const now = Date.now();
    this.#marks.push([phase, now - this.#last]);
    this.#last = now;
  }

  durations(): Record<string, number> {
    return Object.fromEntries(this.#marks);
  }
}
