import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { pruneOutbox } from '../outbox/index.js';
import { pruneInbox } from '../updates/index.js';

const HOUR_MS = 3_600_000;

/** Prunes finished inbox rows and settled outbox rows past the retention window, hourly. */
export function startRetention(db: Db, retentionDays: number, log: Logger): () => void {
  const prune = async (): Promise<void> => {
    const cutoff = new Date(Date.now() - retentionDays * 24 * HOUR_MS);
    try {
      const inbox = await pruneInbox(db, cutoff);
      const outbox = await pruneOutbox(db, cutoff);
      if (inbox + outbox > 0) log.info({ inbox, outbox, retentionDays }, 'pruned old inbox and outbox rows');
    } catch (err) {
      log.warn({ err }, 'retention pruning failed; will try again');
    }
  };
  void prune();
  const timer = setInterval(() => void prune(), HOUR_MS);
  timer.unref();
  return () => clearInterval(timer);
}
