import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakePlanka, type FakeCard, type FakePlanka } from '../fakes/planka.js';
import { startFakeTelegram, type FakeTelegram, type StoredMessage } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess, telegramEnv, waitUntilReady } from '../support/daemon.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { botMessageMatching, buttonData, callbackAnswers, OWNER, STRANGER, withText } from './assistant-support.js';

const API_KEY = 'D89VszVs_oSS6TdDtYmi0j1LhugOioY40dDVssESO';

/** callback_data of a button in the row that belongs to task `#id` on a /tasks message. */
function rowButton(message: StoredMessage, taskId: number, label: string): string {
  const row = message.replyMarkup?.inline_keyboard.find((buttons) => buttons.some((button) => button.text === `✓ #${taskId}`));
  const button = row?.find((candidate) => candidate.text === label);
  const data = button && 'callback_data' in button ? button.callback_data : undefined;
  if (typeof data !== 'string') throw new Error(`no "${label}" for #${taskId}: ${JSON.stringify(message.replyMarkup)}`);
  return data;
}

function cardNamed(planka: FakePlanka, name: string): FakeCard | undefined {
  return [...planka.state.cards.values()].find((card) => card.name === name);
}

function listOf(planka: FakePlanka, card: FakeCard | undefined): string | null | undefined {
  return card ? planka.state.lists.get(card.listId)?.name : undefined;
}

function boardOf(planka: FakePlanka, card: FakeCard | undefined): string | undefined {
  return card ? planka.state.boards.get(card.boardId)?.name : undefined;
}

