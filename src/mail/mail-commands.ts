import { escapeHtml } from '../channels/telegram/format/index.js';
import type { CommandRegistry } from '../commands/index.js';
import { ChatHandlers, type Buttons } from '../commands/index.js';
import type { Db } from '../db/index.js';
import { startOfZonedDay } from '../calendar/zoned-day.js';
import { describeRule, type EmailAction } from './email-rules.js';
import { triagedSince } from './mail-repo.js';
import { listRules, removeRule } from './rules-repo.js';

const RULE_DELETE = /^mr:del:(\d{1,9})$/;
const HEADINGS: Record<EmailAction, string> = { urgent: '🚨 Urgent', summarize: '📝 Summarized', archive: '🗄 Archived' };

export interface MailCommandDeps {
  db: Db;
  registry: CommandRegistry;
  timeZone: string;
  now: () => Date;
  /** A line when Google is not usable (not connected, revoked); undefined when it is. */
  problem: () => Promise<string | undefined>;
}

/** /mail (today's triage grouped by action) and /rules (with a delete button per rule). */
export function mailCommands(deps: MailCommandDeps): ChatHandlers {
  const { db, registry, timeZone, now } = deps;
  registry.add({ command: 'mail', description: "Today's mail triage, grouped by urgent / summarized / archived" });
  registry.add({ command: 'rules', description: 'Your email rules (first match wins), with delete buttons; ask Z to add or change one' });
  const handlers = new ChatHandlers();

  handlers.command('mail', async (request) => {
    const problem = await deps.problem();
    const mails = await triagedSince(db, startOfZonedDay(now(), timeZone));
    const lines: string[] = problem ? [escapeHtml(problem), ''] : [];
    if (mails.length === 0) lines.push('No mail triaged today.');
    for (const action of ['urgent', 'summarize', 'archive'] as const) {
      const group = mails.filter((m) => m.action === action);
      if (group.length === 0) continue;
      lines.push(`<b>${HEADINGS[action]} (${group.length})</b>`);
      for (const mail of group.slice(0, 30)) {
        const who = escapeHtml(senderName(mail.sender));
        const what = escapeHtml(mail.subject || '(no subject)');
        lines.push(`• ${who}: ${what}${mail.summary && action !== 'archive' ? ` — ${escapeHtml(mail.summary)}` : ''}`);
      }
      if (group.length > 30) lines.push(`… and ${group.length - 30} more`);
      lines.push('');
    }
    await request.reply(lines.join('\n').trim(), { html: true });
  });

  handlers.command('rules', async (request) => {
    const rules = await listRules(db);
    if (rules.length === 0) {
      await request.reply('No email rules: all mail is summarized. Tell me one, e.g. “mail from school.example.org is urgent”.');
      return;
    }
    const text = ['<b>Email rules</b> (first match wins; mail no rule matches is summarized)', ...rules.map((r, i) => `${i + 1}. <code>${escapeHtml(describeRule(r))}</code>`)].join('\n');
    await request.reply(text, { html: true, buttons: deleteButtons(rules) });
  });

  handlers.button(RULE_DELETE, async (press) => {
    const id = Number(RULE_DELETE.exec(press.data)?.[1]);
    const removed = await removeRule(db, id, now());
    await press.answer(removed ? 'Rule deleted.' : 'That rule is already gone.');
    const rules = await listRules(db);
    const text = rules.length === 0 ? 'No email rules left: all mail is summarized.' : ['<b>Email rules</b>', ...rules.map((r, i) => `${i + 1}. <code>${escapeHtml(describeRule(r))}</code>`)].join('\n');
    await press.edit(text, { html: true, buttons: deleteButtons(rules) }).catch(() => undefined);
  });

  return handlers;
}

function deleteButtons(rules: ReadonlyArray<{ id: number }>): Buttons {
  return rules.slice(0, 40).map((r, i) => [{ text: `🗑 Delete ${i + 1}`, data: `mr:del:${r.id}` }]);
}

/** `"Name" <addr>` → Name; a bare address stays. */
export function senderName(from: string): string {
  const match = /^\s*"?([^"<]+?)"?\s*<[^>]+>\s*$/.exec(from);
  return (match?.[1] ?? from).trim() || '(unknown sender)';
}
