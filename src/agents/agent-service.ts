import type { ApprovalService } from '../approvals/index.js';
import type { Voice } from '../assistant/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { deleteSetting, getSetting, setSetting } from '../settings/index.js';
import { loadTemplate, loadTemplates, type AgentTemplate, type TemplateDirs } from './agent-template.js';
import {
  approveSoulDraft,
  declineSoulDraft,
  findSoulDraft,
  getAgent,
  insertSoulDraft,
  onboardingAgent,
  restoreSoulVersion,
  saveAgent,
  soulVersions,
  type AgentRow,
  type AgentState,
} from './agents-repo.js';
import { lineDiff } from './line-diff.js';

export const FOREGROUND_SETTING = 'agents.foreground';
const SOUL_APPROVAL = 'agent-soul';
const SOUL_APPROVAL_TTL_MS = 7 * 86_400_000;
const DIFF_CHARS = 3_000;

export interface AgentView {
  template: AgentTemplate;
  state: AgentState;
  /** The approved soul version in force, if any. */
  soulVersion: number | undefined;
}

export interface AgentServiceDeps {
  db: Db;
  approvals: ApprovalService;
  dirs: TemplateDirs;
  log: Logger;
  now: () => Date;
  /** Called after any state change (heartbeat jobs follow the active agents). */
  changed?: () => void;
}

/** What the owner sees next: a line of text (Telegram HTML when `html`). */
export interface Reply {
  text: string;
  html?: boolean;
}

/**
 * The specialists: their state (dormant → onboarding → active ⇄ paused), the onboarding
 * interview, soul drafts the owner approves as a diff, soul versions and rollback, and who
 * is in the foreground. Z, the chief of staff, is not a template: it is who speaks when no
 * specialist is in the foreground.
 */
export class AgentService {
  readonly #deps: AgentServiceDeps;
  /** Active agents as last read: the heartbeat jobs are listed from this. */
  #active: AgentTemplate[] = [];