describe.each(databaseKinds())('tasks on the board on %s', (kind) => {
  let telegram: FakeTelegram;
  let ollama: FakeOllama;
  let planka: FakePlanka;
  let database: TestDatabase;
  let daemon: DaemonProcess | undefined;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
    ollama = await startFakeOllama();
    planka = await startFakePlanka({ apiKey: API_KEY });
    database = await createTestDatabase(kind);
  });

  afterEach(async () => {
    if (daemon) await stopDaemon(daemon);
    daemon = undefined;
    expect(planka.unexpected()).toEqual([]);
    expect(telegram.unexpected).toEqual([]);
    await telegram.close();
    await ollama.close();
    await planka.close();
    await database.drop();
  });

  async function launch(extra: Record<string, string> = {}): Promise<DaemonProcess> {
    daemon = startDaemon(
      baseEnv({
        ...telegramEnv(telegram, OWNER.id),
        OLLAMA_BASE_URL: ollama.url,
        PLANKA_BASE_URL: planka.url,
        PLANKA_API_KEY: API_KEY,
        USER_TIMEZONE: 'Europe/Berlin',
        ...database.env,
        ...extra,
      }),
    );
    await waitUntilReady(daemon, 60_000);
    return daemon;
  }

  const lastMessage = (fragment: string) => botMessageMatching(telegram, (message) => !message.deleted && message.text.includes(fragment));

  it('adds with /task, lists overdue first, and Done/Move/Snooze buttons change the cards; strangers and forged taps change nothing', async () => {
    await launch();
    ollama.script({ text: 'Family' });
    telegram.sendText(OWNER, '/task Renew passport due 2020-01-05');
    const added = await lastMessage('Added #1 Renew passport');
    expect(added.text).toContain('to Family / Inbox');
    expect(boardOf(planka, cardNamed(planka, 'Renew passport'))).toBe('Family');
    // The owner corrects the board with a button.
    telegram.pressButton(OWNER, OWNER.id, added.message_id, buttonData(added, '→ Career'));
    await lastMessage('Moved: #1 Renew passport');
    expect(boardOf(planka, cardNamed(planka, 'Renew passport'))).toBe('Career');
    expect(listOf(planka, cardNamed(planka, 'Renew passport'))).toBe('Inbox');

    ollama.script({ text: 'This belongs on Finance.' });
    telegram.sendText(OWNER, '/task Pay rent due 2099-03-01 9am');
    await lastMessage('Added #2 Pay rent');

    telegram.sendText(OWNER, '/tasks');
    const list = await lastMessage('Overdue');
    const text = list.text;
    expect(text.indexOf('Overdue')).toBeLessThan(text.indexOf('#1 Renew passport'));
    expect(text.indexOf('#1 Renew passport')).toBeLessThan(text.indexOf('Finance'));
    expect(text).toContain('#1 Renew passport — due Sun 5 Jan 2020 17:00 (overdue)');
    expect(text).toContain('#2 Pay rent — due Sun 1 Mar 2099 09:00');

    telegram.pressButton(OWNER, OWNER.id, list.message_id, rowButton(list, 2, '+1d'));
    await lastMessage('Snoozed: #2 Pay rent — due Mon 2 Mar 2099 09:00');
    expect(cardNamed(planka, 'Pay rent')?.dueDate).toBe('2099-03-02T08:00:00.000Z');

    telegram.pressButton(OWNER, OWNER.id, list.message_id, rowButton(list, 2, '↔ #2'));
    const menu = await lastMessage('Move #2 Pay rent');
    telegram.pressButton(OWNER, OWNER.id, menu.message_id, buttonData(menu, 'Pending'));
    await lastMessage('Moved: #2 Pay rent');
    expect(listOf(planka, cardNamed(planka, 'Pay rent'))).toBe('Pending');

    telegram.pressButton(OWNER, OWNER.id, list.message_id, rowButton(list, 1, '✓ #1'));
    await lastMessage('Done: #1 Renew passport');
    expect(listOf(planka, cardNamed(planka, 'Renew passport'))).toBe('Done');
    expect(cardNamed(planka, 'Renew passport')?.isClosed).toBe(true);

    const before = JSON.stringify([...planka.state.cards.values()]);
    telegram.pressButton(STRANGER, OWNER.id, list.message_id, rowButton(list, 2, '✓ #2'));
    telegram.pressButton(OWNER, OWNER.id, list.message_id, 'bt:x:2', { allowMissingButton: true });
    telegram.pressButton(OWNER, OWNER.id, list.message_id, 'bt:d:999', { allowMissingButton: true });
    telegram.pressButton(OWNER, OWNER.id, list.message_id, rowButton(list, 1, '✓ #1'));
    await telegram.waitFor((fake) => callbackAnswers(fake).includes('Already done.'), 60_000);
    expect(callbackAnswers(telegram).slice(-4)).toEqual([
      'These buttons only work for my owner.',
      'Unknown button.',
      'There is no task #999 (it may have been deleted).',
      'Already done.',
    ]);
    expect(JSON.stringify([...planka.state.cards.values()])).toBe(before);
    // Logs carry ids and kinds, never what the cards say.
    expect(daemon!.stdout()).not.toContain('Renew passport');
    expect(daemon!.stdout()).not.toContain('Pay rent');

    // A restart bootstraps again by name: nothing is duplicated.
    await stopDaemon(daemon!);
    await launch();
    telegram.sendText(OWNER, '/tasks finance');
    await lastMessage('Pending\n#2 Pay rent');
    expect(planka.state.projects.size).toBe(1);
    expect([...planka.state.boards.values()].map((board) => board.name).sort()).toEqual(['Career', 'Creative', 'Family', 'Finance', 'Health']);
    expect([...planka.state.lists.values()].filter((l) => l.name === 'Inbox')).toHaveLength(4);
  });

  it('creates a card from a chat tool call, undoes it, and deletes only after approval', async () => {
    await launch();
    ollama.script({ toolCalls: [{ name: 'create_task', arguments: { board: 'Family', title: 'Book flights', due: '2099-05-01' } }] }, { text: 'Added it.' });
    telegram.sendText(OWNER, 'add book flights to Family, due 1 May 2099');
    const confirmation = await lastMessage('Added #1 Book flights');
    expect(cardNamed(planka, 'Book flights')?.dueDate).toBe('2099-05-01T15:00:00.000Z');
    telegram.pressButton(OWNER, OWNER.id, confirmation.message_id, buttonData(confirmation, 'Undo'));
    await telegram.waitFor((fake) => fake.message(OWNER.id, confirmation.message_id)?.text.includes('Deleted “Book flights”') ?? false, 60_000);
    expect(planka.state.cards.size).toBe(0);

    ollama.script({ toolCalls: [{ name: 'create_task', arguments: { board: 'Health', title: 'Run 5k' } }] }, { text: 'Done.' });
    telegram.sendText(OWNER, 'add run 5k to health');
    await lastMessage('Added #2 Run 5k');
    ollama.script({ toolCalls: [{ name: 'delete_task', arguments: { task: 'Run 5k' } }] }, { text: 'Asked you.' });
    telegram.sendText(OWNER, 'delete the 5k task');
    const request = await lastMessage('Delete from the board for good, task: #2 “Run 5k” (Health / Inbox)');
    expect(planka.state.cards.size).toBe(1);
    telegram.pressButton(OWNER, OWNER.id, request.message_id, buttonData(request, 'Approve'));
    await telegram.waitFor((fake) => fake.message(OWNER.id, request.message_id)?.text.includes('Deleted #2 Run 5k') ?? false, 60_000);
    expect(planka.state.cards.size).toBe(0);
  });

  it('✓ on an older /tasks message keeps the name and due date the owner changed in Planka meanwhile', async () => {
    await launch();
    ollama.script({ text: 'Career' });
    telegram.sendText(OWNER, '/task Write report due 2099-03-01 9am');
    await lastMessage('Added #1 Write report');
    telegram.sendText(OWNER, '/tasks');
    const list = await botMessageMatching(telegram, (message) => !message.deleted && (message.replyMarkup?.inline_keyboard.some((row) => row.some((button) => button.text === '✓ #1')) ?? false));
    const card = cardNamed(planka, 'Write report')!;
    planka.editCard(card.id, { name: 'Write the annual report', dueDate: '2099-03-08T08:00:00.000Z' });

    telegram.pressButton(OWNER, OWNER.id, list.message_id, rowButton(list, 1, '✓ #1'));
    await lastMessage('Done: #1 Write the annual report');
    const after = planka.state.cards.get(card.id);
    expect(after?.name).toBe('Write the annual report');
    expect(after?.dueDate).toBe('2099-03-08T08:00:00.000Z');
    expect(listOf(planka, after)).toBe('Done');
  });

  it('queues a card while Planka is down and adds it exactly once after a restart', async () => {
    await launch();
    telegram.sendText(OWNER, '/tasks');
    await lastMessage('No open tasks.');
    await planka.down();
    ollama.script({ text: 'Health' });
    telegram.sendText(OWNER, '/task Book dentist');
    await lastMessage('(queued, will add when Planka is back)');
    telegram.sendText(OWNER, '/status');
    await lastMessage('Card write queue: 1 pending');
    await stopDaemon(daemon!);

    await planka.up();
    await launch();
    await telegram.waitFor(() => cardNamed(planka, 'Book dentist') !== undefined, 60_000);
    await lastMessage('Planka is back: 1 queued task change applied.');
    telegram.sendText(OWNER, '/status');
    const status = await lastMessage('Card write queue: 0 pending');
    expect(status.text).toContain('✅ Planka: 1 project · 0 writes queued');
    telegram.sendText(OWNER, '/audit');
    const audit = await lastMessage('Audit log');
    expect(audit.text.match(/planka:create/g)).toHaveLength(1);
    expect([...planka.state.cards.values()].filter((card) => card.name === 'Book dentist')).toHaveLength(1);
    expect(planka.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/cards'))).toHaveLength(1);
    expect(listOf(planka, cardNamed(planka, 'Book dentist'))).toBe('Inbox');
  });
});

