import { randomUUID } from 'node:crypto';
import { Composer } from 'grammy';
import type { Feature, FeatureDeps } from '../app/feature.js';
import { replyText, type BotContext } from '../channels/telegram/index.js';
import type { ScheduledJob } from '../routines/contracts.js';
import { formatLocal, type Clock } from '../time/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { REMINDER_CALLBACK, REMINDER_DELETE_CALLBACK, reminderDeleteButton, ReminderService, type ReminderAction } from './reminder-service.js';
import { describeRepeat, parseReminder } from './reminder-time.js';
import { registerReminderTools } from './reminder-tools.js';

export interface RemindersFeatureDeps extends FeatureDeps {
  tools: ToolRegistry;
  clock?: Clock;
}

/** Reminders made in chat: /remind, /reminders, the buttons on a fired reminder, the set_reminder tool and the firing job. */
export function createRemindersFeature(deps: RemindersFeatureDeps): Feature {
  const { db, messenger, config, registry } = deps;
  const clock = deps.clock ?? (() => new Date());
  const timeZone = config.timeZone;
  const log = deps.log.child({ part: 'reminders' });
  const reminders = new ReminderService({ db, messenger, clock, log });
  registerReminderTools(deps.tools, { reminders, timeZone, clock });

  const composer = new Composer<BotContext>();
  registry.add({ command: 'remind', description: 'Set a reminder without the model', args: '<when> <what>' });
  registry.add({ command: 'reminders', description: 'Pending reminders, with a delete button' });
  composer.command('remind', async (ctx) => {
    const parsed = parseReminder(ctx.match, clock(), timeZone);
    if (!parsed.ok) {
      await replyText(ctx, `Not set: ${parsed.error}.`);
      return;
    }
    const { due, what, repeat } = parsed.reminder;
    if (what === '') {
      await replyText(ctx, 'Not set: say what to remind you of after the time, e.g. /remind tomorrow at 9 call the dentist.');
      return;
    }
    const key = `command:${ctx.update.update_id}:${ctx.msg?.message_id ?? randomUUID()}`;
    const reminder = await reminders.create({ key, text: what, due, repeat, timeZone });
    await replyText(ctx, `⏰ Reminder set for ${formatLocal(reminder.due, timeZone)} (${timeZone})${repeat ? `, ${describeRepeat(repeat)}` : ''}: ${reminder.text}`);
  });
  composer.command('reminders', async (ctx) => {
    const pending = await reminders.pending();
    if (pending.length === 0) {
      await replyText(ctx, 'No pending reminders. Set one with /remind <when> <what>.');
      return;
    }
    const lines = ['**Pending reminders**', ...pending.slice(0, 30).map((r) => `• #${r.id} ${formatLocal(r.due, r.timeZone)}${r.repeat ? ` (${describeRepeat(r.repeat)})` : ''}: ${r.text}`)];
    const buttons = pending.slice(0, 30).map((r) => {
      const button = reminderDeleteButton(r);
      return [{ text: button.text, callback_data: button.data ?? '' }];
    });
    await replyText(ctx, lines.join('\n'), { buttons: { inline_keyboard: buttons } });
  });
  composer.callbackQuery(REMINDER_CALLBACK, async (ctx) => {
    const [, action = 'd', id = '0', token = ''] = REMINDER_CALLBACK.exec(ctx.callbackQuery.data) ?? [];
    const answer = await reminders.act(action as ReminderAction, Number(id), token);
    await ctx.answerCallbackQuery({ text: answer });
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  });
  composer.callbackQuery(REMINDER_DELETE_CALLBACK, async (ctx) => {
    const id = Number(REMINDER_DELETE_CALLBACK.exec(ctx.callbackQuery.data)?.[1] ?? 0);
    const removed = await reminders.remove(id);
    await ctx.answerCallbackQuery({ text: removed ? `Reminder #${id} deleted.` : `Reminder #${id} is no longer pending.` });
  });
  // Any other rm: data (forged, or from an older version) gets a clear answer instead of a spinner.
  composer.callbackQuery(/^rm:/, async (ctx) => {
    await ctx.answerCallbackQuery({ text: 'That reminder button is not one I understand.' });
  });

  const fire: ScheduledJob = {
    name: 'reminders',
    schedule: { everyMinutes: 1 },
    pausable: true,
    run: async () => {
      await reminders.fireDue();
    },
  };

  return {
    name: 'reminders',
    composer,
    jobs: [fire],
    statusLines: async () => [`Reminders: ${(await reminders.pending()).length} pending.`],
  };
}
