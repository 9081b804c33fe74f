import type { Db } from '../db/index.js';
import type { LanguageModel } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import type { OwnerMessenger } from '../messenger/index.js';
import { runInEffectScope } from '../outbox/index.js';
import { googleRevokedAt } from '../google/google-connection.js';
import { GoogleApiError } from '../google/google-errors.js';
import { triageAction } from './email-rules.js';
import type { MailMetadata, Mailbox } from './mailbox.js';
import { claimForAlert, finishMessage, noteAttempt, openMessages, readCursor, recordDiscovery, type OpenMessage } from './mail-repo.js';
import { oneLine, summariseMail } from './mail-summariser.js';
import { eachLimited, rateLimitWait, withRateLimitRetry, type RateLimitPolicy } from './rate-limit.js';
import { listRules } from './rules-repo.js';
import { urgentAlert } from './urgent-alert.js';

export interface MailPollerDeps {
  db: Db;
  mailbox: Mailbox;
  llm: LanguageModel;
  messenger: OwnerMessenger;
  log: Logger;
  now: () => Date;
  /** Called when Google refuses our tokens (invalid_grant); the feature alerts once and pauses. */
  onRevoked: (err: GoogleApiError) => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
}

export type PollOutcome =
  | { kind: 'polled'; discovered: number; processed: number; left: number }
  | { kind: 'backing-off'; until: Date }
  | { kind: 'rate-limited'; until: Date }
  | { kind: 'revoked' };

/** How far back a first sync (no cursor yet) looks. */
export const FIRST_SYNC_WINDOW_MS = 24 * 3_600_000;
/** How far back a fallback sync (history expired) may look at most. */
export const MAX_FALLBACK_WINDOW_MS = 7 * 24 * 3_600_000;
/** Ids a bounded full sync records at most. */
export const FULL_SYNC_MAX_IDS = 2_000;
const PROCESS_BATCH = 50;
const CONCURRENCY = 4;
const GIVE_UP_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 6 * 3_600_000;

/**
 * One Gmail poll: discover new INBOX ids (history.list from the stored historyId; a bounded
 * messages.list after:<epoch> when there is none or it expired), record them before the cursor
 * moves, then triage each recorded id once (metadata only, first matching rule, urgent → the
 * messenger at once, summarize → one line from the tool-less summariser). Nothing new costs one
 * call. Rate-limit answers back off with growth (Retry-After honoured) across polls.
 */
export class MailPoller {
  readonly #deps: MailPollerDeps;
  readonly #policy: RateLimitPolicy;
  #backoffUntil: Date | undefined;
  #rateLimitedInARow = 0;
  #running: Promise<PollOutcome> | undefined;

  constructor(deps: MailPollerDeps) {
    this.#deps = deps;
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.#policy = { attempts: 3, baseMs: 1_000, maxInlineWaitMs: 30_000, sleep };
  }

  get backoffUntil(): Date | undefined {
    return this.#backoffUntil;
  }

