import { z } from 'zod';
import type { Tool } from '../tool.js';

/** L0: the current date and time in the owner's time zone. */
export function currentTimeTool(timeZone: string, now: () => Date = () => new Date()): Tool<Record<string, never>> {
  return {
    name: 'current_time',
    description: "The current date, weekday and time in the owner's time zone.",
    tier: 'L0',
    args: z.object({}).strict(),
    describe: () => 'Read the current time',
    run: async () => ({ content: formatNow(now(), timeZone) }),
  };
}

export function formatNow(date: Date, timeZone: string): string {
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(date);
  return `${text} (${timeZone})`;
}
