import { writeAudit } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { deleteSetting, getSetting, setSetting } from '../settings/index.js';

/**
 * Settings namespace of the owner's policy. Preferences live in another table, and no
 * tool reads or writes settings, so nothing the model calls can reach these keys.
 */
const ALLOW_PREFIX = 'owner-policy.allow.';

/**
 * The owner's approval policy: which L2 tools may run without asking. Changed only
 * through `/policy` (the owner's own command or button); no tool can read it as a
 * preference or write it, whatever the model is told. L3 is never allowed here.
 */
export class OwnerPolicy {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Whether the owner let this tool run without asking. */
  async allows(toolName: string): Promise<boolean> {
    return (await getSetting(this.#db, ALLOW_PREFIX + toolName)) === 'true';
  }

  /** Names of the tools the owner allowed, sorted. */
  async allowedTools(): Promise<string[]> {
    const rows = await this.#db.selectFrom('settings').select('key').where('key', 'like', `${ALLOW_PREFIX}%`).where('value', '=', 'true').orderBy('key').execute();
    return rows.map((row) => row.key.slice(ALLOW_PREFIX.length));
  }

  /** Only the `/policy` command and its buttons call this; each change is audited. */
  async setAllowed(toolName: string, allowed: boolean): Promise<void> {
    if (allowed) await setSetting(this.#db, ALLOW_PREFIX + toolName, 'true');
    else await deleteSetting(this.#db, ALLOW_PREFIX + toolName);
    await writeAudit(this.#db, { actor: 'owner', action: allowed ? 'policy:allow' : 'policy:ask', detail: { what: toolName } });
  }
}
