import type { CommandRegistry } from '../commands/index.js';
import { ChatHandlers, type Buttons, type ChatTurn } from '../commands/index.js';
import type { OwnerButton } from '../messenger/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import { formatLocal } from '../time/index.js';
import type { AgentService, Reply } from './agent-service.js';

const CALLBACK = /^ag:(act|redo|pause|resume|talk|souls|rb):([a-z][a-z0-9-]{0,31})(?::(\d{1,6}))?$/;

const STATE_ICON = { dormant: '💤', onboarding: '📝', active: '🟢', paused: '⏸' } as const;

export interface AgentCommandDeps {
  agents: AgentService;
  registry: CommandRegistry;
  timeZone: string;
}

/** /agents (list with buttons), /agent <name>, /cos, /cancel, and onboarding answers in free text. */
export function agentCommands(deps: AgentCommandDeps): ChatHandlers {
  const { agents, registry } = deps;
  registry.add({ command: 'agents', description: 'Your specialist agents and their state, with buttons' });
  registry.add({ command: 'agent', description: 'Talk to a specialist agent (it answers until /cos)', args: '<name>' });
  registry.add({ command: 'cos', description: 'Back to Z, your chief of staff' });
  registry.add({ command: 'cancel', description: "Stop an agent's onboarding interview" });
  const handlers = new ChatHandlers();
  const say = (turn: ChatTurn, reply: Reply) => turn.reply(reply.text, reply.html ? { html: true } : {});

  handlers.command('agents', async (request) => {
    const { text, buttons } = await overview();
    await request.reply(text, { html: true, ...(buttons.length > 0 ? { buttons } : {}) });
  });

  handlers.command('agent', async (request) => {
    const name = request.args.trim().toLowerCase();
    if (name === '') {
      await request.reply('Usage: /agent <name>. /agents lists them.');
      return;
    }
    await say(request, await agents.setForeground(name));
  });

  handlers.command('cos', async (request) => {
    await say(request, await agents.setForeground(undefined));
  });

  handlers.command('cancel', async (request) => {
    const reply = await agents.cancelInterview();
    if (!reply) return 'pass';
    await say(request, reply);
  });

  handlers.button(CALLBACK, async (press) => {
    const [, action = '', name = '', version] = CALLBACK.exec(press.data) ?? [];
    await press.answer().catch(() => undefined);
    switch (action) {
      case 'act':
      case 'redo':
        await say(press, await agents.activate(name, { reinterview: action === 'redo' }));
        return;
      case 'pause':
      case 'resume':
        await say(press, await agents.setPaused(name, action === 'pause'));
        return;
      case 'talk':
        await say(press, await agents.setForeground(name));
        return;
      case 'souls':
        await showVersions(press, name);
        return;
      case 'rb':
        await say(press, await agents.rollback(name, Number(version)));
        return;
    }
  });

  // While an agent is being interviewed, the owner's plain text is the next answer.
  handlers.text(async (message) => {
    if (message.text.startsWith('/')) return 'pass';
    if (!(await agents.interviewing())) return 'pass';
    await say(message, await agents.answer(message.text, message.chatId));
  });

  async function showVersions(turn: ChatTurn, name: string): Promise<void> {
    const versions = await agents.versions(name);
    if (versions.length === 0) {
      await turn.reply(`${name} has no approved soul yet.`);
      return;
    }
    const [current, ...older] = versions;
    const lines = [`<b>Soul versions of ${escapeHtml(name)}</b>`, ...versions.map((v) => `v${v.version} (${formatLocal(v.approvedAt, deps.timeZone)})${v === current ? ' — in force' : ''}`)];
    const buttons: Buttons = older.slice(0, 8).map((v) => [{ text: `Roll back to v${v.version}`, data: `ag:rb:${name}:${v.version}` }]);
    await turn.reply(lines.join('\n'), { html: true, ...(buttons.length > 0 ? { buttons } : {}) });
  }

  async function overview(): Promise<{ text: string; buttons: Buttons }> {
    const views = await agents.list();
    const foreground = await agents.foregroundName();
    const lines = ['<b>Agents</b>', `🧭 Z — chief of staff${foreground === undefined ? ' (in the foreground)' : ''}`];
    const buttons: Buttons = [];
    for (const view of views) {
      const { name, title, schedule } = view.template;
      const soul = view.soulVersion !== undefined ? `, soul v${view.soulVersion}` : '';
      const heartbeat = schedule !== undefined && view.state === 'active' ? `, heartbeat ${escapeHtml(schedule)}` : '';
      lines.push(`${STATE_ICON[view.state]} ${escapeHtml(title)} (${name}) — ${view.state}${soul}${heartbeat}${foreground === name ? ' (in the foreground)' : ''}`);
      const row: OwnerButton[] = [];
      if (view.state === 'dormant' || view.state === 'onboarding') row.push({ text: `Activate ${title}`, data: `ag:act:${name}` });
      if (view.state === 'active') row.push({ text: `Talk to ${title}`, data: `ag:talk:${name}` }, { text: 'Pause', data: `ag:pause:${name}` });
      if (view.state === 'paused') row.push({ text: `Resume ${title}`, data: `ag:resume:${name}` });
      if (view.soulVersion !== undefined) row.push({ text: 'Soul versions', data: `ag:souls:${name}` });
      if (view.state === 'active' && view.template.questions.length > 0) row.push({ text: 'Interview again', data: `ag:redo:${name}` });
      buttons.push(row);
    }
    if (views.length === 0) lines.push('No specialist templates found (agents/ or personal/agents/).');
    return { text: lines.join('\n'), buttons };
  }

  return handlers;
}
