import { randomUUID } from 'node:crypto';
import type { Feature, FeatureDeps } from '../app/feature.js';
import { ChatHandlers } from '../commands/index.js';
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

  const handlers = new ChatHandlers();
  registry.add({ command: 'remind', description: 'Set a reminder without the model', args: '<when> <what>' });
  registry.add({ command: 'reminders', description: 'Pending reminders, with a delete button' });
  handlers.command('remind', async (request) => {
    const parsed = parseReminder(request.args, clock(), timeZone);
    if (!parsed.ok) {
      await request.reply(`Not set: ${parsed.error}.`);
      return;
    }
    const { due, what, repeat } = parsed.reminder;
    if (what === '') {
      await request.reply('Not set: say what to remind you of after the time, e.g. /remind tomorrow at 9 call the dentist.');
      return;
    }
    const key = `command:${request.updateId}:${request.messageId ?? randomUUID()}`;
    const reminder = await reminders.create({ key, text: what, due, repeat, timeZone });
    await request.reply(`⏰ Reminder set for ${formatLocal(reminder.due, timeZone)} (${timeZone})${repeat ? `, ${describeRepeat(repeat)}` : ''}: ${reminder.text}`);
  });
  handlers.command('reminders', async (request) => {
    const pending = await reminders.pending();
    if (pending.length === 0) {
      await request.reply('No pending reminders. Set one with /remind <when> <what>.');
      return;
    }
    const lines = ['**Pending reminders**', ...pending.slice(0, 30).map((r) => `• #${r.id} ${formatLocal(r.due, r.timeZone)}${r.repeat ? ` (${describeRepeat(r.repeat)})` : ''}: ${r.text}`)];
    const buttons = pending.slice(0, 30).map((r) => [reminderDeleteButton(r)]);
    await request.reply(lines.join('\n'), { buttons });
  });
  handlers.button(REMINDER_CALLBACK, async (press) => {
    const [, action = 'd', id = '0', token = ''] = REMINDER_CALLBACK.exec(press.data) ?? [];
    const answer = await reminders.act(action as ReminderAction, Number(id), token);
    await press.answer(answer);
    await press.setButtons([]).catch(() => undefined);
  });
  handlers.button(REMINDER_DELETE_CALLBACK, async (press) => {
    const id = Number(REMINDER_DELETE_CALLBACK.exec(press.data)?.[1] ?? 0);
    const removed = await reminders.remove(id);
    await press.answer(removed ? `Reminder #${id} deleted.` : `Reminder #${id} is no longer pending.`);
  });
  // Any other rm: data (forged, or from an older version) gets a clear answer instead of a spinner.
  handlers.button(/^rm:/, async (press) => {
    await press.answer('That reminder button is not one I understand.');
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
    handlers,
    jobs: [fire],
    statusLines: async () => [`Reminders: ${(await reminders.pending()).length} pending.`],
  };
}