  /** Overlapping calls in one process share the running poll; across processes the tables decide. */
  poll(): Promise<PollOutcome> {
    this.#running ??= this.#poll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #poll(): Promise<PollOutcome> {
    const now = this.#deps.now();
    // Paused until the owner reconnects (the alert was sent once, when it happened).
    if (await googleRevokedAt(this.#deps.db)) return { kind: 'revoked' };
    if (this.#backoffUntil && now < this.#backoffUntil) return { kind: 'backing-off', until: this.#backoffUntil };
    try {
      const discovered = await this.#discover(now);
      const { processed, left } = await this.#processOpen();
      this.#rateLimitedInARow = 0;
      this.#backoffUntil = undefined;
      return { kind: 'polled', discovered, processed, left };
    } catch (err) {
      if (!(err instanceof GoogleApiError)) throw err;
      if (err.kind === 'rate-limited') {
        const wait = Math.min(BACKOFF_MAX_MS, rateLimitWait(err, this.#rateLimitedInARow, BACKOFF_BASE_MS));
        this.#rateLimitedInARow += 1;
        this.#backoffUntil = new Date(this.#deps.now().getTime() + wait);
        this.#deps.log.warn({ operation: err.operation, status: err.status, waitMs: wait }, 'gmail rate limited: backing off');
        return { kind: 'rate-limited', until: this.#backoffUntil };
      }
      if (err.kind === 'auth-revoked') {
        await this.#deps.onRevoked(err);
        return { kind: 'revoked' };
      }
      throw err;
    }
  }

  #call<T>(work: () => Promise<T>): Promise<T> {
    return withRateLimitRetry(this.#policy, work);
  }

  async #discover(now: Date): Promise<number> {
    const { db, mailbox } = this.#deps;
    const cursor = await readCursor(db);
    if (cursor.historyId) {
      try {
        const ids: string[] = [];
        let pageToken: string | undefined;
        let historyId = cursor.historyId;
        do {
          const page = await this.#call(() => mailbox.history(cursor.historyId ?? '', pageToken));
          ids.push(...page.messageIds);
          historyId = page.historyId;
          pageToken = page.nextPageToken;
        } while (pageToken);
        if (ids.length === 0 && historyId === cursor.historyId) return 0;
        return await recordDiscovery(db, ids, historyId, now);
      } catch (err) {
        if (!(err instanceof GoogleApiError) || err.kind !== 'not-found') throw err;
        this.#deps.log.info('gmail history expired: bounded full sync');
      }
    }
    const since = cursor.lastSyncAt
      ? new Date(Math.max(cursor.lastSyncAt.getTime() - 3_600_000, now.getTime() - MAX_FALLBACK_WINDOW_MS))
      : new Date(now.getTime() - FIRST_SYNC_WINDOW_MS);
    // The cursor is read first: mail arriving during the listing is caught by the next history.list.
    const historyId = await this.#call(() => mailbox.currentHistoryId());
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#call(() => mailbox.listInboxSince(Math.floor(since.getTime() / 1000), pageToken));
      ids.push(...page.messageIds);
      pageToken = page.nextPageToken;
    } while (pageToken && ids.length < FULL_SYNC_MAX_IDS);
    return recordDiscovery(db, ids.slice(0, FULL_SYNC_MAX_IDS), historyId, now);
  }

  async #processOpen(): Promise<{ processed: number; left: number }> {
    const { db } = this.#deps;
    let processed = 0;
    for (;;) {
      const open = await openMessages(db, PROCESS_BATCH);
      if (open.length === 0) return { processed, left: 0 };
      const rules = await listRules(db);
      let progressed = 0;
      await eachLimited(open, CONCURRENCY, async (message) => {
        if (await this.#processOne(message, rules)) progressed += 1;
      });
      processed += progressed;
      if (progressed === 0) return { processed, left: open.length };
    }
  }

  /** True when the message was finished (by this call or found finished). */
  async #processOne(message: OpenMessage, rules: Awaited<ReturnType<typeof listRules>>): Promise<boolean> {
    const { db, mailbox, log } = this.#deps;
    let meta: MailMetadata | undefined;
    try {
      meta = await this.#call(() => mailbox.metadata(message.id));
    } catch (err) {
      if (err instanceof GoogleApiError && err.kind === 'failed') {
        await noteAttempt(db, message.id);
        if (message.attempts + 1 < GIVE_UP_ATTEMPTS) return false;
        log.warn({ messageId: message.id, operation: err.operation }, 'gmail message unreadable: giving up on it');
        return finishMessage(db, message.id, undefined, this.#deps.now());
      }
      throw err;
    }
    if (!meta) return finishMessage(db, message.id, undefined, this.#deps.now());
    const { action, rule } = triageAction(rules, meta);
    log.info({ messageId: message.id, action, ruleId: rule?.id ?? null }, 'mail triaged');
    let summary: string | null = null;
    if (action === 'urgent') {
      if (message.state === 'new' && !(await claimForAlert(db, message.id))) return true;
      summary = (await summariseMail(this.#deps.llm, meta)) ?? oneLine(meta.snippet) ?? null;
      const alert = urgentAlert(meta, summary);
      const scope = `mail:urgent:${message.id}`;
      // Journaled under its own scope, so a replay after a crash finds the message already sent.
      await runInEffectScope(scope, () => this.#deps.messenger.send(alert, { scope, urgent: true }));
    } else if (action === 'summarize') {
      summary = (await summariseMail(this.#deps.llm, meta)) ?? null;
    }
    await finishMessage(db, message.id, { id: message.id, sender: meta.from, subject: meta.subject, receivedAt: meta.receivedAt, action, ruleId: rule?.id ?? null, summary }, this.#deps.now());
    return true;
  }
}
