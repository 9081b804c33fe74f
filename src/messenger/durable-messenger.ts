import { randomUUID } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { runInEffectScope } from '../outbox/index.js';
import { getPreference } from '../preferences/index.js';
import type { Clock } from '../time/index.js';
import type { Delivery, OwnerMessage, OwnerMessenger, SendOptions } from './owner-messenger.js';
import { findOwnerMessage, insertOwnerMessage, markDelivered } from './owner-messages-repo.js';
import {
  isQuietAt,
  kindOfScope,
  parseQuietHours,
  parseUrgentKinds,
  QUIET_HOURS_PREFERENCE,
  QUIET_HOURS_URGENT_PREFERENCE,
  type QuietHours,
} from './quiet-hours.js';

export interface DurableMessengerOptions {
  db: Db;
  /** The channel's plain sender (Telegram): sends every time it is called. */
  channel: OwnerMessenger;
  /** Forgets the delivery receipts of a finished scope (the effect journal's `settle`). */
  settle: (effectScope: string) => void;
  clock: Clock;
  timeZone: string;
  log: Logger;
}

/** The owner's quiet-hours preferences as they stand now (a bad value counts as none, and is logged). */
export async function readQuietHours(db: Db, log?: Logger): Promise<{ quiet: QuietHours | undefined; urgentKinds: string[] }> {
  const [quietText, urgentText] = await Promise.all([getPreference(db, QUIET_HOURS_PREFERENCE), getPreference(db, QUIET_HOURS_URGENT_PREFERENCE)]);
  const parsed = parseQuietHours(quietText);
  if (!parsed.ok) log?.warn({ reason: parsed.reason }, 'quiet_hours preference ignored');
  return { quiet: parsed.ok ? parsed.quiet : undefined, urgentKinds: parseUrgentKinds(urgentText) };
}

/**
 * Proactive messages sent at most once per scope, across crashes and second triggers.
 *
 * Each scope gets a row before anything is sent. The send itself runs in an effect
 * scope `owner:<scope>`, so the Bot API journal writes Telegram's answer to the receipt
 * file the moment it arrives: a process killed after Telegram answered but before the row
 * says "delivered" replays that answer on the next attempt instead of sending again.
 * A delivery counts only when the channel returned message ids.
 *
 * Quiet hours are enforced here, in code: a non-urgent message in quiet hours is stored
 * as held and goes out in one digest when they end (see `sendHeldDigest`).
 */
export function createDurableMessenger(options: DurableMessengerOptions): OwnerMessenger {
  const { db, channel, settle, clock, timeZone, log } = options;
  const inFlight = new Map<string, Promise<Delivery | undefined>>();

  async function deliver(scope: string, kind: string, message: OwnerMessage, urgent: boolean): Promise<Delivery | undefined> {
    const existing = await findOwnerMessage(db, scope);
    if (existing?.status === 'delivered' || existing?.status === 'digested') return { messageIds: existing.messageIds };
    if (existing?.status === 'held') return { messageIds: [], held: true };
    let toSend = message;
    if (existing) {
      // A previous attempt died mid-send: send what was recorded; the journal replays what Telegram confirmed.
      toSend = existing.message;
      log.info({ scope }, 'resuming an interrupted proactive message');
    } else {
      const now = clock();
      const { quiet, urgentKinds } = await readQuietHours(db, log);
      const hold = !urgent && !urgentKinds.includes(kind) && isQuietAt(quiet, now, timeZone);
      await insertOwnerMessage(db, { scope, status: hold ? 'held' : 'sending', kind, urgent, message, at: now });
      if (hold) {
        log.info({ scope, kind }, 'proactive message held for quiet hours');
        return { messageIds: [], held: true };
      }
    }
    const effectScope = `owner:${scope}`;
    const delivery = await runInEffectScope(effectScope, () => channel.send(toSend));
    if (!delivery) {
      // No owner chat yet: nothing went out; forget the attempt so a later send tries afresh.
      await db.deleteFrom('owner_messages').where('scope', '=', scope).where('status', '=', 'sending').execute();
      settle(effectScope);
      return undefined;
    }
    if (delivery.messageIds.length === 0) throw new Error(`proactive message ${scope}: the channel returned no message id`);
    await markDelivered(db, scope, delivery.messageIds, clock());
    settle(effectScope);
    log.info({ scope, kind, messages: delivery.messageIds.length }, 'proactive message delivered');
    return { messageIds: delivery.messageIds };
  }

  return {
    send(message: OwnerMessage, sendOptions?: SendOptions): Promise<Delivery | undefined> {
      const scope = sendOptions?.scope ?? `message:${randomUUID()}`;
      const kind = kindOfScope(scope);
      const urgent = sendOptions?.urgent === true;
      // The same scope twice at once (two triggers): the second waits for the first and gets its delivery.
      const previous = inFlight.get(scope) ?? Promise.resolve(undefined);
      const next = previous.catch(() => undefined).then(() => deliver(scope, kind, message, urgent));
      inFlight.set(scope, next);
      void next
        .finally(() => {
          if (inFlight.get(scope) === next) inFlight.delete(scope);
        })
        .catch(() => undefined);
      return next;
    },
  };
}
