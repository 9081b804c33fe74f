// Drives the fake Telegram Bot API with grammY's real client, so the wire details are checked
// against what grammY actually sends and expects.
import { Api, Bot, GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseHtml, startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from './telegram/index.js';

const OWNER = { id: 4242, first_name: 'Ada', username: 'ada' };

let fake: FakeTelegram;
let api: Api;

async function setup(options: FakeTelegramOptions = {}): Promise<void> {
  fake = await startFakeTelegram(options);
  api = new Api(fake.token, { apiRoot: fake.apiRoot });
}

async function grammyError(promise: Promise<unknown>): Promise<GrammyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GrammyError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function rawPost(path: string, body: string, contentType: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${fake.apiRoot}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });
  return { status: res.status, json: await res.json() };
}

function ownerChat(): void {
  fake.addChat({ id: OWNER.id, type: 'private', first_name: OWNER.first_name, username: OWNER.username });
}

beforeEach(async () => {
  await setup();
});

afterEach(async () => {
  await fake.close();
});

describe('transport', () => {
  it('answers getMe with the bot user and accepts method names case-insensitively', async () => {
    const me = await api.getMe();
    expect(me).toMatchObject({ id: 123456789, is_bot: true, username: 'openzero_test_bot' });
    const res = await fetch(`${fake.apiRoot}/bot${fake.token}/GETME`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, result: { is_bot: true } });
  });

  it('rejects a wrong token with 401 Unauthorized', async () => {
    const other = new Api('1:wrong', { apiRoot: fake.apiRoot });
    const error = await grammyError(other.getMe());
    expect(error.error_code).toBe(401);
    expect(error.description).toBe('Unauthorized');
    expect(fake.calls.at(-1)?.status).toBe(401);
  });

  it('answers an unknown method with 404 Not Found and records it as unexpected', async () => {
    const res = await rawPost(`/bot${fake.token}/sendTelepathy`, '{}', 'application/json');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    expect(fake.unexpected.map((entry) => entry.method)).toEqual(['sendTelepathy']);
  });

  it('reads urlencoded bodies and query parameters, including JSON-serialized fields', async () => {
    ownerChat();
    const markup = JSON.stringify({ inline_keyboard: [[{ text: 'Yes', callback_data: 'y' }]] });
    const form = new URLSearchParams({ chat_id: String(OWNER.id), text: '<b>hi</b>', parse_mode: 'HTML', reply_markup: markup });
    const res = await rawPost(`/bot${fake.token}/sendMessage`, form.toString(), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      ok: true,
      result: { text: 'hi', entities: [{ type: 'bold', offset: 0, length: 2 }], reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'y' }]] } },
    });
    const query = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage?chat_id=${OWNER.id}&text=plain`);
    expect(await query.json()).toMatchObject({ ok: true, result: { text: 'plain', chat: { id: OWNER.id } } });
    expect(fake.botMessages(OWNER.id).map((m) => m.text)).toEqual(['hi', 'plain']);
  });
});

describe('getUpdates', () => {
  it('holds a long poll open and wakes it when an update arrives', async () => {
    const poll = api.getUpdates({ timeout: 30 });
    await fake.waitFor((f) => f.isPolling);
    const id = fake.sendText(OWNER, '/start hello');
    const updates = await poll;
    expect(updates.map((u) => u.update_id)).toEqual([id]);
    expect(updates[0]?.message).toMatchObject({
      text: '/start hello',
      from: { id: OWNER.id, is_bot: false, first_name: 'Ada' },
      chat: { id: OWNER.id, type: 'private' },
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    });
  });

  it('confirms updates below the offset for good', async () => {
    const first = fake.sendText(OWNER, 'one');
    fake.sendText(OWNER, 'two');
    const third = fake.sendText(OWNER, 'three');
    expect((await api.getUpdates()).map((u) => u.update_id)).toEqual([first, first + 1, third]);
    expect(fake.pendingUpdates()).toBe(3);
    expect(await api.getUpdates({ offset: first + 1 })).toHaveLength(2);
    expect(fake.confirmedOffset).toBe(first + 1);
    expect(await api.getUpdates({ offset: third + 1 })).toEqual([]);
    expect(fake.pendingUpdates()).toBe(0);
    // Asking for old ids again does not bring them back.
    expect(await api.getUpdates({ offset: first })).toEqual([]);
  });

  it('returns [] when the timeout elapses', async () => {
    await fake.close();
    await setup({ msPerSecond: 20 });
    expect(await api.getUpdates({ timeout: 2 })).toEqual([]);
    expect(fake.isPolling).toBe(false);
  });

  it('honours limit and a negative offset', async () => {
    const ids = [1, 2, 3, 4, 5].map((n) => fake.sendText(OWNER, `m${n}`));
    expect((await api.getUpdates({ limit: 2 })).map((u) => u.update_id)).toEqual(ids.slice(0, 2));
    expect((await api.getUpdates({ offset: -2 })).map((u) => u.update_id)).toEqual(ids.slice(3));
    expect(fake.pendingUpdates()).toBe(2);
  });

  it('filters by allowed_updates and remembers the last list', async () => {
    ownerChat();
    const sent = await api.sendMessage(OWNER.id, 'pick', { reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] } });
    expect(await api.getUpdates({ allowed_updates: ['callback_query'] })).toEqual([]);
    fake.sendText(OWNER, 'not wanted');
    const press = fake.pressButton(OWNER, OWNER.id, sent.message_id, 'a');
    const updates = await api.getUpdates();
    expect(updates.map((u) => u.update_id)).toEqual([press]);
    expect(updates[0]?.callback_query).toMatchObject({ data: 'a', from: { id: OWNER.id }, message: { message_id: sent.message_id } });
    expect(typeof updates[0]?.callback_query?.id).toBe('string');
    expect(typeof updates[0]?.callback_query?.chat_instance).toBe('string');
    expect(fake.filteredUpdates.map((u) => Object.keys(u))).toEqual([['message', 'update_id']]);
    // An empty list restores the default (everything but chat_member and reactions).
    await api.getUpdates({ allowed_updates: [], offset: press + 1 });
    fake.sendText(OWNER, 'wanted again');
    fake.pushUpdate({ message_reaction: { chat: { id: OWNER.id, type: 'private' } } });
    expect((await api.getUpdates()).map((u) => u.message?.text)).toEqual(['wanted again']);
  });

  it('answers the OLDER of two waiting pollers with 409, and the newer one keeps waiting', async () => {
    const older = grammyError(api.getUpdates({ timeout: 30 }));
    await fake.waitFor((f) => f.isPolling);
    const newer = api.getUpdates({ timeout: 30 });
    const error = await older;
    expect(error.error_code).toBe(409);
    expect(error.description).toBe(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    expect(fake.isPolling).toBe(true);
    const id = fake.sendText(OWNER, 'for the newer');
    expect((await newer).map((u) => u.update_id)).toEqual([id]);
  });

  it('forgets a long poll whose client went away', async () => {
    const controller = new AbortController();
    const abandoned = fetch(`${fake.apiRoot}/bot${fake.token}/getUpdates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeout: 30 }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await fake.waitFor((f) => f.isPolling);
    controller.abort();
    await abandoned;
    await fake.waitFor((f) => !f.isPolling && f.calls.at(-1)?.abandoned === true);
    const next = api.getUpdates({ timeout: 30 });
    await fake.waitFor((f) => f.isPolling);
    const id = fake.sendText(OWNER, 'hi');
    expect((await next).map((u) => u.update_id)).toEqual([id]);
    expect(fake.callsTo('getUpdates').map((c) => c.status)).toEqual([undefined, 200]);
  });

  it('can simulate another instance polling', async () => {
    fake.simulateConflict(true);
    const error = await grammyError(api.getUpdates({ timeout: 1 }));
    expect(error.error_code).toBe(409);
    expect(error.description).toContain('terminated by other getUpdates request');
    fake.simulateConflict(false);
    expect(await api.getUpdates()).toEqual([]);
  });

  it('blocks getUpdates while a webhook is set', async () => {
    fake.sendText(OWNER, 'queued');
    expect(await api.setWebhook('https://example.com/hook')).toBe(true);
    expect((await api.getWebhookInfo()).url).toBe('https://example.com/hook');
    const error = await grammyError(api.getUpdates());
    expect(error.error_code).toBe(409);
    expect(error.description).toBe(
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    );
    expect(await api.deleteWebhook({ drop_pending_updates: true })).toBe(true);
    expect(fake.pendingUpdates()).toBe(0);
    expect(await api.getUpdates()).toEqual([]);
    expect(fake.calls.find((c) => c.method === 'deleteWebhook')?.response).toEqual({
      ok: true,
      result: true,
      description: 'Webhook was deleted',
    });
  });

  it('with serverThrottles, a repeated short poll with the same offset is held like timeout 3', async () => {
    await fake.close();
    await setup({ serverThrottles: true, msPerSecond: 5000 });
    expect(await api.getUpdates({ offset: 0, timeout: 0 })).toEqual([]);
    const second = api.getUpdates({ offset: 0, timeout: 0 });
    await fake.waitFor((f) => f.isPolling);
    const id = fake.sendText(OWNER, 'wake');
    expect((await second).map((u) => u.update_id)).toEqual([id]);
  });

  it('runs a real grammY Bot end to end', async () => {
    const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    bot.command('start', (ctx) => ctx.reply('<b>Welcome</b>', { parse_mode: 'HTML' }));
    bot.on('callback_query:data', (ctx) => ctx.answerCallbackQuery({ text: `got ${ctx.callbackQuery.data}` }));
    const running = bot.start({ drop_pending_updates: true, timeout: 30 });
    await fake.waitFor((f) => f.isPolling);
    fake.sendText(OWNER, '/start');
    await fake.waitFor((f) => f.botMessages(OWNER.id).length === 1);
    const reply = fake.botMessages(OWNER.id)[0];
    expect(reply).toMatchObject({ text: 'Welcome', rawText: '<b>Welcome</b>', parseMode: 'HTML' });
    await api.editMessageReplyMarkup(OWNER.id, reply?.message_id ?? 0, {
      reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] },
    });
    fake.pressButton(OWNER, OWNER.id, reply?.message_id ?? 0, 'go');
    await fake.waitFor((f) => f.callsTo('answerCallbackQuery').length === 1);
    await bot.stop();
    await running;
    expect(fake.unexpected).toEqual([]);
    expect(fake.pendingUpdates()).toBe(0);
  });
});

