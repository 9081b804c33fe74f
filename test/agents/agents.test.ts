import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setPreference } from '../../src/preferences/index.js';
import { databaseKinds } from '../support/databases.js';
import { startAgents, type AgentsHarness } from './agents-harness.js';

const FINANCE_ANSWERS = ['Save 5000 euros for a new roof', '2400 a month; groceries and travel matter most', 'Rent on the 1st, taxes in May', 'Blunt numbers'];

describe.each(databaseKinds())('specialist agents on %s', (kind) => {
  let h: AgentsHarness;

  beforeEach(async () => {
    h = await startAgents(kind);
  });

  afterEach(async () => {
    await h.close();
  });

  async function onboardFinance(answers: string[] = FINANCE_ANSWERS): Promise<void> {
    await h.say('/agents');
    await h.tap(h.lastMessage('Agents').message_id, 'ag:act:finance');
    expect(h.lastMessage().text).toContain('1. What are your main financial goals');
    for (const answer of answers) await h.say(answer);
  }

  async function approveSoul(): Promise<string> {
    const approval = h.lastMessage('New soul for Financial advisor');
    const approve = approval.buttons.find((button) => button.text === 'Approve soul');
    if (!approve) throw new Error('no Approve button');
    await h.tap(approval.message_id, approve.data);
    return approval.text;
  }

  function heartbeat(name: string) {
    const job = (h.agents.feature.jobs ?? []).find((candidate) => candidate.name === `heartbeat-${name}`);
    if (!job) throw new Error(`no heartbeat job for ${name}`);
    return job;
  }

  it('/agents lists Z and the dormant specialists; onboarding turns the answers into a soul diff; approving activates soul v1', async () => {
    await h.say('/agents');
    const listing = h.lastMessage('Agents');
    expect(listing.text).toContain('Z — chief of staff (in the foreground)');
    expect(listing.text).toContain('Financial advisor (finance) — dormant');
    expect(listing.text).toContain('Fitness coach (fitness) — dormant');
    expect(listing.buttons.map((button) => button.data)).toEqual(['ag:act:finance', 'ag:act:fitness']);
    expect(h.agents.feature.jobs).toEqual([]);

    // Onboarding turns the answers into a soul draft shown as a diff; approving activates the agent with soul v1.
    await onboardFinance();
    const diff = await approveSoul();
    expect(diff).toContain('+ ## What my owner told me');
    expect(diff).toContain('+   Save 5000 euros for a new roof');
    expect(diff).toContain('  You are the owner');
    expect(h.lastMessage('Approved').text).toContain('soul version 1');
    await h.say('/agents');
    const active = h.lastMessage('Agents');
    expect(active.text).toContain('Financial advisor (finance) — active, soul v1, heartbeat 0 9 * * *');
    expect(active.buttons.map((button) => button.data)).toContain('ag:pause:finance');
    expect(heartbeat('finance').pausable).toBe(true);
    // The interview never asked the model anything: answers are the owner's words.
    expect(h.model.requests).toHaveLength(0);
  });

  it('declining the draft leaves the agent dormant, and /cancel stops an interview without keeping answers', async () => {
    await onboardFinance();
    const approval = h.lastMessage('New soul for Financial advisor');
    await h.tap(approval.message_id, approval.buttons.find((button) => button.text === 'Decline')?.data ?? '');
    await h.say('/agents');
    expect(h.lastMessage('Agents').text).toContain('(finance) — dormant');
    await h.tap(h.lastMessage('Agents').message_id, 'ag:act:fitness');
    await h.say('Run a 10k');
    await h.say('/cancel');
    expect(h.lastMessage().text).toContain('Onboarding stopped');
    const row = await h.db.selectFrom('agents').selectAll().where('name', '=', 'fitness').executeTakeFirstOrThrow();
    expect(row.state).toBe('dormant');
    expect(row.answers).toBe('[]');
  });

  it('a second interview is a new version shown against the soul in force; rollback restores an old text as a new version', async () => {
    await onboardFinance();
    await approveSoul();
    await h.say('/agents');
    await h.tap(h.lastMessage('Agents').message_id, 'ag:redo:finance');
    for (const answer of ['Pay off the car loan', ...FINANCE_ANSWERS.slice(1)]) await h.say(answer);
    const diff = await approveSoul();
    expect(diff).toContain('-   Save 5000 euros for a new roof');
    expect(diff).toContain('+   Pay off the car loan');
    expect(diff).not.toContain('+   2400 a month');
    await h.say('/agents');
    await h.tap(h.lastMessage('Agents').message_id, 'ag:souls:finance');
    const versions = h.lastMessage('Soul versions of finance');
    expect(versions.text).toContain('v2');
    expect(versions.text).toMatch(/v2 \(.*\) — in force/);
    expect(versions.buttons.map((button) => button.data)).toEqual(['ag:rb:finance:1']);
    await h.tap(versions.message_id, 'ag:rb:finance:1');
    expect(h.lastMessage('Rolled back').text).toContain('version 3');
    const template = await h.agents.service.template('finance');
    if (!template) throw new Error('no finance template');
    expect(await h.agents.service.soul(template)).toContain('Save 5000 euros for a new roof');
    expect(await h.agents.service.soul(template)).not.toContain('car loan');
  });

  it('/agent brings a specialist forward: its soul, its allowlisted tools only, and a label on every reply; /cos brings Z back; pausing ends it', async () => {
    await onboardFinance();
    await approveSoul();
    await h.say('/agent finance');
    expect(h.lastMessage().text).toContain('Financial advisor here');
    h.model.push({ toolCalls: [{ name: 'save_skill', arguments: { name: 'x', description: 'x', body: 'x' } }] }, { text: 'Your roof fund needs 417 euros a month.' });
    await h.say('How much should I save monthly?');
    expect(h.lastMessage('roof fund').text).toBe('Financial advisor: Your roof fund needs 417 euros a month.');
    const request = h.model.requests[0];
    expect(request?.messages[0]?.content).toContain('You are the owner\'s financial advisor');
    expect(request?.messages[0]?.content).toContain('Save 5000 euros for a new roof');
    const offered = (request?.tools ?? []).map((tool) => tool.name).sort();
    expect(offered).toEqual(['current_time', 'remember', 'search_memory']);
    // A tool outside the allowlist does not exist for the agent: nothing ran, nothing was saved.
    expect(h.model.requests[1]?.messages.at(-1)?.content).toContain('There is no tool named "save_skill"');
    expect(await h.db.selectFrom('skills').selectAll().execute()).toEqual([]);

    await h.say('/cos');
    expect(h.lastMessage().text).toContain('Z here again');
    h.model.push({ text: 'Back with you.' });
    await h.say('Hello?');
    expect(h.lastMessage('Back with you').text).toBe('Z: Back with you.');
    expect((h.model.requests[2]?.tools ?? []).map((tool) => tool.name)).toContain('save_skill');

    // Pausing an agent stops its heartbeat and takes it out of the foreground.
    await h.say('/agent finance');
    await h.say('/agents');
    await h.tap(h.lastMessage('Agents').message_id, 'ag:pause:finance');
    expect(h.lastMessage().text).toContain('paused');
    expect(h.agents.feature.jobs).toEqual([]);
    expect(await h.agents.service.foregroundName()).toBeUndefined();
    await h.say('/agent finance');
    expect(h.lastMessage().text).toContain('is paused');
  });

  it('a memory an agent writes carries its name, and /why shows who wrote it and who answered', async () => {
    await onboardFinance();
    await approveSoul();
    await h.say('/agent finance');
    h.model.push({ toolCalls: [{ name: 'remember', arguments: { text: 'The rent of 900 euros is due on the first of each month' } }] }, { text: 'Noted the rent.' });
    await h.say('My rent is 900 euros, due on the first');
    const stored = await h.db.selectFrom('memories').select(['text', 'author']).execute();
    expect(stored).toEqual([{ text: 'The rent of 900 euros is due on the first of each month', author: 'finance' }]);
    const audit = await h.db.selectFrom('audit_log').select(['actor', 'action']).where('action', '=', 'tool:remember').execute();
    expect(audit).toEqual([{ actor: 'agent:finance', action: 'tool:remember' }]);

    await h.say('/cos');
    h.model.push({ text: 'Rent is due on the first.' });
    await h.say('When is my rent due each month?');
    await h.say('/why');
    const why = h.lastMessage('What my last answer drew on').text;
    expect(why).toContain('Answered by: Z');
    expect(why).toMatch(/\[memory, .*written by finance\] Memory .*rent of 900 euros/);
  });

  it('a heartbeat with nothing to report is silent and costs exactly one model call; a malformed answer fails the run silently', async () => {
    await onboardFinance();
    await approveSoul();
    const before = h.telegram.botMessages().length;
    h.model.push({ text: '{"report": false}' });
    await heartbeat('finance').run({ now: h.clock.now, slot: h.clock.now });
    expect(h.model.requests).toHaveLength(1);
    expect(h.model.requests[0]?.messages[0]?.content).toContain('## Heartbeat');
    expect(h.telegram.botMessages()).toHaveLength(before);
    expect(await h.db.selectFrom('cos_inbox').selectAll().execute()).toEqual([]);

    // An answer that is not the JSON asked for fails the run and tells the owner nothing.
    h.model.push({ text: 'Everything looks fine to me!' });
    await expect(heartbeat('finance').run({ now: h.clock.now, slot: h.clock.now })).rejects.toThrow('not JSON');
    expect(h.telegram.botMessages()).toHaveLength(before);
    expect(await h.db.selectFrom('cos_inbox').selectAll().execute()).toEqual([]);
  });

  it('a finding waits in the COS inbox for the next briefing; an urgent one is told at once, respecting quiet hours', async () => {
    await onboardFinance();
    await approveSoul();
    const before = h.telegram.botMessages().length;
    h.model.push({ text: 'Here you go: {"report": true, "urgent": false, "title": "Groceries over budget", "body": "You spent 480 of 400 euros."}' });
    await heartbeat('finance').run({ now: h.clock.now, slot: h.clock.now });
    expect(h.telegram.botMessages()).toHaveLength(before);
    const section = h.agents.feature.briefingSections?.find((candidate) => candidate.key === 'agents');
    if (!section) throw new Error('no agents briefing section');
    const request = { now: new Date(h.clock.now.getTime() + 60_000), timeZone: 'Europe/Berlin', period: 'day' as const };
    expect(await section.gather(request)).toEqual({
      connected: true,
      title: 'Notes from your specialist agents',
      lines: ['Financial advisor: Groceries over budget — You spent 480 of 400 euros.'],
    });
    await section.delivered?.(request);
    expect(await section.gather(request)).toMatchObject({ lines: [] });

    // An urgent finding is told at once, and is held for the digest in quiet hours; a run retried files it once.
    const urgent = '{"report": true, "urgent": true, "title": "Tax payment due tomorrow", "body": "1,200 euros to the tax office by noon."}';
    h.model.push({ text: urgent }, { text: urgent });
    const slot = new Date('2026-12-01T08:00:00Z');
    await heartbeat('finance').run({ now: h.clock.now, slot });
    expect(h.lastMessage('Tax payment due tomorrow').text).toContain('Financial advisor: Tax payment due tomorrow');
    await heartbeat('finance').run({ now: h.clock.now, slot });
    expect(h.telegram.botMessages().filter((message) => message.text.includes('Tax payment'))).toHaveLength(1);
    expect(await h.db.selectFrom('cos_inbox').select('briefed_at').where('urgent', '=', true).execute()).toHaveLength(1);

    await setPreference(h.db, 'quiet_hours', '00:00-23:59');
    h.model.push({ text: urgent.replace('Tax payment due tomorrow', 'Card limit reached') });
    await heartbeat('finance').run({ now: h.clock.now, slot: new Date('2026-12-02T08:00:00Z') });
    expect(h.telegram.botMessages().some((message) => message.text.includes('Card limit reached'))).toBe(false);
    const held = await h.db.selectFrom('owner_messages').select(['status', 'text']).where('status', '=', 'held').execute();
    expect(held.map((row) => row.text)).toEqual([expect.stringContaining('Card limit reached')]);
    // The owner can let agents' urgent notes through quiet hours by kind.
    await setPreference(h.db, 'quiet_hours_urgent', 'agent-note');
    h.model.push({ text: urgent.replace('Tax payment due tomorrow', 'Rent bounced') });
    await heartbeat('finance').run({ now: h.clock.now, slot: new Date('2026-12-03T08:00:00Z') });
    expect(h.lastMessage('Rent bounced').text).toContain('Financial advisor: Rent bounced');
  });


});
