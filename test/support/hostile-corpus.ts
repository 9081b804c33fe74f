// A generated corpus of hostile updates, in shapes the Bot API really delivers: text with
// NUL and unpaired surrogates (JSON escapes \u0000, \ud800 on the wire), 100k-character
// text, entity soup, forged and stale callback data, group and channel posts, edits,
// inline queries, reactions, and update kinds and fields from a future Bot API.
// Deterministic from the seed, so a failure replays.

export interface CorpusUser {
  id: number;
  first_name: string;
}

export interface HostileCorpus {
  /** Bodies for FakeTelegram.pushUpdate (the fake assigns update_id). */
  updates: Array<Record<string, unknown>>;
  /** How many come from the owner. */
  fromOwner: number;
}

const NASTY_TEXTS = [
  'evil\u0000',
  '\u0000',
  'a\u0000b\u0000c',
  'high \ud800 alone',
  'low \udc00 alone',
  'reversed \udc00\ud800 pair',
  'cut emoji \ud83d',
  '\udfff\u0000\ud83d',
  '/status\u0000',
  '/help \ud800',
  '/start 123456',
  '/start \u0000AAAAAA',
  '\u202eright-to-left override',
  'zero\u200dwidth\u200bjoin',
  '<b>not html</b> & <script>',
  '\\u0000 as six characters',
  '😀'.repeat(50) + '\ud83d',
];

