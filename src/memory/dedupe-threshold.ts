import type { Db } from '../db/index.js';
import { getPreference } from '../preferences/index.js';

/**
 * Cosine similarity above which a new memory replaces the closest existing one instead of being
 * added next to it. With all-MiniLM-L6-v2, rewordings of one fact ("Anna's birthday is 3 May" /
 * "Anna has her birthday on May 3rd") score about 0.90–0.97, while different facts on one topic
 * ("Anna likes tulips" / "Anna's birthday is 3 May") stay below ~0.8. A correction that changes
 * one detail can score above 0.92 too; replacing is then what the owner wants, and the reply
 * says which memory was updated. The owner can move it with the preference
 * `memory.dedupe_threshold` (0.5–1; 1 turns dedupe off for anything but identical text).
 */
export const DEFAULT_DEDUPE_THRESHOLD = 0.92;
export const DEDUPE_PREFERENCE = 'memory.dedupe_threshold';

/** The owner's threshold, or the default when it is unset or out of range. */
export async function dedupeThreshold(db: Db): Promise<number> {
  const raw = await getPreference(db, DEDUPE_PREFERENCE);
  const value = raw === undefined ? Number.NaN : Number.parseFloat(raw);
  return Number.isFinite(value) && value >= 0.5 && value <= 1 ? value : DEFAULT_DEDUPE_THRESHOLD;
}
