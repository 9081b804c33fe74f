import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { startAgents, type AgentsHarness } from './agents-harness.js';

const RECEIPTS = {
  name: 'friday-receipts',
  description: 'Collect receipts from mail and add the total to the Finance board',
  body: '1. Search mail for receipts of this week.\n2. Add up the amounts.\n3. Create a task on the Finance board with the total.',
  schedule: '0 17 * * 5',
};

describe.each(databaseKinds())('skills on %s', (kind) => {
  let h: AgentsHarness;

  beforeEach(async () => {
    h = await startAgents(kind);
  });

  afterEach(async () => {
    await h.close();
  });

  async function saveThroughChat(args: Record<string, unknown> = RECEIPTS): Promise<void> {
    h.model.push({ toolCalls: [{ name: 'save_skill', arguments: args }] }, { text: 'Saved it.' });
    await h.say('Every Friday, collect receipts from mail and add the total to the Finance board');
  }

  it('Z saves a skill with a tool (L1: it runs, is audited and offers Undo); /skills lists it; Undo removes it and its schedule', async () => {
    await saveThroughChat();
    const skills = await h.db.selectFrom('skills').select(['name', 'schedule', 'author']).execute();
    expect(skills).toEqual([{ name: 'friday-receipts', schedule: '0 17 * * 5', author: 'Z' }]);
    expect(await h.db.selectFrom('audit_log').select('action').where('action', '=', 'tool:save_skill').execute()).toHaveLength(1);
    expect((h.skills.jobs ?? []).map((job) => [job.name, job.schedule])).toEqual([['skill-friday-receipts', { cron: '0 17 * * 5' }]]);

    await h.say('/skills');
    const listing = h.lastMessage('Skills');
    expect(listing.text).toContain('friday-receipts: Collect receipts from mail');
    expect(listing.text).toContain('by Z');
    expect(listing.buttons.map((button) => button.data)).toEqual(['sk:run:friday-receipts']);

    const undo = h.lastMessage('Saved the skill “friday-receipts”');
    expect(undo.buttons.map((button) => button.text)).toEqual(['Undo']);
    await h.tap(undo.message_id, undo.buttons[0]?.data ?? '');
    expect(await h.db.selectFrom('skills').selectAll().execute()).toEqual([]);
    expect(h.skills.jobs).toEqual([]);
    await h.say('/skills');
    expect(h.lastMessage().text).toContain('No skills yet');
  });

  it('saving under an existing name replaces it, Undo restores the previous version, and a bad schedule saves nothing', async () => {
    await saveThroughChat();
    await saveThroughChat({ ...RECEIPTS, description: 'Receipts, monthly', schedule: '0 9 1 * *' });
    expect(await h.db.selectFrom('skills').select(['description', 'schedule']).execute()).toEqual([{ description: 'Receipts, monthly', schedule: '0 9 1 * *' }]);
    const undo = h.lastMessage('Replaced the skill');
    await h.tap(undo.message_id, undo.buttons[0]?.data ?? '');
    expect(await h.db.selectFrom('skills').select(['description', 'schedule']).execute()).toEqual([{ description: RECEIPTS.description, schedule: RECEIPTS.schedule }]);

    // A bad schedule goes back to the model and changes nothing.
    const calls = h.model.requests.length;
    h.model.push({ toolCalls: [{ name: 'save_skill', arguments: { ...RECEIPTS, schedule: 'every friday' } }] }, { text: 'That schedule did not work.' });
    await h.say('Save my receipts procedure');
    expect(h.model.requests[calls + 1]?.messages.at(-1)?.content).toContain('cron expression');
    expect(await h.db.selectFrom('skills').select(['description', 'schedule']).execute()).toEqual([{ description: RECEIPTS.description, schedule: RECEIPTS.schedule }]);
  });


  it('/skill <name> runs the procedure through the action gate on the COS lane and reports; an unknown name says so', async () => {
    await saveThroughChat();
    h.model.push({ toolCalls: [{ name: 'current_time', arguments: {} }] }, { text: 'No receipts this week; nothing to add.' });
    await h.say('/skill friday-receipts');
    const report = h.lastMessage('Skill friday-receipts');
    expect(report.text).toContain('No receipts this week; nothing to add.');
    expect(report.text).toContain('Steps: current_time (ran)');
    const procedure = h.model.requests.at(-2);
    expect(procedure?.messages[1]?.content).toContain('3. Create a task on the Finance board with the total.');
    // A skill cannot write skills.
    expect((procedure?.tools ?? []).map((tool) => tool.name)).not.toContain('save_skill');
    await h.say('/skill nothing-here');
    expect(h.lastMessage().text).toContain('There is no skill called “nothing-here”');
  });

  it('a scheduled run sends its report to the owner once per slot; a model failure in /skill is told plainly', async () => {
    await saveThroughChat();
    const job = (h.skills.jobs ?? [])[0];
    if (!job) throw new Error('no skill job');
    h.model.push({ text: 'Receipts total 84 euros; card created.' });
    const slot = new Date('2026-12-04T16:00:00Z');
    await job.run({ now: h.clock.now, slot });
    expect(h.lastMessage('Skill friday-receipts').text).toContain('Receipts total 84 euros');
    h.model.push({ text: 'Receipts total 84 euros; card created.' });
    await job.run({ now: h.clock.now, slot });
    expect(h.telegram.botMessages().filter((message) => message.text.includes('Receipts total 84'))).toHaveLength(1);

    h.model.push({ fail: 'connection refused' });
    await h.say('/skill friday-receipts');
    expect(h.lastMessage().text).toContain('stopped: the local model did not answer');
  });
});
