import { latestAudit } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import type { CommandRegistry } from '../commands/index.js';
import { ChatHandlers } from '../commands/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { FORWARDED_REFUSAL } from './own-command.js';
import type { OwnerPolicy } from './owner-policy.js';
import type { PauseSwitch } from './pause-switch.js';
import { policyView, setToolPolicy } from './policy-view.js';

export interface PolicyCommandDeps {
  db: Db;
  pause: PauseSwitch;
  policy: OwnerPolicy;
  tools: ToolRegistry;
  registry: CommandRegistry;
  timeZone: string;
}

const POLICY_BUTTON = /^pol:([ak]):([a-z][a-z0-9_]{0,56})$/;

/** /pause, /resume, /policy (with its buttons) and /audit. */
export function policyCommands(deps: PolicyCommandDeps): ChatHandlers {
  const { db, pause, policy, tools, registry } = deps;
  registry.add({ command: 'pause', description: 'Stop every proactive or tool-driven action until /resume' });
  registry.add({ command: 'resume', description: 'Lift /pause' });
  registry.add({ command: 'policy', description: 'Which actions ask you first; change it with the buttons', args: '[allow|ask <tool>]' });
  registry.add({ command: 'audit', description: 'What ran, what left the machine, where to, how many bytes', args: '[count]' });
  const handlers = new ChatHandlers();

  handlers.command('pause', async (request) => {
    await pause.set(true);
    await request.reply('Paused. No routines, notifications or actions will run until /resume. Chat still works.');
  });
  handlers.command('resume', async (request) => {
    if (request.forwarded) {
      await request.reply(FORWARDED_REFUSAL);
      return;
    }
    const was = pause.paused;
    await pause.set(false);
    await request.reply(was ? 'Resumed. Routines and actions run again.' : 'Nothing was paused.');
  });
  handlers.command('policy', async (request) => {
    if (request.forwarded) {
      await request.reply(FORWARDED_REFUSAL);
      return;
    }
    const match = /^\s*(allow|ask)\s+([A-Za-z0-9_]+)\s*$/i.exec(request.args);
    let note: string | undefined;
    if (match?.[1] && match[2]) {
      note = await setToolPolicy(policy, tools, match[2].toLowerCase(), match[1].toLowerCase() === 'allow');
    } else if (request.args.trim() !== '') {
      note = 'Use /policy, /policy allow <tool> or /policy ask <tool>.';
    }
    const view = await policyView(policy, tools, note);
    await request.reply(view.text, { html: true, buttons: view.buttons });
  });
  handlers.button(POLICY_BUTTON, async (press) => {
    const [, action = '', tool = ''] = POLICY_BUTTON.exec(press.data) ?? [];
    const note = await setToolPolicy(policy, tools, tool, action === 'a');
    await press.answer(note.slice(0, 190));
    const view = await policyView(policy, tools, note);
    await press.edit(view.text, { html: true, buttons: view.buttons }).catch(() => undefined);
  });
  handlers.command('audit', async (request) => {
    const count = Math.min(50, Math.max(1, Number.parseInt(request.args, 10) || 15));
    const rows = await latestAudit(db, count);
    if (rows.length === 0) {
      await request.reply('The audit log is empty.');
      return;
    }
    const format = new Intl.DateTimeFormat('en-GB', { timeZone: deps.timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    const lines = rows.map((row) => {
      const where = row.destination ? ` → ${row.destination}` : '';
      const bytes = row.bytesOut !== null || row.bytesIn !== null ? ` (${row.bytesOut ?? 0} B out, ${row.bytesIn ?? 0} B in)` : '';
      const what = typeof row.detail.what === 'string' ? `: ${row.detail.what}` : '';
      return `${format.format(row.at)} · ${row.actor} · ${row.action}${what}${where}${bytes}`;
    });
    await request.reply([`<b>Audit log</b> (latest ${rows.length})`, ...lines.map(escapeHtml)].join('\n'), { html: true });
  });
  return handlers;
}