/** A small seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hostileCorpus(options: { owner: CorpusUser; size: number; seed: number }): HostileCorpus {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (max: number): number => Math.floor(random() * max);
  const date = 1_700_000_000 + int(100_000_000);
  let messageId = 1;
  const strangers: CorpusUser[] = Array.from({ length: 40 }, (_, i) => ({ id: 90_000 + i, first_name: pick(NASTY_TEXTS) }));
  const groups = [
    { id: -4_000_001, type: 'group', title: 'Family \u0000' },
    { id: -1_001_234_567_890, type: 'supergroup', title: 'Work \ud800', is_forum: true },
  ];
  const channel = { id: -1_009_876_543_210, type: 'channel', title: 'News' };
  const user = (who: CorpusUser): Record<string, unknown> => ({ id: who.id, is_bot: false, first_name: who.first_name, language_code: 'en' });
  const privateChat = (who: CorpusUser): Record<string, unknown> => ({ id: who.id, type: 'private', first_name: who.first_name });

  const text = (): string => {
    const roll = random();
    if (roll < 0.01) return 'x'.repeat(100_000);
    if (roll < 0.02) return `${pick(NASTY_TEXTS)}${'\ud800'.repeat(50_000)}`;
    if (roll < 0.6) return pick(NASTY_TEXTS);
    return Array.from({ length: 1 + int(6) }, () => pick(NASTY_TEXTS)).join(' ');
  };
  /** Overlapping, out of range, zero and negative lengths, unknown types, hostile URLs. */
  const entitySoup = (length: number): Array<Record<string, unknown>> =>
    Array.from({ length: 1 + int(8) }, () => {
      const type = pick(['bold', 'italic', 'bot_command', 'text_link', 'mention', 'custom_emoji', 'pre', 'expandable_blockquote', 'future_entity_kind']);
      const entity: Record<string, unknown> = {
        type,
        offset: pick([0, int(length + 1), length, length + 10, 1_000_000, -1]),
        length: pick([0, 1, length, length * 2, 2 ** 31, -5]),
      };
      if (type === 'text_link') entity['url'] = pick(['javascript:alert(1)', 'tg://user?id=1', 'http://\u0000/']);
      if (type === 'pre') entity['language'] = '\ud800';
      if (type === 'custom_emoji') entity['custom_emoji_id'] = '\u0000';
      return entity;
    });
  const message = (from: CorpusUser, chat: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const body = text();
    return { message_id: messageId++, from: user(from), chat, date, text: body, ...(random() < 0.5 ? { entities: entitySoup(body.length) } : {}), ...extra };
  };
  const forgedData = (): string =>
    pick(['ap:00000000-0000-0000-0000-000000000000:y', 'ap:1:y', 'ap::', 'tk:done:999999', 'mem:forget:zzz', 'x'.repeat(64), '\u0000', '\ud800', 'think:send:1', '']);
  const callback = (from: CorpusUser, chat: Record<string, unknown>): Record<string, unknown> => {
    const query: Record<string, unknown> = { id: String(4_000_000_000 + int(1_000_000_000)), from: user(from), chat_instance: String(-int(1e9)) };
    if (random() < 0.15) query['game_short_name'] = 'snake';
    else query['data'] = forgedData();
    if (random() < 0.2) query['inline_message_id'] = 'AgAAAB\u0000';
    else query['message'] = { message_id: 1 + int(5_000), from: { id: 1, is_bot: true, first_name: 'Z' }, chat, date, text: 'an old message' };
    return query;
  };

  const strangerShapes: Array<() => Record<string, unknown>> = [
    () => {
      const who = pick(strangers);
      return { message: message(who, privateChat(who)) };
    },
    () => {
      const who = pick(strangers);
      return { message: message(who, privateChat(who), { future_field: { nested: '\u0000', n: 1 } }) };
    },
    () => {
      const who = pick(strangers);
      return { message: { message_id: messageId++, from: user(who), chat: privateChat(who), date, sticker: { file_id: '\u0000', file_unique_id: 'u', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false } } };
    },
    () => ({ message: message(pick(strangers), pick(groups)) }),
    () => ({ message: message(options.owner, pick(groups)) }),
    () => {
      const who = pick(strangers);
      return { edited_message: message(who, privateChat(who), { edit_date: date + 1 }) };
    },
    () => ({ channel_post: { message_id: messageId++, sender_chat: channel, chat: channel, date, text: text() } }),
    () => ({ edited_channel_post: { message_id: messageId++, sender_chat: channel, chat: channel, date, edit_date: date + 1, text: text() } }),
    () => {
      const who = pick(strangers);
      return { callback_query: callback(who, privateChat(who)) };
    },
    () => ({ inline_query: { id: String(int(1e12)), from: user(pick(strangers)), query: text(), offset: '\u0000' } }),
    () => ({ chosen_inline_result: { result_id: '\ud800', from: user(pick(strangers)), query: text() } }),
    () => {
      const who = pick(strangers);
      return { message_reaction: { chat: privateChat(who), message_id: 1 + int(100), user: user(who), date, old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '👍' }] } };
    },
    () => ({ my_chat_member: { chat: pick(groups), from: user(pick(strangers)), date, old_chat_member: { status: 'left', user: { id: 1, is_bot: true, first_name: 'Z' } }, new_chat_member: { status: 'member', user: { id: 1, is_bot: true, first_name: 'Z' } } } }),
    () => ({ future_update_kind_2027: { id: int(1e6), note: text(), from: user(pick(strangers)) } }),
  ];
  const ownerChat = privateChat(options.owner);
  const ownerShapes: Array<() => Record<string, unknown>> = [
    () => ({ message: { message_id: messageId++, from: user(options.owner), chat: ownerChat, date, text: pick(NASTY_TEXTS.slice(0, 8)) } }),
    () => ({ message: { message_id: messageId++, from: user(options.owner), chat: ownerChat, date, text: '/nosuchcommand\u0000' } }),
    () => ({ edited_message: message(options.owner, ownerChat, { edit_date: date + 1 }) }),
    () => ({ callback_query: callback(options.owner, ownerChat) }),
    () => ({ inline_query: { id: String(int(1e12)), from: user(options.owner), query: '\ud800', offset: '' } }),
    () => ({ message_reaction: { chat: ownerChat, message_id: 1, user: user(options.owner), date, old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '👍' }] } }),
    () => ({ future_update_kind_2027: { from: user(options.owner), note: '\u0000' } }),
  ];

  const updates: Array<Record<string, unknown>> = [];
  let fromOwner = 0;
  for (let i = 0; i < options.size; i++) {
    if (random() < 0.03) {
      updates.push(pick(ownerShapes)());
      fromOwner += 1;
    } else {
      updates.push(pick(strangerShapes)());
    }
  }
  return { updates, fromOwner };
}
