import type { Db } from '../db/index.js';
import { getSetting, setSetting } from '../settings/index.js';

const PAUSE_SETTING = 'policy.paused';

/**
 * The owner's pause-all: while on, no routine, notification or L1+ tool acts.
 * Stored in the database so a restart keeps it; read from memory on every check.
 */
export class PauseSwitch {
  readonly #db: Db;
  #paused = false;

  constructor(db: Db) {
    this.#db = db;
  }

  async load(): Promise<void> {
    this.#paused = (await getSetting(this.#db, PAUSE_SETTING)) === 'true';
  }

  get paused(): boolean {
    return this.#paused;
  }

  async set(paused: boolean): Promise<void> {
    await setSetting(this.#db, PAUSE_SETTING, String(paused));
    this.#paused = paused;
  }
}
