import { Composer } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { replyText, type BotContext, type CommandRegistry } from '../channels/telegram/index.js';
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
export function agentCommands(deps: AgentCommandDeps): Composer<BotContext> {
  const { agents, registry } = deps;
  registry.add({ command: 'agents', description: 'Your specialist agents and their state, with buttons' });
  registry.add({ command: 'agent', description: 'Talk to a specialist agent (it answers until /cos)', args: '<name>' });
  registry.add({ command: 'cos', description: 'Back to Z, your chief of staff' });
  registry.add({ command: 'cancel', description: "Stop an agent's onboarding interview" });
  const composer = new Composer<BotContext>();
  const say = (ctx: BotContext, reply: Reply) => replyText(ctx, reply.text, reply.html ? { html: true } : {});

  composer.command('agents', async (ctx) => {
    const { text, buttons } = await overview();
    await replyText(ctx, text, { html: true, ...(buttons.length > 0 ? { buttons: { inline_keyboard: buttons } } : {}) });
  });

  composer.command('agent', async (ctx) => {
    const name = ctx.match.trim().toLowerCase();
    if (name === '') {
      await replyText(ctx, 'Usage: /agent <name>. /agents lists them.');
      return;
    }
    await say(ctx, await agents.setForeground(name));
  });

  composer.command('cos', async (ctx) => say(ctx, await agents.setForeground(undefined)));

  composer.command('cancel', async (ctx, next) => {
    const reply = await agents.cancelInterview();
    if (!reply) return next();
    await say(ctx, reply);
  });

  composer.callbackQuery(CALLBACK, async (ctx) => {
    const [, action = '', name = '', version] = CALLBACK.exec(ctx.callbackQuery.data) ?? [];
    await ctx.answerCallbackQuery().catch(() => undefined);
    switch (action) {
      case 'act':
      case 'redo':
        await say(ctx, await agents.activate(name, { reinterview: action === 'redo' }));
        return;
      case 'pause':
      case 'resume':
        await say(ctx, await agents.setPaused(name, action === 'pause'));
        return;
      case 'talk':
        await say(ctx, await agents.setForeground(name));
        return;
      case 'souls':
        await showVersions(ctx, name);
        return;
      case 'rb':
        await say(ctx, await agents.rollback(name, Number(version)));
        return;
    }
  });

  // While an agent is being interviewed, the owner's plain text is the next answer.
  composer.on('message:text', async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    if (!(await agents.interviewing())) return next();
    const chatId = ctx.chat.id;
    await say(ctx, await agents.answer(ctx.message.text, chatId));
  });

  async function showVersions(ctx: BotContext, name: string): Promise<void> {
    const versions = await agents.versions(name);
    if (versions.length === 0) {
      await replyText(ctx, `${name} has no approved soul yet.`);
      return;
    }
    const [current, ...older] = versions;
    const lines = [`<b>Soul versions of ${escapeHtml(name)}</b>`, ...versions.map((v) => `v${v.version} (${formatLocal(v.approvedAt, deps.timeZone)})${v === current ? ' — in force' : ''}`)];
    const buttons: InlineKeyboardButton[][] = older.slice(0, 8).map((v) => [{ text: `Roll back to v${v.version}`, callback_data: `ag:rb:${name}:${v.version}` }]);
    await replyText(ctx, lines.join('\n'), { html: true, ...(buttons.length > 0 ? { buttons: { inline_keyboard: buttons } } : {}) });
  }

  async function overview(): Promise<{ text: string; buttons: InlineKeyboardButton[][] }> {
    const views = await agents.list();
    const foreground = await agents.foregroundName();
    const lines = ['<b>Agents</b>', `🧭 Z — chief of staff${foreground === undefined ? ' (in the foreground)' : ''}`];
    const buttons: InlineKeyboardButton[][] = [];
    for (const view of views) {
      const { name, title, schedule } = view.template;
      const soul = view.soulVersion !== undefined ? `, soul v${view.soulVersion}` : '';
      const heartbeat = schedule !== undefined && view.state === 'active' ? `, heartbeat ${escapeHtml(schedule)}` : '';
      lines.push(`${STATE_ICON[view.state]} ${escapeHtml(title)} (${name}) — ${view.state}${soul}${heartbeat}${foreground === name ? ' (in the foreground)' : ''}`);
      const row: InlineKeyboardButton[] = [];
      if (view.state === 'dormant' || view.state === 'onboarding') row.push({ text: `Activate ${title}`, callback_data: `ag:act:${name}` });
      if (view.state === 'active') row.push({ text: `Talk to ${title}`, callback_data: `ag:talk:${name}` }, { text: 'Pause', callback_data: `ag:pause:${name}` });
      if (view.state === 'paused') row.push({ text: `Resume ${title}`, callback_data: `ag:resume:${name}` });
      if (view.soulVersion !== undefined) row.push({ text: 'Soul versions', callback_data: `ag:souls:${name}` });
      if (view.state === 'active' && view.template.questions.length > 0) row.push({ text: 'Interview again', callback_data: `ag:redo:${name}` });
      buttons.push(row);
    }
    if (views.length === 0) lines.push('No specialist templates found (agents/ or personal/agents/).');
    return { text: lines.join('\n'), buttons };
  }

  return composer;
}