describe('tasks and projects without Planka', () => {
  it('keeps tasks locally, says how to configure Planka, and /tree derives progress from cards', async () => {
    const telegram = await startFakeTelegram();
    const database = await createTestDatabase('pglite');
    const daemon = startDaemon(
      baseEnv({ ...telegramEnv(telegram, OWNER.id), ...database.env }),
    );
    const lastMessage = (fragment: string) => botMessageMatching(telegram, withText(fragment));
    try {
      await waitUntilReady(daemon, 60_000);
      telegram.sendText(OWNER, '/tasks');
      await lastMessage('Planka is not configured, so tasks are kept here only. To use the board, set PLANKA_BASE_URL');
      // Ollama is down (port 9): the first board is used, and the owner is told why.
      telegram.sendText(OWNER, '/task Update CV');
      const added = await lastMessage('Added #1 Update CV to Career / Inbox (kept locally: Planka is not configured; the local model is unavailable');
      expect(buttonData(added, '→ Family')).toBe('bt:b:1:2');
      telegram.sendText(OWNER, '/task Ask for a raise');
      await lastMessage('Added #2 Ask for a raise');
      telegram.sendText(OWNER, '/tasks career');
      const list = await lastMessage('Inbox\n#1 Update CV');
      telegram.pressButton(OWNER, OWNER.id, list.message_id, rowButton(list, 1, '✓ #1'));
      await lastMessage('Done: #1 Update CV [Career / Done]');

      telegram.sendText(OWNER, '/project add Career link career priority 1');
      await lastMessage('Added project #1 Career, progress from the Career board.');
      telegram.sendText(OWNER, '/project add Promotion under Career');
      await lastMessage('Added project #2 Promotion under Career.');
      telegram.sendText(OWNER, '/project Promotion progress 30');
      await lastMessage('Updated Promotion: progress 30.');
      telegram.sendText(OWNER, '/project Career under Promotion');
      await lastMessage('Promotion is inside Career; that would make a loop.');
      telegram.sendText(OWNER, '/project add Side gig');
      await lastMessage('Added project #3 Side gig.');
      telegram.sendText(OWNER, '/project Side gig status paused');
      await lastMessage('Updated Side gig: status paused.');
      telegram.sendText(OWNER, '/tree');
      const tree = await lastMessage('[ACTIVE] Career');
      expect(tree.text).toBe(['[ACTIVE] Career [50%] · 1/2 cards on Career', '  └ [ACTIVE] Promotion [30%]', '[PAUSED] Side gig [0%]'].join('\n'));

      telegram.sendText(OWNER, '/status');
      const status = await lastMessage('Card write queue:');
      expect(status.text).toContain('Card write queue: 2 pending (Planka not configured: kept locally)');
      expect(status.text).toContain('⚠️ Planka: not configured, so tasks are kept locally');
      expect(daemon.stdout()).not.toContain('Update CV');
    } finally {
      await stopDaemon(daemon);
      await telegram.close();
      await database.drop();
    }
  });
});

