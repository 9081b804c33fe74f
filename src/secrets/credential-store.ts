import type { DbOrTx } from '../db/index.js';
import { open, seal, sealedKeyId, SecretUnreadableError } from './secret-box.js';
import type { SecretKey } from './secret-key.js';

/**
 * Named secrets (OAuth tokens) in the `credentials` table, sealed with AES-256-GCM under
 * OPENZERO_SECRET_KEY. Values sealed under OPENZERO_SECRET_KEY_PREVIOUS still open and are
 * re-sealed under the current key by `rotate()` (run at start). Plaintext never leaves this
 * object except as the return value of `get`.
 */
export class CredentialStore {
  readonly #db: DbOrTx;
  readonly #keys: readonly SecretKey[];

  /** `keys[0]` seals; every key opens. Throws when no key is given. */
  constructor(db: DbOrTx, keys: readonly SecretKey[]) {
    if (keys.length === 0) throw new Error('OPENZERO_SECRET_KEY is not set: credentials cannot be stored');
    this.#db = db;
    this.#keys = keys;
  }

  /** The value, or undefined when nothing is stored. Throws SecretUnreadableError when no key opens it. */
  async get(name: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('credentials').select('sealed').where('name', '=', name).executeTakeFirst();
    return row ? open(this.#keys, row.sealed, aad(name)) : undefined;
  }

  async put(name: string, value: string): Promise<void> {
    const sealed = seal(this.#currentKey(), value, aad(name));
    await this.#db
      .insertInto('credentials')
      .values({ name, sealed })
      .onConflict((oc) => oc.column('name').doUpdateSet({ sealed, updated_at: new Date() }))
      .execute();
  }

  async delete(name: string): Promise<void> {
    await this.#db.deleteFrom('credentials').where('name', '=', name).execute();
  }

  /**
   * Re-seals every value not sealed under the current key. Returns how many were re-sealed and
   * the names no configured key opens (left untouched, so a mistaken key loses nothing).
   */
  async rotate(): Promise<{ resealed: number; unreadable: string[] }> {
    const current = this.#currentKey();
    const rows = await this.#db.selectFrom('credentials').select(['name', 'sealed']).execute();
    let resealed = 0;
    const unreadable: string[] = [];
    for (const row of rows) {
      if (sealedKeyId(row.sealed) === current.id) continue;
      try {
        const value = open(this.#keys, row.sealed, aad(row.name));
        await this.put(row.name, value);
        resealed += 1;
      } catch (err) {
        if (!(err instanceof SecretUnreadableError)) throw err;
        unreadable.push(row.name);
      }
    }
    return { resealed, unreadable };
  }

  #currentKey(): SecretKey {
    const [current] = this.#keys;
    if (!current) throw new Error('no secret key');
    return current;
  }
}

function aad(name: string): string {
  return `openzero:credential:${name}`;
}
