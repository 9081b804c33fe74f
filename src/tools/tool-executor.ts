import { randomUUID } from 'node:crypto';
import type { Api } from 'grammy';
import type { ApprovalService } from '../approvals/index.js';
import { writeAudit } from '../audit/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { nextEffectKey } from '../outbox/index.js';
import { allowPreferenceKey, decideToolCall, type PauseSwitch } from '../policy/index.js';
import { getPreference } from '../preferences/index.js';
import type { Tool } from './tool.js';
import type { ToolRegistry } from './tool-registry.js';

export type ToolCallStatus = 'ran' | 'invalid' | 'awaiting-approval' | 'paused' | 'failed';

export interface ToolCallReport {
  status: ToolCallStatus;
  /** What the model reads back. */
  content: string;
}

export interface ToolExecutorDeps {
  registry: ToolRegistry;
  approvals: ApprovalService;
  pause: PauseSwitch;
  db: Db;
  api: Api;
  log: Logger;
  /** How long an Undo button works. */
  undoTtlMs: number;
}

/**
 * Carries out the model's tool calls under the owner's policy: validates the
 * arguments, runs L0/L1 (and L2 the owner allowed), turns L2/L3 into an approval
 * request, refuses everything but L0 while paused, audits every L1+ action, and
 * offers Undo where the tool knows its inverse.
 */
export class ToolExecutor {
  readonly #deps: ToolExecutorDeps;

  constructor(deps: ToolExecutorDeps) {
    this.#deps = deps;
    deps.approvals.on('tool', async (approval, choice) => {
      if (!choice.approves) return 'Declined. Nothing was done.';
      const payload = approval.payload as { tool: string; args: unknown };
      const checked = deps.registry.check(payload.tool, payload.args);
      if (!checked.ok) return `Not done: ${checked.error}`;
      if (deps.pause.paused) return 'Not done: everything is paused (/resume first, then ask again).';
      const outcome = await this.#run(checked.tool, checked.args, approval.chatId, 'owner-approved');
      return outcome.summary ?? outcome.content;
    });
    deps.approvals.on('undo', async (approval, choice) => {
      if (!choice.approves) return 'Kept.';
      const undo = approval.payload as { kind: string; payload: unknown };
      const handler = deps.registry.undoHandler(undo.kind);
      if (!handler) return 'This action can no longer be undone.';
      const result = await handler(undo.payload);
      await writeAudit(deps.db, { actor: 'owner', action: `undo:${undo.kind}`, detail: { approvalId: approval.id } });
      return result;
    });
  }

  async execute(name: string, rawArgs: unknown, chatId: number): Promise<ToolCallReport> {
    const { registry, pause, db, approvals, log } = this.#deps;
    const checked = registry.check(name, rawArgs);
    if (!checked.ok) return { status: 'invalid', content: checked.error };
    const { tool, args } = checked;
    const ownerAllows = tool.tier === 'L2' && (await getPreference(db, allowPreferenceKey(tool.name))) === 'true';
    const decision = decideToolCall(tool.tier, { paused: pause.paused, ownerAllows });
    if (decision === 'paused') {
      return { status: 'paused', content: `Not done: the owner has paused all actions. Tell them that "${tool.describe(args)}" needs /resume first.` };
    }
    if (decision === 'approve') {
      await approvals.request({
        kind: 'tool',
        payload: { tool: tool.name, args },
        summary: `Approve this action?\n${tool.describe(args)}\n(risk ${tool.tier}${tool.tier === 'L3' ? ': always asks' : ''})`,
        choices: [
          { id: 'y', label: 'Approve', approves: true },
          { id: 'n', label: 'Decline', approves: false },
        ],
        chatId,
      });
      return {
        status: 'awaiting-approval',
        content: `Waiting for the owner's approval (a request with buttons was sent). "${tool.describe(args)}" has NOT happened yet; do not say it has.`,
      };
    }
    try {
      const outcome = await this.#run(tool, args, chatId, 'assistant');
      return { status: 'ran', content: outcome.content };
    } catch (err) {
      log.warn({ err, tool: tool.name }, 'tool failed');
      return { status: 'failed', content: `The tool ${tool.name} failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async #run(tool: Tool, args: unknown, chatId: number, actor: string): Promise<{ content: string; summary: string | undefined }> {
    const { db, approvals, undoTtlMs } = this.#deps;
    const idempotencyKey = nextEffectKey(`tool:${tool.name}`) ?? `adhoc:${randomUUID()}`;
    const outcome = await tool.run(args, { idempotencyKey, chatId });
    if (tool.tier !== 'L0') {
      await writeAudit(db, { actor, action: `tool:${tool.name}`, detail: { what: tool.describe(args), key: idempotencyKey } });
      if (outcome.undo) {
        await approvals.request({
          kind: 'undo',
          payload: { kind: outcome.undo.kind, payload: outcome.undo.payload },
          summary: `✓ ${outcome.summary ?? tool.describe(args)}\n(Undo: ${outcome.undo.label})`,
          choices: [{ id: 'u', label: 'Undo', approves: true }],
          chatId,
          ttlMs: undoTtlMs,
        });
      }
    }
    return { content: outcome.content, summary: outcome.summary };
  }
}