describe('the board in the terminal channel only (no Telegram)', () => {
  it('tells the owner in the terminal when Planka refuses every write, as it would in Telegram', async () => {
    const planka = await startFakePlanka({ apiKey: API_KEY, apiKeyRole: 'boardUser' });
    const database = await createTestDatabase('pglite');
    const daemon = startDaemon(baseEnv({ TERMINAL: 'on', OLLAMA_BASE_URL: 'http://127.0.0.1:9', PLANKA_BASE_URL: planka.url, PLANKA_API_KEY: API_KEY, USER_TIMEZONE: 'Europe/Berlin', ...database.env }));
    try {
      await daemon.waitForText('Terminal channel', 60_000);
      daemon.write('/task Renew passport\n');
      await daemon.waitForText('Added #1 Renew passport', 60_000);
      // Proactive: the notice comes from the write queue, not as the answer to the command.
      await daemon.waitForText('Planka refuses every task change: this Planka user may not create projects', 60_000);
      expect(daemon.stdout().split('Planka refuses every task change')).toHaveLength(2);
      daemon.child.stdin.end();
      expect((await daemon.exited).code).toBe(0);
    } finally {
      if (daemon.child.exitCode === null) await stopDaemon(daemon);
      await planka.close();
      await database.drop();
    }
  });
});
