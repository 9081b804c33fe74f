import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecurringPlans } from '../../src/routines/recurring-plans.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('recurring-plans.md', () => {
  it('parses the checked-in file in its documented format', () => {
    const parsed = parseRecurringPlans(fs.readFileSync(path.join(ROOT, 'recurring-plans.md'), 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.plans.map((plan) => [plan.id, plan.enabled, plan.catchUp])).toEqual([
      ['morning-briefing', true, 'same-day'],
      ['weekend-briefing', false, 'same-day'],
      ['weekly-review', true, 'same-day'],
      ['monthly-review', true, 'same-day'],
    ]);
    const morning = parsed.plans[0];
    expect(morning?.rule).toEqual({ every: 'day', days: [1, 2, 3, 4, 5], hour: 7, minute: 30 });
    expect(morning?.includes).toEqual(['calendar', 'tasks', 'emails', 'reminders', 'agents']);
    expect(parsed.plans[2]?.rule).toEqual({ every: 'week', weekday: 0, hour: 10, minute: 0 });
    expect(parsed.plans[3]?.rule).toEqual({ every: 'month', day: 1, hour: 10, minute: 0 });
  });

  it('reads catch-up, timezone and send-if-empty', () => {
    const parsed = parseRecurringPlans('## evening\n- every: day\n- time: 21:00\n- catch-up: ask\n- timezone: America/New_York\n- send-if-empty: yes\n');
    expect(parsed).toMatchObject({ ok: true, plans: [{ id: 'evening', catchUp: 'ask', timeZone: 'America/New_York', sendIfEmpty: true }] });
  });

  it('reports every problem with its line and reason', () => {
    const text = ['# Plans', '', '## Morning', '- every: day', '- time: 7:30', '', '## weekly', '- every: week', '- day: someday', '- time: 25:00', '- catch-up: maybe', '- colour: blue', '- includes: tasks, horoscope'].join('\n');
    const parsed = parseRecurringPlans(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.line)).toEqual([3, 9, 10, 11, 12, 13]);
    expect(parsed.problems.map((p) => p.reason).join('\n')).toMatch(/lowercase[\s\S]*mon\.\.sun[\s\S]*HH:MM[\s\S]*skip, same-day, once or ask[\s\S]*unknown key "colour"[\s\S]*horoscope/);
  });

  it('ignores settings inside comments and prose', () => {
    const parsed = parseRecurringPlans('<!--\n## fake\n- every: never\n-->\nSome prose.\n## real\nText here.\n- every: month\n- day: last\n- time: 18:00 <!-- evening -->\n');
    expect(parsed).toMatchObject({ ok: true, plans: [{ id: 'real', rule: { every: 'month', day: 'last', hour: 18, minute: 0 } }] });
  });
});