  constructor(deps: AgentServiceDeps) {
    this.#deps = deps;
    deps.approvals.on(SOUL_APPROVAL, async (approval, choice) => this.#decideSoul(approval.payload, choice.approves));
  }

  get active(): readonly AgentTemplate[] {
    return this.#active;
  }

  /** Re-reads which agents are active; returns every agent as `list` does. */
  async refresh(): Promise<AgentView[]> {
    const views = await this.list();
    this.#active = views.filter((view) => view.state === 'active').map((view) => view.template);
    this.#deps.changed?.();
    return views;
  }

  async list(): Promise<AgentView[]> {
    const views: AgentView[] = [];
    for (const load of await loadTemplates(this.#deps.dirs)) {
      if (!load.ok) {
        this.#deps.log.warn({ agent: load.name, problem: load.problem }, 'agent template unusable');
        continue;
      }
      const row = await getAgent(this.#deps.db, load.template.name);
      const [soul] = await soulVersions(this.#deps.db, load.template.name);
      views.push({ template: load.template, state: row.state, soulVersion: soul?.version });
    }
    return views;
  }

  async template(name: string): Promise<AgentTemplate | undefined> {
    const load = await loadTemplate(this.#deps.dirs, name);
    return load.ok ? load.template : undefined;
  }

  /** The soul in force: the newest approved version, else the template's soul.md. */
  async soul(template: AgentTemplate): Promise<string> {
    const [latest] = await soulVersions(this.#deps.db, template.name);
    return latest?.text ?? template.soul;
  }

  /**
   * Starts the onboarding interview (or, with an approved soul already, wakes the agent).
   * `reinterview` runs the interview again for an agent that has a soul: the new answers
   * become a new draft, shown as a diff against the soul in force.
   */
  async activate(name: string, options: { reinterview?: boolean } = {}): Promise<Reply> {
    const template = await this.template(name);
    if (!template) return { text: `There is no agent called “${name}”. /agents lists them.` };
    const row = await getAgent(this.#deps.db, name);
    if (row.state === 'active' && options.reinterview !== true) return { text: `${template.title} is already active.` };
    const [soul] = await soulVersions(this.#deps.db, name);
    if (template.questions.length === 0 || (soul && options.reinterview !== true)) {
      if (!soul) await this.#approveDirectly(template);
      await this.#setState(row, 'active');
      return { text: `${template.title} is active. /agent ${name} talks to it; its heartbeat runs on schedule.` };
    }
    const busy = await onboardingAgent(this.#deps.db);
    if (busy && busy.name !== name) await saveAgent(this.#deps.db, { ...busy, state: await this.#restingState(busy.name), step: 0, answers: [] }, this.#deps.now());
    await saveAgent(this.#deps.db, { name, state: 'onboarding', step: 0, answers: [] }, this.#deps.now());
    await this.refresh();
    return {
      text: `${template.title}: a few questions so I can work for you (${template.questions.length}; /cancel stops).\n\n1. ${template.questions[0] ?? ''}`,
    };
  }

  /** The agent being interviewed, if any: free text goes to it as an answer. */
  async interviewing(): Promise<AgentRow | undefined> {
    return onboardingAgent(this.#deps.db);
  }

  async cancelInterview(): Promise<Reply | undefined> {
    const row = await onboardingAgent(this.#deps.db);
    if (!row) return undefined;
    const state = await this.#restingState(row.name);
    await saveAgent(this.#deps.db, { ...row, state, step: 0, answers: [] }, this.#deps.now());
    await this.refresh();
    return { text: `Onboarding stopped; the answers were not kept. The agent is ${state}.` };
  }

  /** Where an interrupted or declined interview leaves an agent: active with a soul, else dormant. */
  async #restingState(name: string): Promise<AgentState> {
    return (await soulVersions(this.#deps.db, name)).length > 0 ? 'active' : 'dormant';
  }

  /**
   * Records one answer. After the last question the answers become a soul draft and the
   * owner gets an approval showing it as a diff against the soul in force.
   */
  async answer(text: string, chatId: number): Promise<Reply> {
    const row = await onboardingAgent(this.#deps.db);
    if (!row) return { text: 'No onboarding is running.' };
    const template = await this.template(row.name);
    if (!template) {
      await saveAgent(this.#deps.db, { ...row, state: 'dormant', step: 0, answers: [] }, this.#deps.now());
      return { text: `The agent “${row.name}” has no usable template any more; onboarding stopped.` };
    }
    const question = template.questions[row.step] ?? '';
    const answers = [...row.answers, { question, answer: text.trim() }];
    const step = row.step + 1;
    await saveAgent(this.#deps.db, { ...row, step, answers }, this.#deps.now());
    const next = template.questions[step];
    if (next !== undefined) return { text: `${step + 1}. ${next}` };
    const current = await this.soul(template);
    const draft = soulDraft(template.soul, answers, this.#deps.now());
    const draftId = await insertSoulDraft(this.#deps.db, template.name, draft, this.#deps.now());
    await this.#deps.approvals.request({
      kind: SOUL_APPROVAL,
      payload: { draftId, agent: template.name },
      summary: diffSummary(template.title, current, draft),
      html: true,
      choices: [
        { id: 'y', label: 'Approve soul', approves: true },
        { id: 'n', label: 'Decline', approves: false },
      ],
      chatId,
      ttlMs: SOUL_APPROVAL_TTL_MS,
    });
    return { text: `Thank you. Here is the soul I drafted for ${template.title} from your answers; approve it to activate the agent.` };
  }

  async setPaused(name: string, paused: boolean): Promise<Reply> {
    const template = await this.template(name);
    if (!template) return { text: `There is no agent called “${name}”.` };
    const row = await getAgent(this.#deps.db, name);
    if (paused && row.state !== 'active') return { text: `${template.title} is not active.` };
    if (!paused && row.state !== 'paused') return { text: `${template.title} is not paused.` };
    await this.#setState(row, paused ? 'paused' : 'active');
    if (paused && (await this.foregroundName()) === name) await deleteSetting(this.#deps.db, FOREGROUND_SETTING);
    return { text: paused ? `${template.title} is paused: no heartbeat, not in the foreground.` : `${template.title} is active again.` };
  }

  /** Rollback: an earlier soul version becomes the newest. */
  async rollback(name: string, version: number): Promise<Reply> {
    const restored = await restoreSoulVersion(this.#deps.db, name, version, this.#deps.now());
    if (restored === undefined) return { text: `${name} has no soul version ${version}.` };
    return { text: `Rolled back: version ${restored} of ${name}'s soul is a copy of version ${version}, and is in force now.` };
  }

  async versions(name: string): Promise<{ version: number; approvedAt: Date; firstLine: string }[]> {
    return (await soulVersions(this.#deps.db, name)).map((soul) => ({ version: soul.version, approvedAt: soul.approvedAt, firstLine: soul.text.split('\n')[0] ?? '' }));
  }

  async foregroundName(): Promise<string | undefined> {
    return getSetting(this.#deps.db, FOREGROUND_SETTING);
  }

  async setForeground(name: string | undefined): Promise<Reply> {
    if (name === undefined) {
      await deleteSetting(this.#deps.db, FOREGROUND_SETTING);
      return { text: 'Z here again, your chief of staff.' };
    }
    const template = await this.template(name);
    if (!template) return { text: `There is no agent called “${name}”. /agents lists them.` };
    const row = await getAgent(this.#deps.db, name);
    if (row.state !== 'active') return { text: `${template.title} is ${row.state}. Activate it in /agents first.` };
    await setSetting(this.#deps.db, FOREGROUND_SETTING, name);
    return { text: `${template.title} here. Ask me anything in my field; /cos brings Z back.` };
  }

  /**
   * Who speaks this turn. A specialist in the foreground speaks with its soul and its
   * allowlisted tools. Z speaks otherwise, named once there is more than one voice.
   */
  async voice(): Promise<Voice> {
    const name = await this.foregroundName();
    if (name !== undefined) {
      const template = await this.template(name);
      const row = await getAgent(this.#deps.db, name);
      if (template && row.state === 'active') {
        const allowed = new Set(template.tools);
        return { name, label: `${template.title}: `, persona: await this.soul(template), allows: (tool) => allowed.has(tool) };
      }
      await deleteSetting(this.#deps.db, FOREGROUND_SETTING);
    }
    const specialists = this.#active.length > 0;
    return { name: 'Z', label: specialists ? 'Z: ' : '' };
  }

  async #decideSoul(payload: unknown, approves: boolean): Promise<string> {
    const draftId = typeof payload === 'object' && payload !== null && 'draftId' in payload ? Number(payload.draftId) : Number.NaN;
    const draft = Number.isInteger(draftId) ? await findSoulDraft(this.#deps.db, draftId) : undefined;
    if (!draft) return 'This draft no longer exists.';
    const row = await getAgent(this.#deps.db, draft.agent);
    if (!approves) {
      await declineSoulDraft(this.#deps.db, draft.id);
      const state = await this.#restingState(draft.agent);
      if (row.state === 'onboarding') await this.#setState({ ...row, step: 0, answers: [] }, state);
      return state === 'active' ? 'Declined. The soul in force stays as it was.' : 'Declined. The agent stays dormant; activate it again to redo the interview.';
    }
    const version = await approveSoulDraft(this.#deps.db, draft.id, this.#deps.now());
    if (version === undefined) return 'This draft was already decided.';
    await this.#setState({ ...row, step: 0 }, 'active');
    return `Approved: soul version ${version}. The agent is active; /agent ${draft.agent} talks to it.`;
  }

  async #approveDirectly(template: AgentTemplate): Promise<void> {
    const id = await insertSoulDraft(this.#deps.db, template.name, template.soul, this.#deps.now());
    await approveSoulDraft(this.#deps.db, id, this.#deps.now());
  }

  async #setState(row: AgentRow, state: AgentState): Promise<void> {
    await saveAgent(this.#deps.db, { ...row, state }, this.#deps.now());
    await this.refresh();
  }
}

/** The template's persona plus what the owner said in the interview. */
export function soulDraft(templateSoul: string, answers: { question: string; answer: string }[], now: Date): string {
  const lines = answers.map((entry) => `- ${entry.question}\n  ${entry.answer.replace(/\s+/g, ' ')}`);
  return `${templateSoul.trim()}\n\n## What my owner told me (onboarding, ${now.toISOString().slice(0, 10)})\n\n${lines.join('\n')}`;
}

function diffSummary(title: string, current: string, draft: string): string {
  let diff = lineDiff(current, draft).join('\n');
  if (diff.length > DIFF_CHARS) diff = `${diff.slice(0, DIFF_CHARS)}\n… (${diff.length - DIFF_CHARS} more characters)`;
  return `<b>New soul for ${escapeHtml(title)}</b> (+ added, − removed)\n<pre>${escapeHtml(diff)}</pre>`;
}