describe('messages', () => {
  beforeEach(() => ownerChat());

  it('sendMessage returns a full Message and history shares message ids with the user', async () => {
    fake.sendText(OWNER, 'hello bot');
    const sent = await api.sendMessage(OWNER.id, 'Hi <i>Ada</i>', { parse_mode: 'HTML' });
    expect(sent).toMatchObject({
      message_id: 2,
      from: { id: 123456789, is_bot: true, username: 'openzero_test_bot' },
      chat: { id: OWNER.id, type: 'private' },
      text: 'Hi Ada',
      entities: [{ type: 'italic', offset: 3, length: 3 }],
    });
    expect(typeof sent.date).toBe('number');
    expect(fake.history(OWNER.id).map((m) => [m.message_id, m.sender])).toEqual([[1, 'user'], [2, 'bot']]);
  });

  it('rejects empty, whitespace-only and unknown-chat messages', async () => {
    const empty = await grammyError(api.sendMessage(OWNER.id, ''));
    expect([empty.error_code, empty.description]).toEqual([400, 'Bad Request: message text is empty']);
    expect((await grammyError(api.sendMessage(OWNER.id, '<b></b>  ', { parse_mode: 'HTML' }))).description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await grammyError(api.sendMessage(999, 'hi'))).description).toBe('Bad Request: chat not found');
  });

  it('measures the 4096 limit on the text after entity parsing', async () => {
    const tooLong = await grammyError(api.sendMessage(OWNER.id, 'x'.repeat(4097)));
    expect(tooLong.description).toBe('Bad Request: message is too long');
    const source = `<b>${'a'.repeat(4000)}</b>${'<i>b</i>'.repeat(96)}`;
    expect(source.length).toBeGreaterThan(4096);
    const sent = await api.sendMessage(OWNER.id, source, { parse_mode: 'HTML' });
    expect(sent.text).toHaveLength(4096);
    const entities = '&amp;'.repeat(4097);
    expect((await grammyError(api.sendMessage(OWNER.id, entities, { parse_mode: 'HTML' }))).description).toBe(
      'Bad Request: message is too long',
    );
  });

  it.each([
    ['Hello there <foo>bar</foo>', 'Unsupported start tag "foo" at byte offset 12'],
    ['<b>bold', `Can't find end tag corresponding to start tag "b"`],
    ['1 < 2', 'Unsupported start tag "" at byte offset 2'],
    ['é <x>', 'Unsupported start tag "x" at byte offset 3'],
    ['<b>a</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ['a</b>', 'Unexpected end tag at byte offset 1'],
    ['<a href="x', 'Unclosed start tag at byte offset 0'],
    ['<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ['<tg-emoji emoji-id="abc">x</tg-emoji>', 'Invalid custom emoji identifier specified'],
  ])('HTML %j fails with %j', async (text, reason) => {
    const error = await grammyError(api.sendMessage(OWNER.id, text, { parse_mode: 'HTML' }));
    expect(error.error_code).toBe(400);
    expect(error.description).toBe(`Bad Request: can't parse entities: ${reason}`);
  });

  it('keeps a stray & and unknown entities literal, like tdlib', async () => {
    const sent = await api.sendMessage(OWNER.id, 'Tom & Jerry &nbsp; &lt;3 &#128512; &quot;q&quot', { parse_mode: 'HTML' });
    expect(sent.text).toBe('Tom & Jerry &nbsp; <3 😀 "q"');
  });

  it('edits text, refuses a no-op edit and unknown messages, and drops the keyboard when not resent', async () => {
    const keyboard = { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] };
    const sent = await api.sendMessage(OWNER.id, 'draft', { reply_markup: keyboard });
    const same = await grammyError(api.editMessageText(OWNER.id, sent.message_id, 'draft', { reply_markup: keyboard }));
    expect(same.description).toBe(
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
    const edited = await api.editMessageText(OWNER.id, sent.message_id, 'final');
    expect(edited).toMatchObject({ text: 'final', message_id: sent.message_id });
    expect(typeof (edited === true ? undefined : edited.edit_date)).toBe('number');
    const stored = fake.message(OWNER.id, sent.message_id);
    expect(stored).toMatchObject({ edited: true, editCount: 1, text: 'final', replyMarkup: undefined });
    expect((await grammyError(api.editMessageReplyMarkup(OWNER.id, sent.message_id))).description).toContain(
      'message is not modified',
    );
    expect((await grammyError(api.editMessageText(OWNER.id, 77, 'x'))).description).toBe(
      'Bad Request: message to edit not found',
    );
  });

  it('deletes once; a second delete or an edit afterwards is not found', async () => {
    const sent = await api.sendMessage(OWNER.id, 'bye');
    expect(await api.deleteMessage(OWNER.id, sent.message_id)).toBe(true);
    expect(fake.message(OWNER.id, sent.message_id)?.deleted).toBe(true);
    expect((await grammyError(api.deleteMessage(OWNER.id, sent.message_id))).description).toBe(
      'Bad Request: message to delete not found',
    );
    expect((await grammyError(api.editMessageText(OWNER.id, sent.message_id, 'x'))).description).toBe(
      'Bad Request: message to edit not found',
    );
  });

  it('rejects callback_data over 64 bytes', async () => {
    const ok = { inline_keyboard: [[{ text: 'ok', callback_data: 'é'.repeat(32) }]] };
    await api.sendMessage(OWNER.id, 'fits', { reply_markup: ok });
    const tooLong = { inline_keyboard: [[{ text: 'no', callback_data: 'é'.repeat(33) }]] };
    const error = await grammyError(api.sendMessage(OWNER.id, 'too long', { reply_markup: tooLong }));
    expect([error.error_code, error.description]).toEqual([400, 'Bad Request: BUTTON_DATA_INVALID']);
  });

  it('answers a callback query once', async () => {
    const sent = await api.sendMessage(OWNER.id, 'q', { reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] } });
    expect(() => fake.pressButton(OWNER, OWNER.id, sent.message_id, 'nope')).toThrow(/no button/);
    fake.pressButton(OWNER, OWNER.id, sent.message_id, 'a');
    const [update] = await api.getUpdates();
    const queryId = update?.callback_query?.id ?? '';
    expect(await api.answerCallbackQuery(queryId, { text: 'done' })).toBe(true);
    expect(fake.callbackQuery(queryId)).toMatchObject({ answered: true, answer: { text: 'done' } });
    expect((await grammyError(api.answerCallbackQuery(queryId))).description).toBe(
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );
  });

  it('records chat actions and validates the action', async () => {
    expect(await api.sendChatAction(OWNER.id, 'typing')).toBe(true);
    expect(fake.chatActions(OWNER.id).map((a) => a.action)).toEqual(['typing']);
    const bad = await rawPost(`/bot${fake.token}/sendChatAction`, JSON.stringify({ chat_id: OWNER.id, action: 'dancing' }), 'application/json');
    expect(bad.json).toEqual({ ok: false, error_code: 400, description: 'Bad Request: wrong parameter action in request' });
  });

  it('stores sendMessageDraft frames per chat', async () => {
    expect(await api.sendMessageDraft(OWNER.id, 7, '')).toBe(true);
    expect(await api.sendMessageDraft(OWNER.id, 7, 'Thinking <b>hard</b>', { parse_mode: 'HTML' })).toBe(true);
    expect(fake.drafts(OWNER.id).map((d) => [d.draft_id, d.text, d.entities.length])).toEqual([
      [7, '', 0],
      [7, 'Thinking hard', 1],
    ]);
    expect((await grammyError(api.sendMessageDraft(OWNER.id, 0, 'x'))).error_code).toBe(400);
    expect((await grammyError(api.sendMessageDraft(OWNER.id, 7, '<b>x', { parse_mode: 'HTML' }))).description).toContain(
      "can't parse entities",
    );
  });

  it('stores commands per scope and validates names', async () => {
    expect(await api.setMyCommands([{ command: 'start', description: 'Start' }, { command: 'memory_add', description: 'Remember' }])).toBe(true);
    expect(await api.getMyCommands()).toEqual([
      { command: 'start', description: 'Start' },
      { command: 'memory_add', description: 'Remember' },
    ]);
    expect(await api.getMyCommands({ scope: { type: 'all_private_chats' } })).toEqual([]);
    expect((await grammyError(api.setMyCommands([{ command: 'Start', description: 'x' }]))).description).toBe(
      'Bad Request: BOT_COMMAND_INVALID',
    );
    expect((await grammyError(api.setMyCommands([{ command: 'ok', description: '' }]))).description).toBe(
      'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID',
    );
    expect(fake.commands()).toHaveLength(2);
  });
});

