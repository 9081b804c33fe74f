/**
 * BACKUP_SCHEDULE: `off`, a time of day `HH:MM` (owner's time zone), or a
 * five-field cron expression. Returns the cron expression, `off`, or an error text.
 */
export function parseBackupSchedule(value: string): { cron: string } | 'off' | { error: string } {
  const text = value.trim();
  if (text.toLowerCase() === 'off') return 'off';
  const time = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (time) return { cron: `${Number(time[2])} ${Number(time[1])} * * *` };
  const fields = text.split(/\s+/);
  if (fields.length === 5 && fields.every((field) => /^[\d*/,\-A-Za-z]+$/.test(field))) return { cron: fields.join(' ') };
  return { error: 'expected off, a time of day like 03:00, or a cron expression like "0 3 * * *"' };
}
