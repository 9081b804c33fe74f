import type { Db } from '../db/index.js';
import { htmlToPlainText } from '../channels/telegram/format/index.js';
import { heldMessages, isQuietAt, markDigested, readQuietHours, type OwnerButton, type OwnerMessenger } from '../messenger/index.js';

const MAX_BUTTON_ROWS = 20;

/**
 * Once quiet hours are over, sends every held message as one digest (scope derived from
 * the first held message, so a crash mid-way resends nothing) and marks them carried.
 * Returns how many held messages went out.
 */
export async function sendHeldDigest(deps: { db: Db; messenger: OwnerMessenger; now: Date; timeZone: string }): Promise<number> {
  const { db, messenger, now, timeZone } = deps;
  const held = await heldMessages(db);
  if (held.length === 0) return 0;
  const { quiet } = await readQuietHours(db);
  if (isQuietAt(quiet, now, timeZone)) return 0;
  const first = held[0];
  if (!first) return 0;
  const parts = held.map((item) => (item.message.html ? htmlToPlainText(item.message.text) : item.message.text));
  const text = held.length === 1 ? parts[0] ?? '' : [`While it was quiet (${held.length} messages):`, ...parts].join('\n\n———\n\n');
  const buttons: OwnerButton[][] = held.flatMap((item) => item.message.buttons ?? []).slice(0, MAX_BUTTON_ROWS);
  const digestScope = `digest:${first.scope}`;
  const delivery = await messenger.send({ text, ...(buttons.length > 0 ? { buttons } : {}) }, { scope: digestScope, urgent: true });
  if (!delivery || delivery.messageIds.length === 0) return 0;
  await markDigested(db, held.map((item) => item.scope), digestScope, delivery.messageIds, now);
  return held.length;
}
