import { z } from 'zod';
import type { ApprovalService } from '../approvals/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { ChatMessenger, OwnerMessenger } from '../messenger/index.js';
import { ensureCapabilitySchema } from '../sql/index.js';
import type { Tool, ToolOutcome, ToolRegistry } from '../tools/index.js';
import {
  activate,
  approvedVersions,
  decideVersion,
  disable,
  failedSince,
  findState,
  findVersion,
  insertVersion,
  recordFailure,
  recordSuccess,
  listStates,
  type CapabilityVersion,
} from './capabilities-repo.js';
import { inputSchemaOf, proposalHash, type CapabilityProposal } from './capability-proposal.js';
import { capabilityHost, type CapabilityHostDeps } from './host/capability-host.js';
import { permissionDiff } from './permission-diff.js';
import { runSandboxed, type SandboxLimits } from './sandbox/index.js';
import { validateCapability } from './validate-capability.js';

export interface CapabilityServiceDeps {
  db: Db;
  /** Long code goes to the owner's chat as a file next to its approval. */
  chats: ChatMessenger;
  approvals: ApprovalService;
  tools: ToolRegistry;
  messenger: OwnerMessenger;
  log: Logger;
  clock: () => Date;
  host: CapabilityHostDeps;
  limits?: Partial<SandboxLimits>;
}

/** Fix rounds the model gets per capability within FIX_WINDOW_MS. */
export const FIX_ROUNDS = 3;
const FIX_WINDOW_MS = 3_600_000;
/** Failed runs in a row after which a capability turns itself off. */
export const FAILURE_LIMIT = 3;
/** Code longer than this goes to the owner as a document next to the approval. */
const INLINE_CODE_CHARS = 1_200;
const RESULT_CHARS = 4_000;
const ROLLBACK_TTL_MS = 7 * 24 * 3_600_000;

const DecisionPayload = z.object({ name: z.string(), version: z.number().int(), hash: z.string() });
const RollbackPayload = z.object({ name: z.string(), from: z.number().int(), to: z.number().int() });

export const CAPABILITY_TOOL_PREFIX = 'cap_';

/**
 * The lifecycle of capabilities Z writes: validate a proposal in the sandbox (the model
 * gets FIX_ROUNDS tries), ask the owner with the permissions diff, the test report and
 * the hash, activate an approved version at once (its tool is registered in place),
 * roll back with one button, run calls in the sandbox with only the host functions the
 * version was approved for, and turn a capability off after FAILURE_LIMIT failed runs.
 */
export class CapabilityService {
  readonly #deps: CapabilityServiceDeps;

  constructor(deps: CapabilityServiceDeps) {
    this.#deps = deps;
    deps.approvals.on('capability', async (approval, choice) => {
      const payload = DecisionPayload.safeParse(approval.payload);
      if (!payload.success) return 'Not done: this request is damaged.';
      return choice.approves ? this.#approve(payload.data, approval.chatId) : this.#decline(payload.data);
    });
    deps.approvals.on('capability_rollback', async (approval, choice) => {
      const payload = RollbackPayload.safeParse(approval.payload);
      if (!payload.success) return 'Not done: this request is damaged.';
      if (!choice.approves) return 'Kept.';
      return this.rollback(payload.data.name, payload.data.to, payload.data.from);
    });
  }

