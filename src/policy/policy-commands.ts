import { Composer } from 'grammy';
import { latestAudit } from '../audit/index.js';
import type { Db } from '../db/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import { replyText, type BotContext, type CommandRegistry } from '../channels/telegram/index.js';
import type { PauseSwitch } from './pause-switch.js';

/** /pause, /resume and /audit. */
export function policyCommands(deps: { db: Db; pause: PauseSwitch; registry: CommandRegistry; timeZone: string }): Composer<BotContext> {
  const { db, pause, registry } = deps;
  registry.add({ command: 'pause', description: 'Stop every proactive or tool-driven action until /resume' });
  registry.add({ command: 'resume', description: 'Lift /pause' });
  registry.add({ command: 'audit', description: 'What ran, what left the machine, where to, how many bytes', args: '[count]' });
  const composer = new Composer<BotContext>();

  composer.command('pause', async (ctx) => {
    await pause.set(true);
    await replyText(ctx, 'Paused. No routines, notifications or actions will run until /resume. Chat still works.');
  });
  composer.command('resume', async (ctx) => {
    const was = pause.paused;
    await pause.set(false);
    await replyText(ctx, was ? 'Resumed. Routines and actions run again.' : 'Nothing was paused.');
  });
  composer.command('audit', async (ctx) => {
    const count = Math.min(50, Math.max(1, Number.parseInt(ctx.match, 10) || 15));
    const rows = await latestAudit(db, count);
    if (rows.length === 0) {
      await replyText(ctx, 'The audit log is empty.');
      return;
    }
    const format = new Intl.DateTimeFormat('en-GB', { timeZone: deps.timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    const lines = rows.map((row) => {
      const where = row.destination ? ` → ${row.destination}` : '';
      const bytes = row.bytesOut !== null || row.bytesIn !== null ? ` (${row.bytesOut ?? 0} B out, ${row.bytesIn ?? 0} B in)` : '';
      const what = typeof row.detail.what === 'string' ? `: ${row.detail.what}` : '';
      return `${format.format(row.at)} · ${row.actor} · ${row.action}${what}${where}${bytes}`;
    });
    await replyText(ctx, [`<b>Audit log</b> (latest ${rows.length})`, ...lines.map(escapeHtml)].join('\n'), { html: true });
  });
  return composer;
}
