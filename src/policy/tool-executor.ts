import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ApprovalService } from '../approvals/index.js';
import { writeAudit } from '../audit/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { nextEffectKey } from '../outbox/index.js';
import { describeCall, type ResolvedObject, type Tool, type ToolRegistry } from '../tools/index.js';
import type { OwnerPolicy } from './owner-policy.js';
import type { PauseSwitch } from './pause-switch.js';
import { decideToolCall } from './tool-policy.js';

export type ToolCallStatus = 'ran' | 'invalid' | 'unresolved' | 'awaiting-approval' | 'paused' | 'failed';

export interface ToolCallReport {
  status: ToolCallStatus;
  /** What the model reads back. */
  content: string;
}

export interface ToolExecutorDeps {
  registry: ToolRegistry;
  approvals: ApprovalService;
  pause: PauseSwitch;
  /** The owner's approval policy; only `/policy` changes it. */
  policy: OwnerPolicy;
  db: Db;
  log: Logger;
  /** How long an Undo button works. */
  undoTtlMs: number;
}

/** What an approval of kind `tool` stores: the call, and the exact object it was shown with. */
const ToolApprovalPayload = z.object({
  tool: z.string(),
  args: z.unknown(),
  object: z.object({ id: z.string(), title: z.string(), where: z.string().optional(), ref: z.unknown() }).optional(),
});

/**
 * The action gate: carries out the model's tool calls under the owner's policy.
 * Validates the arguments, resolves the exact object a call targets, runs L0/L1
 * (and L2 the owner allowed with /policy), turns L2/L3 into an approval request
 * that shows that object by id and title, refuses everything but L0 while paused,
 * audits every L1+ action, and offers Undo where the tool knows its inverse.
 */
export class ToolExecutor {
  readonly #deps: ToolExecutorDeps;

  constructor(deps: ToolExecutorDeps) {
    this.#deps = deps;
    deps.approvals.on('tool', async (approval, choice) => {
      if (!choice.approves) return 'Declined. Nothing was done.';
      const payload = ToolApprovalPayload.safeParse(approval.payload);
      if (!payload.success) return 'Not done: this request is damaged.';
      const checked = deps.registry.check(payload.data.tool, payload.data.args);
      if (!checked.ok) return `Not done: ${checked.error}`;
      const object = payload.data.object as ResolvedObject | undefined;
      // Approved against an exact object: never re-resolved from the model's words.
      if (checked.tool.resolve && !object) return 'Not done: this request does not name its exact target. Ask again.';
      if (deps.pause.paused) return 'Not done: everything is paused (/resume first, then ask again).';
      const outcome = await this.#run(checked.tool, checked.args, approval.chatId, 'owner-approved', object);
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

  /** `actor` names the agent asking (provenance for the tool and the audit log); it grants nothing. */
  async execute(name: string, rawArgs: unknown, chatId: number, options: { actor?: string } = {}): Promise<ToolCallReport> {
    const { registry, pause, policy, approvals, log } = this.#deps;
    const checked = registry.check(name, rawArgs);
    if (!checked.ok) return { status: 'invalid', content: checked.error };
    const { tool, args } = checked;
    try {
      let object: ResolvedObject | undefined;
      if (tool.resolve && tool.tier !== 'L0') {
        const resolution = await tool.resolve(args);
        if (!resolution.ok) return { status: 'unresolved', content: `Not done, nothing was asked: ${resolution.error}` };
        object = resolution.object;
      }
      const what = describeCall(tool, args, object);
      const ownerAllows = tool.tier === 'L2' && (await policy.allows(tool.name));
      const decision = decideToolCall(tool.tier, { paused: pause.paused, ownerAllows });
      if (decision === 'paused') {
        return { status: 'paused', content: `Not done: the owner has paused all actions. Tell them that "${what}" needs /resume first.` };
      }
      if (decision === 'approve') {
        const approval = await approvals.request({
          kind: 'tool',
          payload: { tool: tool.name, args, ...(object ? { object } : {}) },
          summary: `Approve this action?\n${what}\n(risk ${tool.tier}${tool.tier === 'L3' ? ': always asks' : ''})`,
          choices: [
            { id: 'y', label: 'Approve', approves: true },
            { id: 'n', label: 'Decline', approves: false },
          ],
          chatId,
        });
        if (approval.status !== 'pending') {
          return { status: 'awaiting-approval', content: `This request was already answered or expired (${approval.status}); "${what}" was not asked again.` };
        }
        return {
          status: 'awaiting-approval',
          content: `Waiting for the owner's approval (a request with buttons was sent). "${what}" has NOT happened yet; do not say it has.`,
        };
      }
      const auditActor = options.actor !== undefined && options.actor !== 'Z' ? `agent:${options.actor}` : 'assistant';
      const outcome = await this.#run(tool, args, chatId, auditActor, object, options.actor);
      return { status: 'ran', content: outcome.content };
    } catch (err) {
      log.warn({ err, tool: tool.name }, 'tool failed');
      return { status: 'failed', content: `The tool ${tool.name} failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async #run(
    tool: Tool,
    args: unknown,
    chatId: number,
    actor: string,
    object: ResolvedObject | undefined,
    agent?: string,
  ): Promise<{ content: string; summary: string | undefined }> {
    const { db, approvals, undoTtlMs } = this.#deps;
    const idempotencyKey = nextEffectKey(`tool:${tool.name}`) ?? `adhoc:${randomUUID()}`;
    const outcome = await tool.run(args, { idempotencyKey, chatId, ...(object ? { object } : {}), ...(agent !== undefined ? { actor: agent } : {}) });
    if (tool.tier !== 'L0') {
      const what = describeCall(tool, args, object);
      await writeAudit(db, { actor, action: `tool:${tool.name}`, detail: { what, key: idempotencyKey, ...(object ? { target: object.id } : {}) } });
      if (outcome.undo) {
        await approvals.request({
          kind: 'undo',
          payload: { kind: outcome.undo.kind, payload: outcome.undo.payload },
          summary: `✓ ${outcome.summary ?? what}\n(Undo: ${outcome.undo.label})`,
          choices: [{ id: 'u', label: 'Undo', approves: true }],
          chatId,
          ttlMs: undoTtlMs,
        });
      }
    }
    return { content: outcome.content, summary: outcome.summary };
  }
}