  /**
   * Registers the tool of every enabled capability's active version (at start), and sets its
   * schema and role up again (a restore into a new cluster brings no roles or grants).
   */
  async load(): Promise<void> {
    for (const state of await listStates(this.#deps.db)) {
      if (!state.enabled || state.activeVersion === null) continue;
      const version = await findVersion(this.#deps.db, state.name, state.activeVersion);
      if (!version) continue;
      if (version.permissions.sql) {
        try {
          await ensureCapabilitySchema(this.#deps.db, version.name);
        } catch (err) {
          this.#deps.log.warn({ err, capability: version.name }, 'capability schema could not be set up');
        }
      }
      this.#register(version);
    }
  }

  /**
   * `write_capability`: validates the proposal and, when it passes, asks the owner.
   * Returns what the model reads back: the report, and what to do next.
   */
  async propose(proposal: CapabilityProposal, chatId: number): Promise<string> {
    const { db, clock } = this.#deps;
    const now = clock();
    const rounds = await failedSince(db, proposal.name, new Date(now.getTime() - FIX_WINDOW_MS));
    if (rounds >= FIX_ROUNDS) {
      return `Not tried: ${proposal.name} failed validation ${rounds} times in the last hour, which is all the fix rounds there are. Stop, and tell the owner what did not work.`;
    }
    const report = await validateCapability(proposal, this.#deps.limits);
    const hash = proposalHash(proposal);
    if (!report.passed) {
      await insertVersion(db, { proposal, hash, testReport: report.lines.join('\n'), status: 'failed', at: now });
      const left = FIX_ROUNDS - rounds - 1;
      return [
        `${proposal.name} did not pass validation in the sandbox; the owner was not asked.`,
        ...report.lines,
        left > 0 ? `Fix it and call write_capability again (${left} round${left === 1 ? '' : 's'} left).` : 'No fix rounds are left: tell the owner what did not work.',
      ].join('\n');
    }
    const state = await findState(db, proposal.name);
    const previous = state?.activeVersion ? await findVersion(db, proposal.name, state.activeVersion) : undefined;
    const stored = await insertVersion(db, { proposal, hash, testReport: report.lines.join('\n'), status: 'proposed', at: now });
    const attachCode = stored.code.length > INLINE_CODE_CHARS;
    const summary = approvalText(stored, previous, attachCode);
    if (attachCode) await this.#sendCode(stored, chatId);
    const approval = await this.#deps.approvals.request({
      kind: 'capability',
      payload: { name: stored.name, version: stored.version, hash: stored.hash },
      summary,
      choices: [
        { id: 'y', label: 'Approve', approves: true },
        { id: 'n', label: 'Decline', approves: false },
      ],
      chatId,
    });
    if (approval.status !== 'pending') return `This proposal was already answered (${approval.status}).`;
    return `${stored.name} v${stored.version} passed validation (${report.lines.length} checks) and is waiting for the owner's approval. It is NOT active yet; do not say it is.`;
  }

  /** Makes `to` (an approved version) active again in place of `from`. */
  async rollback(name: string, to: number, from: number): Promise<string> {
    const { db, clock } = this.#deps;
    const state = await findState(db, name);
    if (!state || state.activeVersion !== from) return `Not done: ${name} is no longer at v${from}.`;
    const target = await findVersion(db, name, to);
    if (!target || target.status !== 'approved') return `Not done: v${to} of ${name} was never approved.`;
    if (target.permissions.sql) await ensureCapabilitySchema(db, name);
    await activate(db, name, to, clock());
    this.#register(target);
    return `↩ ${name} is back at v${to} (sha256 ${target.hash.slice(0, 16)}).`;
  }

  /** Turns a capability back on at its active version (after it turned itself off). */
  async enable(name: string): Promise<string> {
    const { db, clock } = this.#deps;
    const state = await findState(db, name);
    if (!state || state.activeVersion === null) return `There is no capability named ${name}.`;
    const version = await findVersion(db, name, state.activeVersion);
    if (!version) return `Not done: v${state.activeVersion} of ${name} is missing.`;
    await activate(db, name, version.version, clock());
    this.#register(version);
    return `${name} v${version.version} is on again.`;
  }

  async list(): Promise<{ state: Awaited<ReturnType<typeof listStates>>[number]; approved: CapabilityVersion[] }[]> {
    const states = await listStates(this.#deps.db);
    return Promise.all(states.map(async (state) => ({ state, approved: await approvedVersions(this.#deps.db, state.name) })));
  }

  async #approve(payload: z.infer<typeof DecisionPayload>, chatId: number): Promise<string> {
    const { db, clock, approvals } = this.#deps;
    const version = await findVersion(db, payload.name, payload.version);
    if (!version || version.hash !== payload.hash) return 'Not done: this version is not the one you were shown.';
    const before = await findState(db, version.name);
    if (version.status !== 'proposed') return `Not done: v${version.version} was already decided.`;
    // Its schema and role first: if they cannot be made, the version stays proposed.
    if (version.permissions.sql) await ensureCapabilitySchema(db, version.name);
    if (!(await decideVersion(db, version.id, 'approved', clock()))) return `Not done: v${version.version} was already decided.`;
    await activate(db, version.name, version.version, clock());
    this.#register(version);
    const previous = before?.activeVersion;
    if (previous !== null && previous !== undefined && previous !== version.version) {
      await approvals.request({
        kind: 'capability_rollback',
        payload: { name: version.name, from: version.version, to: previous },
        summary: `${version.name} v${version.version} is active (v${previous} before it).`,
        choices: [{ id: 'r', label: `↩ Roll back to v${previous}`, approves: true }],
        chatId,
        ttlMs: ROLLBACK_TTL_MS,
      });
    }
    return `${version.name} v${version.version} is active now as the tool ${CAPABILITY_TOOL_PREFIX}${version.name}.`;
  }

  async #decline(payload: z.infer<typeof DecisionPayload>): Promise<string> {
    const version = await findVersion(this.#deps.db, payload.name, payload.version);
    if (version) await decideVersion(this.#deps.db, version.id, 'declined', this.#deps.clock());
    return 'Declined. The capability was not changed.';
  }

  #register(version: CapabilityVersion): void {
    const { tools } = this.#deps;
    const schema = inputSchemaOf(version.inputSchema);
    if (!schema.ok) {
      this.#deps.log.warn({ capability: version.name, version: version.version }, 'stored capability schema unusable; not registered');
      return;
    }
    const name = `${CAPABILITY_TOOL_PREFIX}${version.name}`;
    tools.unregister(name);
    const tool: Tool = {
      name,
      description: `${version.description} (capability ${version.name} v${version.version}, runs sandboxed)`,
      tier: version.permissions.hosts.length > 0 ? 'L2' : 'L1',
      args: schema.schema,
      describe: (args, object) => (object ? `Run the capability with ${preview(args, 300)}` : `Run the capability ${version.name} v${version.version} with ${preview(args, 300)}`),
      // The approval names this exact version (number and hash): a call approved for it never runs a later one.
      resolve: async () => ({
        ok: true,
        object: { id: `${version.name} v${version.version}`, title: version.description.length > 80 ? `${version.description.slice(0, 80)}…` : version.description, where: `sha256 ${version.hash.slice(0, 16)}`, ref: { version: version.version, hash: version.hash } },
      }),
      run: async (args, ctx) => this.#run(version, args, ctx.object?.ref),
    };
    tools.register(tool);
  }

  async #run(version: CapabilityVersion, input: unknown, approvedFor?: unknown): Promise<ToolOutcome> {
    const { db, clock, log } = this.#deps;
    if (approvedFor !== undefined && !isSameVersion(approvedFor, version)) {
      const named = isVersionRef(approvedFor) ? `v${approvedFor.version}` : 'another version';
      return { content: `Not run: this call was asked for ${version.name} ${named}, and v${version.version} is active now. Ask again to run v${version.version}.` };
    }
    const state = await findState(db, version.name);
    if (!state?.enabled || state.activeVersion !== version.version) return { content: `Not run: ${version.name} v${version.version} is not the active, enabled version any more.` };
    let host;
    try {
      host = await capabilityHost(this.#deps.host, version);
    } catch (err) {
      return { content: `Not run: ${err instanceof Error ? err.message : String(err)}` };
    }
    const result = await runSandboxed({ code: version.code, input, host, ...(this.#deps.limits ? { limits: this.#deps.limits } : {}) });
    const logs = result.logs.length > 0 ? `\nIts log:\n${result.logs.slice(0, 10).join('\n')}` : '';
    if (result.ok) {
      await recordSuccess(db, version.name);
      return { content: `${preview(result.value, RESULT_CHARS)}${logs}`, summary: `Ran ${version.name} v${version.version}.` };
    }
    log.info({ capability: version.name, version: version.version, kind: result.kind }, 'capability run failed');
    const streak = await recordFailure(db, version.name, result.error, clock());
    if (streak >= FAILURE_LIMIT && (await disable(db, version.name, clock()))) {
      this.#deps.tools.unregister(`${CAPABILITY_TOOL_PREFIX}${version.name}`);
      await this.#deps.messenger.send(
        { text: `⚠️ The capability ${version.name} v${version.version} failed ${streak} times in a row and turned itself off.\nLast error: ${result.error}\nTurn it on again or roll back with /capabilities.` },
        { scope: `capability-disabled:${version.name}:${version.version}:${clock().toISOString()}` },
      );
      return { content: `The capability ${version.name} failed: ${result.error}. It has now failed ${streak} times in a row, turned itself off, and the owner was told.${logs}` };
    }
    return { content: `The capability ${version.name} failed: ${result.error}${logs}` };
  }

  async #sendCode(version: CapabilityVersion, chatId: number): Promise<void> {
    try {
      await this.#deps.chats.sendDocument(chatId, {
        name: `${version.name}-v${version.version}.js`,
        content: version.code,
        caption: `${version.name} v${version.version} · sha256 ${version.hash.slice(0, 16)}`,
      });
    } catch (err) {
      this.#deps.log.warn({ err, capability: version.name }, 'capability code could not be attached');
    }
  }
}

function approvalText(version: CapabilityVersion, previous: CapabilityVersion | undefined, attached: boolean): string {
  const lines = [
    previous ? `🧩 Update the capability ${version.name}: v${previous.version} → v${version.version}?` : `🧩 Add the capability ${version.name} (v${version.version})?`,
    version.description,
    '',
    `Permissions${previous ? ` (changes against v${previous.version})` : ''}:`,
    ...permissionDiff(previous?.permissions, version.permissions),
    `Risk: ${version.permissions.hosts.length > 0 ? 'L2 (it reaches the network: each call asks unless you allow it with /policy)' : 'L1 (local only: runs and is audited)'}`,
    '',
    'Sandbox tests:',
    ...version.testReport.split('\n'),
    '',
    `sha256 ${version.hash}`,
    attached ? `Code: ${version.code.split('\n').length} lines, attached above as ${version.name}-v${version.version}.js.` : `Code:\n${version.code}`,
  ];
  return lines.join('\n');
}

function preview(value: unknown, max: number): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > max ? `${text.slice(0, max)}… (cut)` : text;
}

function isVersionRef(ref: unknown): ref is { version: number; hash: string } {
  return typeof ref === 'object' && ref !== null && typeof (ref as { version?: unknown }).version === 'number' && typeof (ref as { hash?: unknown }).hash === 'string';
}

function isSameVersion(ref: unknown, version: CapabilityVersion): boolean {
  return isVersionRef(ref) && ref.version === version.version && ref.hash === version.hash;
}
