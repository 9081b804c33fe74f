import { describe, expect, it } from 'vitest';
import { parseUrgentKinds } from '../../src/messenger/index.js';

describe('quiet_hours_urgent', () => {
  it('reads a plural as its kind, and never cuts a kind that ends in "s"', () => {
    const kinds = parseUrgentKinds('reminders, cos, Agent-Note');
    expect(kinds).toContain('reminder');
    expect(kinds).toContain('cos');
    expect(kinds).toContain('agent-note');
  });

  it('"none" means no kind is urgent', () => {
    expect(parseUrgentKinds('none')).toEqual([]);
  });
});
