import { writeAudit } from '../audit/index.js';
import type { Db } from '../db/index.js';
import type { ApprovalChoice } from '../db/tables/approvals.table.js';
import type { Logger } from '../log/index.js';
import { nextEffectKey } from '../outbox/index.js';
import { ChatHandlers, type ButtonPress } from '../commands/index.js';
import type { ChatMessenger, OwnerButton } from '../messenger/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import { decideApproval, expireDue, findApproval, insertApproval, recordOutcome, setApprovalMessage, type Approval } from './approvals-repo.js';

/** Runs the approved (or declined) action; returns the line the owner sees under the request. */
export type ApprovalHandler = (approval: Approval, choice: ApprovalChoice) => Promise<string>;

export interface ApprovalRequest {
  kind: string;
  payload: unknown;
  /** Plain words: what will happen if the owner agrees. Telegram HTML (escaped) when `html` is set. */
  summary: string;
  html?: boolean;
  choices: ApprovalChoice[];
  chatId: number;
  ttlMs?: number;
}

export interface ApprovalServiceOptions {
  db: Db;
  /** Shows requests with their buttons and edits the outcome under them (the channel implements it). */
  chats: ChatMessenger;
  log: Logger;
  defaultTtlMs: number;
  now?: () => Date;
}

const CALLBACK = /^ap:([a-z2-9]{12}):([a-z0-9_]{1,16})$/;

/**
 * Pending actions with inline buttons. A button works once (one atomic status
 * change), only for the owner (the guard runs first), only before it expires;
 * every other tap gets a short answer and changes nothing. Decisions are audited.
 */
export class ApprovalService {
  readonly #options: ApprovalServiceOptions;
  readonly #handlers = new Map<string, ApprovalHandler>();
  readonly #now: () => Date;

  constructor(options: ApprovalServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  on(kind: string, handler: ApprovalHandler): void {
    if (this.#handlers.has(kind)) throw new Error(`approval handler registered twice: ${kind}`);
    this.#handlers.set(kind, handler);
  }

  /**
   * Stores the request and shows it with its buttons. A replay of the same work shows the
   * same request again while it is pending; one already answered or expired is returned
   * as it stands (status `expired` once past its expiry) and is not shown again.
   */
  async request(input: ApprovalRequest): Promise<Approval> {
    const { db, chats } = this.#options;
    const now = this.#now();
    const approval = await insertApproval(db, {
      originKey: nextEffectKey(`approval:${input.kind}`),
      kind: input.kind,
      payload: input.payload,
      summary: input.html ? input.summary : escapeHtml(input.summary),
      choices: input.choices,
      chatId: input.chatId,
      expiresAt: new Date(now.getTime() + (input.ttlMs ?? this.#options.defaultTtlMs)),
    });
    if (approval.status !== 'pending') return approval;
    if (approval.expiresAt <= now) return { ...approval, status: 'expired' };
    const messageId = (await chats.sendTo(input.chatId, { text: approval.summary, html: true, buttons: buttons(approval) })).at(-1);
    if (messageId !== undefined && approval.messageId === null) await setApprovalMessage(db, approval.id, messageId);
    return { ...approval, messageId: approval.messageId ?? messageId ?? null };
  }

  /** The approval buttons' handler. */
  handlers(): ChatHandlers {
    return new ChatHandlers().button(CALLBACK, async (press) => {
      const [, id = '', choiceId = ''] = CALLBACK.exec(press.data) ?? [];
      await this.#onTap(press, id, choiceId);
    });
  }

  /** Marks overdue requests expired and says so under each; runs every minute. */
  startExpirySweep(): () => void {
    const sweep = async (): Promise<void> => {
      try {
        for (const approval of await expireDue(this.#options.db, this.#now())) {
          await this.#showOutcome(approval, '⌛ Expired — nothing was done.').catch(() => undefined);
        }
      } catch (err) {
        this.#options.log.warn({ err }, 'approval expiry sweep failed');
      }
    };
    const timer = setInterval(() => void sweep(), 60_000);
    timer.unref();
    void sweep();
    return () => clearInterval(timer);
  }

  async #onTap(press: ButtonPress, id: string, choiceId: string): Promise<void> {
    const { db, log } = this.#options;
    const found = await findApproval(db, id);
    const choice = found?.choices.find((c) => c.id === choiceId);
    if (!found || !choice) {
      log.info({ approvalId: id }, 'tap on an unknown approval or choice');
      await press.answer('That request does not exist.');
      return;
    }
    const now = this.#now();
    let approval = await decideApproval(db, id, choice, now);
    // A replay after a crash between the decision and its outcome finishes the job, unless
    // the request has expired meanwhile: then nothing runs, and the request says so.
    if (!approval && found.status !== 'pending' && found.decision === choiceId && found.outcome === null) {
      if (found.expiresAt <= now) {
        log.info({ approvalId: id }, 'replayed decision arrived after expiry; not carried out');
        const outcome = '⌛ Expired before it could be carried out — nothing was done.';
        await recordOutcome(db, found.id, outcome);
        await press.answer('This request expired; nothing was done.');
        await this.#showOutcome(found, outcome).catch(() => undefined);
        return;
      }
      approval = found;
    }
    if (!approval) {
      const text =
        found.status === 'pending' || found.status === 'expired'
          ? 'This request expired; nothing was done.'
          : `Already answered: ${found.choices.find((c) => c.id === found.decision)?.label ?? found.status}.`;
      await press.answer(text);
      return;
    }
    await press.answer(choice.label);
    await writeAudit(db, {
      actor: 'owner',
      action: `approval:${approval.status}`,
      detail: { approvalId: approval.id, kind: approval.kind, choice: choice.id },
    });
    const handler = this.#handlers.get(approval.kind);
    let outcome: string;
    try {
      outcome = handler ? await handler(approval, choice) : 'Nothing is registered to carry this out.';
    } catch (err) {
      log.error({ err, approvalId: approval.id, kind: approval.kind }, 'approved action failed');
      outcome = `Failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    await recordOutcome(db, approval.id, outcome);
    // Read again: the action may have changed the request itself (forgetting erases quoted text).
    const shown = (await findApproval(db, approval.id)) ?? approval;
    await this.#showOutcome(shown, `${choice.approves ? '✅' : '✖️'} ${choice.label}\n${outcome}`);
  }

  async #showOutcome(approval: Approval, line: string): Promise<void> {
    if (approval.messageId === null) return;
    await this.#options.chats.edit(approval.chatId, approval.messageId, { text: `${approval.summary}\n\n${escapeHtml(line)}`, html: true });
  }
}

function buttons(approval: Approval): OwnerButton[][] {
  return [approval.choices.map((choice) => ({ text: choice.label, data: `ap:${approval.id}:${choice.id}` }))];
}
