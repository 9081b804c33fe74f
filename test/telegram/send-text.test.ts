import { Api } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { editText, sendText } from '../../src/channels/telegram/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';

const OWNER = { id: 501, first_name: 'Olive' };

describe('sendText against the Bot API', () => {
  let telegram: FakeTelegram;
  let api: Api;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
    api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    telegram.sendText(OWNER, 'hi');
  });
  afterEach(() => telegram.close());

  it('splits a long answer into messages Telegram accepts, keeping every word', async () => {
    const paragraphs = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: **bold ${i}** and \`code ${i}\` <raw & tags> ` + 'word '.repeat(40));
    const text = paragraphs.join('\n\n');
    const sent = await sendText(api, OWNER.id, text);
    expect(sent.length).toBeGreaterThan(2);
    const stored = telegram.botMessages(OWNER.id);
    expect(stored).toHaveLength(sent.length);
    for (const message of stored) {
      expect(message.text.length).toBeLessThanOrEqual(4096);
      expect(message.parseMode).toBe('HTML');
    }
    const all = stored.map((message) => message.text).join('\n');
    for (let i = 0; i < 60; i += 1) expect(all).toContain(`Paragraph ${i}: bold ${i} and code ${i} <raw & tags>`);
    expect(telegram.unexpected).toEqual([]);
  });

  it('retries a chunk as plain text when Telegram rejects its entities', async () => {
    telegram.failNext('sendMessage', { error_code: 400, description: 'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"' });
    await sendText(api, OWNER.id, '**Deadline** is <Friday> & final');
    const [message] = telegram.botMessages(OWNER.id);
    expect(message?.parseMode).toBeUndefined();
    expect(message?.text).toBe('Deadline is <Friday> & final');
  });

  it('puts buttons on the last chunk only', async () => {
    const buttons = { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] };
    await sendText(api, OWNER.id, 'x '.repeat(3000), { buttons });
    const stored = telegram.botMessages(OWNER.id);
    expect(stored.length).toBe(2);
    expect(stored[0]?.replyMarkup).toBeUndefined();
    expect(stored[1]?.replyMarkup).toEqual(buttons);
  });

  it('treats "message is not modified" as success when editing', async () => {
    const [sent] = await sendText(api, OWNER.id, 'same text');
    await editText(api, OWNER.id, sent!.message_id, 'same text');
    await editText(api, OWNER.id, sent!.message_id, 'new **text**');
    expect(telegram.message(OWNER.id, sent!.message_id)?.text).toBe('new text');
  });
});
