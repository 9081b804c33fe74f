import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgents, type AgentsHarness } from './agents-harness.js';

describe('agents and skills in the terminal channel', () => {
  let h: AgentsHarness;

  beforeEach(async () => {
    h = await startAgents('pglite', { terminal: true });
  });

  afterEach(async () => {
    await h.close();
  });

  it('lists agents with numbered buttons, runs the interview, approves the soul and lets the specialist speak with its name', async () => {
    await h.type('/agents');
    expect(h.screen()).toContain('Financial advisor (finance) — dormant');
    expect(h.screen()).toMatch(/\[1\] Activate Financial advisor/);
    await h.type('1');
    expect(h.screen()).toContain('1. What are your main financial goals');
    for (const answer of ['A new roof', '2400 a month', 'Rent on the 1st', 'Blunt']) await h.type(answer);
    expect(h.screen()).toContain('New soul for Financial advisor');
    expect(h.screen()).toContain('+   A new roof');
    expect(h.screen()).toMatch(/\[1\] Approve soul/);
    await h.type('1');
    expect(h.screen()).toContain('Approved: soul version 1');
    await h.type('/agent finance');
    h.model.push({ text: 'Put 200 a month aside.' });
    await h.type('How do I pay for the roof?');
    expect(h.screen()).toContain('Financial advisor: Put 200 a month aside.');
    await h.type('/cos');
    h.model.push({ toolCalls: [{ name: 'save_skill', arguments: { name: 'roof-check', description: 'Check the roof fund', body: '1. Search memory for the roof fund.\n2. Report.' } }] }, { text: 'Saved.' });
    await h.type('Save a roof check skill');
    await h.type('/skills');
    expect(h.screen()).toContain('roof-check: Check the roof fund');
    // Nothing went to Telegram: the terminal rendered every reply.
    expect(h.telegram.botMessages()).toEqual([]);
  });
});
