import { randomInt } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { getSetting, setSetting } from '../../settings/index.js';

const OWNER_SETTING = 'owner.telegram_id';
const PAIRING_SETTING = 'owner.pairing_code';
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * Knows who the owner is: TELEGRAM_OWNER_ID when configured, otherwise the user
 * who paired with the one-time code. The code is consumed atomically, so two
 * people racing with the same code cannot both become the owner.
 */
export class OwnerAuth {
  readonly #db: Db;
  readonly #configured: number | undefined;
  #paired: number | undefined;

  constructor(db: Db, configuredOwnerId: number | undefined) {
    this.#db = db;
    this.#configured = configuredOwnerId;
  }

  /** Loads the stored owner; returns the pairing code when nobody owns the bot yet. */
  async init(): Promise<{ pairingCode: string | undefined }> {
    if (this.#configured !== undefined) return { pairingCode: undefined };
    const stored = await getSetting(this.#db, OWNER_SETTING);
    if (stored !== undefined) {
      this.#paired = Number(stored);
      return { pairingCode: undefined };
    }
    let code = await getSetting(this.#db, PAIRING_SETTING);
    if (code === undefined) {
      code = Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
      await setSetting(this.#db, PAIRING_SETTING, code);
    }
    return { pairingCode: code };
  }

  get ownerId(): number | undefined {
    return this.#configured ?? this.#paired;
  }

  isOwner(userId: number | undefined): boolean {
    return userId !== undefined && this.ownerId !== undefined && userId === this.ownerId;
  }

  /** Makes `userId` the owner if `code` is the current pairing code. */
  async tryPair(userId: number, code: string): Promise<boolean> {
    if (this.ownerId !== undefined) return false;
    const paired = await this.#db.transaction().execute(async (trx) => {
      const consumed = await trx
        .deleteFrom('settings')
        .where('key', '=', PAIRING_SETTING)
        .where('value', '=', code.trim().toUpperCase())
        .returning('key')
        .executeTakeFirst();
      if (!consumed) return false;
      await setSetting(trx, OWNER_SETTING, String(userId));
      return true;
    });
    if (paired) this.#paired = userId;
    return paired;
  }
}