describe('fault injection', () => {
  beforeEach(() => ownerChat());

  it('answers 429 with retry_after that grammY exposes', async () => {
    fake.rateLimit('sendMessage', 7, 2);
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await grammyError(api.sendMessage(OWNER.id, 'hi'));
      expect(error.error_code).toBe(429);
      expect(error.description).toBe('Too Many Requests: retry after 7');
      expect(error.parameters.retry_after).toBe(7);
    }
    expect((await api.sendMessage(OWNER.id, 'hi')).text).toBe('hi');
  });

  it('fails the next calls of a method with a given error', async () => {
    fake.failNext('getMe', { error_code: 500, description: 'Internal Server Error' });
    expect((await grammyError(api.getMe())).error_code).toBe(500);
    expect((await api.getMe()).is_bot).toBe(true);
  });

  it('waitFor rejects with the recent calls when the condition never holds', async () => {
    await api.getMe();
    await expect(fake.waitFor((f) => f.botMessages().length > 0, 100)).rejects.toThrow(/getMe \{\} → 200/);
  });
});

describe('parseHtml', () => {
  it('produces the documented entities', () => {
    const parsed = parseHtml(
      '<b>b <i>bi</i></b> <u>u</u><s>s</s><tg-spoiler>sp</tg-spoiler><span class="tg-spoiler">s2</span>' +
        '<a href="https://example.com">link</a><a href="tg://user?id=42">me</a><code>c</code>' +
        '<pre><code class="language-ts">let x</code></pre><blockquote expandable>q</blockquote>' +
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    );
    expect(parsed.text).toBe('b bi ussps2linkmeclet xq👍');
    const types = parsed.entities.map((e) => e.type);
    expect(types).toEqual([
      'bold', 'italic', 'underline', 'strikethrough', 'spoiler', 'spoiler', 'text_link', 'text_mention',
      'code', 'pre', 'expandable_blockquote', 'custom_emoji',
    ]);
    expect(parsed.entities.find((e) => e.type === 'pre')).toMatchObject({ language: 'ts', length: 5 });
    expect(parsed.entities.find((e) => e.type === 'text_link')).toMatchObject({ url: 'https://example.com/' });
    expect(parsed.entities.find((e) => e.type === 'custom_emoji')).toMatchObject({ custom_emoji_id: '5368324170671202286', length: 2 });
  });
});

describe('volume', () => {
  it('delivers 5,000 updates in order through long polling', async () => {
    const received: number[] = [];
    let offset = 0;
    const ids: number[] = [];
    for (let n = 0; n < 5000; n++) ids.push(fake.sendText(OWNER, `m${n}`));
    while (received.length < ids.length) {
      const batch: Update[] = await api.getUpdates({ offset, timeout: 5 });
      for (const update of batch) received.push(update.update_id);
      offset = (batch.at(-1)?.update_id ?? offset - 1) + 1;
    }
    expect(received).toEqual(ids);
    await api.getUpdates({ offset });
    expect(fake.pendingUpdates()).toBe(0);
  });
});
