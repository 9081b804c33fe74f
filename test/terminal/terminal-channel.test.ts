import { PassThrough } from 'node:stream';
import { Api, InputFile } from 'grammy';
import type { InlineKeyboardMarkup, Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { TERMINAL_CHAT_ID, TERMINAL_PROMPT, TerminalChannel } from '../../src/channels/terminal/index.js';

/** What the owner's next line does to the bot: sends the bot's replies (through the terminal's transformer). */
type Reply = (api: Api, update: Update) => Promise<void>;

const TASK_BUTTONS: InlineKeyboardMarkup = {
  inline_keyboard: [
    [{ text: '✓ #1', callback_data: 'task:done:1' }, { text: '✓ #2', callback_data: 'task:done:2' }],
  ],
};

function harness(options: { interactive?: boolean } = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString('utf8');
  });
  const updates: Update[] = [];
  const replies: Reply[] = [];
  let waiters: Array<() => void> = [];
  const api = new Api('1:terminal-test');
  const channel = new TerminalChannel({
    input,
    output,
    userId: () => 42,
    onClose: () => undefined,
    ...options,
    handle: async (update) => {
      updates.push(update);
      await replies.shift()?.(api, update);
      for (const waiter of waiters) waiter();
      waiters = [];
    },
  });
  api.config.use(channel.transformer());
  channel.start();
  /** Types one line (or keystrokes, one chunk each, as a TTY delivers them) and waits until the daemon handled it. */
  const type = async (keys: string | string[], reply?: Reply): Promise<Update> => {
    if (reply) replies.push(reply);
    const before = updates.length;
    const handled = new Promise<void>((resolve) => waiters.push(resolve));
    await press(keys);
    await handled;
    expect(updates.length).toBe(before + 1);
    return updates[updates.length - 1] as Update;
  };
  /** Readline reads one chunk of several characters as pasted text, so keystrokes go one by one. */
  const press = async (keys: string | string[]): Promise<void> => {
    if (typeof keys === 'string') {
      input.write(keys);
      return;
    }
    for (const key of keys) {
      input.write(key);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { channel, press, type, shown: () => shown };
}

const say = (text: string, buttons?: InlineKeyboardMarkup): Reply => async (api) => {
  await api.sendMessage(TERMINAL_CHAT_ID, text, buttons ? { reply_markup: buttons } : {});
};

describe('the terminal channel', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('prints a document whole (a capability\'s code to approve), instead of claiming it was attached', async () => {
    const { channel, type, shown } = harness();
    stop = () => channel.stop();
    const code = Array.from({ length: 60 }, (_, i) => `const line${i} = ${i}; // unusual marker ${i}`).join('\n');
    await type('show me\n', async (api) => {
      const sent = await api.sendDocument(TERMINAL_CHAT_ID, new InputFile(Buffer.from(code, 'utf8'), 'grocery-v2.js'), { caption: 'grocery v2 · sha256 abc' });
      expect(sent.document?.file_name).toBe('grocery-v2.js');
    });
    expect(shown()).toContain('📎 grocery-v2.js (grocery v2 · sha256 abc)');
    expect(shown()).toContain(code);
  });

  it('shows a streamed answer once, though the draft was Markdown and the final message is formatted', async () => {
    const t = harness();
    stop = () => t.channel.stop();
    await t.type('what is 2+2?\n', async (api) => {
      await api.raw.sendMessageDraft({ chat_id: TERMINAL_CHAT_ID, draft_id: 7, text: 'The answer is **4**.' });
      await api.raw.sendMessageDraft({ chat_id: TERMINAL_CHAT_ID, draft_id: 7, text: 'The answer is **4**. Two plus two makes four.' });
      await api.sendMessage(TERMINAL_CHAT_ID, 'The answer is <b>4</b>. Two plus two makes four.\n\n<i>answered by the local model</i>', { parse_mode: 'HTML' });
    });
    const out = t.shown();
    expect(out.split('Two plus two makes four')).toHaveLength(2);
    expect(out).toContain('answered by the local model');
    expect(out).not.toContain('Z › The answer');
  });

  it('treats a number as chat text once the owner has moved on from the message with buttons', async () => {
    const t = harness();
    stop = () => t.channel.stop();
    await t.type('/tasks\n', say('Open tasks: #1 milk, #2 passport', TASK_BUTTONS));
    await t.type('how are you?\n', say('Fine, thanks.'));
    await t.type('/help\n', say('/tasks — open tasks'));
    const typed = await t.type('1\n');
    expect(typed.callback_query).toBeUndefined();
    expect(typed.message?.text).toBe('1');
  });

  it('taps a button of the latest message with buttons, once, even after a follow-up message in the same answer', async () => {
    const t = harness();
    stop = () => t.channel.stop();
    await t.type('delete the passport task\n', async (api) => {
      await api.sendMessage(TERMINAL_CHAT_ID, 'Delete #2 passport?', { reply_markup: TASK_BUTTONS });
      await api.sendMessage(TERMINAL_CHAT_ID, 'I asked for your confirmation above.');
    });
    expect(t.shown()).toContain('[2] ✓ #2');
    const tap = await t.type('2\n');
    expect(tap.callback_query?.data).toBe('task:done:2');
    const again = await t.type('2\n');
    expect(again.callback_query).toBeUndefined();
    expect(again.message?.text).toBe('2');
  });

  it('numbers only the newest message with buttons, and a number beyond them is chat text', async () => {
    const t = harness();
    stop = () => t.channel.stop();
    await t.type('/tasks\n', async (api) => {
      await api.sendMessage(TERMINAL_CHAT_ID, 'Tasks', { reply_markup: TASK_BUTTONS });
      await api.sendMessage(TERMINAL_CHAT_ID, 'Also', { reply_markup: { inline_keyboard: [[{ text: 'Next page', callback_data: 'mem:p:5' }]] } });
    });
    const tooFar = await t.type('2\n');
    expect(tooFar.message?.text).toBe('2');

    await t.type('/tasks\n', async (api) => {
      await api.sendMessage(TERMINAL_CHAT_ID, 'Tasks', { reply_markup: TASK_BUTTONS });
      await api.sendMessage(TERMINAL_CHAT_ID, 'Also', { reply_markup: { inline_keyboard: [[{ text: 'Next page', callback_data: 'mem:p:5' }]] } });
    });
    const newest = await t.type('1\n');
    expect(newest.callback_query?.data).toBe('mem:p:5');
  });

  it('expires the numbers when their message is edited without buttons, and follows an edit that brings new ones', async () => {
    const t = harness();
    stop = () => t.channel.stop();
    let messageId = 0;
    await t.type('/tasks\n', async (api) => {
      messageId = (await api.sendMessage(TERMINAL_CHAT_ID, 'Delete #2?', { reply_markup: TASK_BUTTONS })).message_id;
      await api.editMessageText(TERMINAL_CHAT_ID, messageId, 'Delete #2?\n⌛ Expired — nothing was done.');
    });
    expect((await t.type('1\n')).message?.text).toBe('1');

    await t.type('/memories\n', async (api) => {
      messageId = (await api.sendMessage(TERMINAL_CHAT_ID, 'Page 1', { reply_markup: TASK_BUTTONS })).message_id;
      await api.editMessageText(TERMINAL_CHAT_ID, messageId, 'Page 2', { reply_markup: { inline_keyboard: [[{ text: '« Back', callback_data: 'mem:p:0' }]] } });
    });
    const back = await t.type('1\n');
    expect(back.callback_query?.data).toBe('mem:p:0');
    expect(back.callback_query?.message?.message_id).toBe(messageId);
  });

  it('in a TTY: shows a prompt, edits the line, recalls earlier lines with the up arrow, and keeps a half-typed line when Z speaks', async () => {
    const t = harness({ interactive: true });
    stop = () => t.channel.stop();
    expect(t.shown()).toContain(TERMINAL_PROMPT);
    await t.type([...'helo', '\x1b[D', '\x1b[D', 'l', '\r'], say('hello to you'));
    const first = await t.type(['\x1b[A', '\r'], say('again'));
    expect(first.message?.text).toBe('hello');
    // Typing "/sta", then a message from the daemon arrives; the typed part is redrawn under it.
    await t.press([...'/sta']);
    t.channel.notice('Pairing code: 123456.');
    expect(t.shown().slice(t.shown().lastIndexOf('Pairing code: 123456.'))).toContain(`${TERMINAL_PROMPT}/sta`);
    const status = await t.type([...'tus\r'], say('ok'));
    expect(status.message?.text).toBe('/status');
  });
});
