import { z } from 'zod';
import type { Tool, ToolRegistry } from '../tools/index.js';
import { formatLocal, type Clock } from '../time/index.js';
import type { ReminderService } from './reminder-service.js';
import { describeRepeat, parseReminder } from './reminder-time.js';

export interface ReminderToolsDeps {
  reminders: ReminderService;
  timeZone: string;
  clock: Clock;
}

const UndoPayload = z.object({ id: z.number().int() });

/**
 * `set_reminder` (L1, with Undo): the model passes the owner's own words for when; our
 * parser resolves them (the model's date arithmetic is never trusted) and the reply echoes
 * the resolved time in the owner's zone.
 */
export function registerReminderTools(registry: ToolRegistry, deps: ReminderToolsDeps): void {
  const { reminders, timeZone, clock } = deps;
  const setReminder: Tool<{ when: string; what: string }> = {
    name: 'set_reminder',
    description:
      'Remind the owner of something at a time. Pass the owner\'s own words for the time, unchanged (e.g. "tomorrow at 9", "in 20 minutes", "every friday at 17:00"); never compute a date yourself.',
    tier: 'L1',
    args: z
      .object({
        when: z.string().trim().min(1).max(120).describe('The owner\'s words for when, unchanged, e.g. "tomorrow at 9" or "every friday at 17:00"'),
        what: z.string().trim().min(1).max(500).describe('What to remind of, e.g. "call the dentist"'),
      })
      .strict(),
    describe: (args) => `Remind “${args.what}” ${args.when}`,
    run: async (args, ctx) => {
      const parsed = parseReminder(args.when, clock(), timeZone);
      if (!parsed.ok) return { content: `Not set: ${parsed.error}` };
      const { due, repeat } = parsed.reminder;
      const reminder = await reminders.create({ key: `tool:${ctx.idempotencyKey}`, text: args.what, due, repeat, timeZone });
      const line = `Reminder set for ${formatLocal(reminder.due, timeZone)} (${timeZone})${repeat ? `, ${describeRepeat(repeat)}` : ''}: ${reminder.text}`;
      return { content: line, summary: line, undo: { kind: 'reminders_delete', payload: { id: reminder.id }, label: `delete the reminder “${reminder.text}”` } };
    },
  };
  registry.register(setReminder);
  registry.registerUndo('reminders_delete', async (payload) => {
    const { id } = UndoPayload.parse(payload);
    return (await reminders.remove(id)) ? 'Reminder deleted.' : 'That reminder is no longer pending (already fired or deleted).';
  });
}
