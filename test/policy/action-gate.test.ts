import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideApproval, findApproval } from '../../src/approvals/approvals-repo.js';
import { listTasks } from '../../src/board/tasks-repo.js';
import { setPreference, listPreferences } from '../../src/preferences/index.js';
import { databaseKinds } from '../support/databases.js';
import { OWNER, seedPastThreads, startGate, threadCount, type GateHarness } from './gate-harness.js';

describe.each(databaseKinds())('the action gate on %s', (kind) => {
  let gate: GateHarness;

  beforeEach(async () => {
    gate = await startGate(kind);
  });

  afterEach(async () => {
    await gate.close();
  });

  const approvalMessages = () => gate.telegram.botMessages(OWNER.id).filter((message) => message.text.startsWith('Approve this action?'));
  const approvalRows = () => gate.db.selectFrom('approvals').selectAll().where('kind', '=', 'tool').execute();

  async function tap(messageId: number, data: string): Promise<void> {
    gate.telegram.pressButton(OWNER, OWNER.id, messageId, data, { allowMissingButton: true });
    await gate.deliver();
  }

  it('set_preference cannot switch off an approval: policy.* is refused, and the L2 call still asks', async () => {
    await seedPastThreads(gate.db, 2);
    const set = await gate.executor.execute('set_preference', { key: 'policy.allow.forget_past_conversations', value: 'true' }, OWNER.id);
    expect(set.status).toBe('invalid');
    expect(set.content).toContain('/policy');
    const forget = await gate.executor.execute('forget_past_conversations', {}, OWNER.id);
    expect(forget.status).toBe('awaiting-approval');
    expect(await threadCount(gate.db)).toBe(2);
    expect(await gate.policy.allows('forget_past_conversations')).toBe(false);
    expect(await listPreferences(gate.db)).toEqual([]);
  });

  it('a policy.allow preference already stored (as older versions let a tool write) is not read', async () => {
    await seedPastThreads(gate.db, 1);
    await setPreference(gate.db, 'policy.allow.forget_past_conversations', 'true');
    const forget = await gate.executor.execute('forget_past_conversations', {}, OWNER.id);
    expect(forget.status).toBe('awaiting-approval');
    expect(await threadCount(gate.db)).toBe(1);
    const listed = await gate.executor.execute('list_preferences', {}, OWNER.id);
    expect(listed.content).not.toContain('policy');
  });

  it('every spelling of a policy key is refused, and Undo cannot write one either', async () => {
    for (const key of ['policy.allow.delete_task', 'Policy.Allow.delete_task', 'policy_allow_delete_task', 'owner-policy.allow.delete_task', ' policy ', 'policies.delete_task']) {
      const report = await gate.executor.execute('set_preference', { key, value: 'true' }, OWNER.id);
      expect(report.status, key).toBe('invalid');
    }
    const restore = gate.tools.undoHandler('restore_preference');
    expect(await restore?.({ key: 'policy.allow.delete_task', previous: 'true' })).toContain('/policy');
    expect(await listPreferences(gate.db)).toEqual([]);
    expect(await gate.policy.allowedTools()).toEqual([]);
  });

  it('only the owner\'s own /policy lets an L2 tool run unasked; a forwarded /policy or /resume does nothing', async () => {
    await seedPastThreads(gate.db, 1);
    const forwarded = (text: string) => ({
      message: {
        message_id: 900 + text.length,
        from: { id: OWNER.id, is_bot: false, first_name: OWNER.first_name },
        chat: { id: OWNER.id, type: 'private', first_name: OWNER.first_name },
        date: Math.floor(Date.now() / 1000),
        forward_origin: { type: 'hidden_user', sender_user_name: 'Mallory', date: Math.floor(Date.now() / 1000) - 60 },
        text,
        entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 0 }],
      },
    });
    gate.telegram.pushUpdate(forwarded('/policy allow forget_past_conversations'));
    await gate.pause.set(true);
    gate.telegram.pushUpdate(forwarded('/resume'));
    await gate.deliver();
    expect(await gate.policy.allows('forget_past_conversations')).toBe(false);
    expect(gate.pause.paused).toBe(true);
    expect(gate.telegram.botMessages(OWNER.id).filter((message) => message.text.includes('forwarded message'))).toHaveLength(2);

    await gate.pause.set(false);
    gate.telegram.sendText(OWNER, '/policy allow forget_past_conversations');
    await gate.deliver();
    expect(await gate.policy.allows('forget_past_conversations')).toBe(true);
    const ran = await gate.executor.execute('forget_past_conversations', {}, OWNER.id);
    expect(ran.status).toBe('ran');
    expect(await threadCount(gate.db)).toBe(0);

    // The button on the /policy message puts the question back.
    const view = gate.telegram.botMessages(OWNER.id).find((message) => message.text.includes('Approval policy'));
    if (!view) throw new Error('no /policy message');
    await tap(view.message_id, 'pol:k:forget_past_conversations');
    expect(await gate.policy.allows('forget_past_conversations')).toBe(false);
  });

  it('an L1 tool cannot be put on the policy (it never asks); unknown tools are named', async () => {
    gate.telegram.sendText(OWNER, '/policy allow set_preference');
    gate.telegram.sendText(OWNER, '/policy allow no_such_tool');
    await gate.deliver();
    expect(await gate.policy.allowedTools()).toEqual([]);
    const texts = gate.telegram.botMessages(OWNER.id).map((message) => message.text);
    expect(texts.some((text) => text.includes('set_preference never asks'))).toBe(true);
    expect(texts.some((text) => text.includes('There is no tool named no_such_tool'))).toBe(true);
  });

  it('an approval shows the resolved task by id and title, and approving acts on exactly that task', async () => {
    const passport = (await gate.tasks.create({ key: 'seed:1', board: 'Family', title: 'Renew passport' })).task;
    const milk = (await gate.tasks.create({ key: 'seed:2', board: 'Family', title: 'Buy milk' })).task;
    const report = await gate.executor.execute('delete_task', { task: 'milk' }, OWNER.id);
    expect(report.status).toBe('awaiting-approval');
    const [request] = approvalMessages();
    if (!request) throw new Error('no approval request');
    expect(request.text).toContain(`#${milk.id} “Buy milk” (Family / Inbox)`);
    expect(request.text).not.toContain('Renew passport');
    const [row] = await approvalRows();
    expect(row?.payload).toMatchObject({ tool: 'delete_task', object: { id: `#${milk.id}`, title: 'Buy milk', ref: { taskId: milk.id } } });

    // Before the tap, the words the model used come to mean another task.
    await gate.tasks.change(milk.id, { title: 'Call the plumber' }, 'edit:1');
    await gate.tasks.change(passport.id, { title: 'Renew passport, buy milk' }, 'edit:2');
    await tap(request.message_id, `ap:${row?.id}:y`);
    const left = await listTasks(gate.db, { includeDone: true });
    expect(left.map((task) => task.id)).toEqual([passport.id]);
    expect((await findApproval(gate.db, row?.id ?? ''))?.outcome).toContain(`Deleted #${milk.id}`);
  });

  it('an ambiguous or unknown object gets a clear answer to the model and no approval', async () => {
    await gate.tasks.create({ key: 'seed:1', board: 'Family', title: 'Buy milk' });
    await gate.tasks.create({ key: 'seed:2', board: 'Health', title: 'Buy oat milk' });
    const ambiguous = await gate.executor.execute('delete_task', { task: 'milk' }, OWNER.id);
    expect(ambiguous.status).toBe('unresolved');
    expect(ambiguous.content).toMatch(/matches 2 tasks/);
    const missing = await gate.executor.execute('delete_task', { task: 'passport' }, OWNER.id);
    expect(missing.status).toBe('unresolved');
    expect(missing.content).toContain('No task matches');
    const nothing = await gate.executor.execute('forget_past_conversations', {}, OWNER.id);
    expect(nothing.status).toBe('unresolved');
    expect(approvalMessages()).toEqual([]);
    expect(await approvalRows()).toEqual([]);
  });

  it('an approved erase removes the conversations it showed, not one that ended after the request', async () => {
    const shown = await seedPastThreads(gate.db, 2);
    await gate.executor.execute('forget_past_conversations', {}, OWNER.id);
    const [request] = approvalMessages();
    if (!request) throw new Error('no approval request');
    expect(request.text).toContain(shown.map((id) => `#${id}`).join(', '));
    expect(request.text).toContain('2 past conversations, 4 messages');
    const [later] = await seedPastThreads(gate.db, 1);
    const [row] = await approvalRows();
    await tap(request.message_id, `ap:${row?.id}:y`);
    const left = await gate.db.selectFrom('conversation_threads').select('id').execute();
    expect(left.map((thread) => Number(thread.id))).toEqual([later]);
  });

  it('a decision replayed after a crash does not run once the request has expired', async () => {
    await gate.tasks.create({ key: 'seed:1', board: 'Family', title: 'Renew passport' });
    await gate.executor.execute('delete_task', { task: 'passport' }, OWNER.id);
    const [row] = await approvalRows();
    const [request] = approvalMessages();
    if (!row || !request) throw new Error('no approval request');
    // The tap was decided, then the process died before the action ran.
    const approve = row.choices.find((choice) => choice.id === 'y');
    if (!approve) throw new Error('no approve choice');
    expect(await decideApproval(gate.db, row.id, approve, gate.clock.now)).toBeDefined();
    // The inbox replays the tap after the request expired.
    gate.clock.now = new Date(row.expires_at.getTime() + 1);
    await tap(request.message_id, `ap:${row.id}:y`);
    expect((await listTasks(gate.db, { includeDone: true })).map((task) => task.title)).toEqual(['Renew passport']);
    expect(gate.telegram.callsTo('answerCallbackQuery').map((call) => call.payload.text)).toEqual(['This request expired; nothing was done.']);
    expect((await findApproval(gate.db, row.id))?.outcome).toContain('Expired');
  });

  it('a decision replayed after a crash still runs while the request is live', async () => {
    await gate.tasks.create({ key: 'seed:1', board: 'Family', title: 'Renew passport' });
    await gate.executor.execute('delete_task', { task: 'passport' }, OWNER.id);
    const [row] = await approvalRows();
    const [request] = approvalMessages();
    const approve = row?.choices.find((choice) => choice.id === 'y');
    if (!row || !request || !approve) throw new Error('no approval request');
    await decideApproval(gate.db, row.id, approve, gate.clock.now);
    await tap(request.message_id, `ap:${row.id}:y`);
    expect(await listTasks(gate.db, { includeDone: true })).toEqual([]);
  });
});
