import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { offlineBotInfo, type BotContext } from '../../src/channels/telegram/index.js';
import { handlersComposer } from '../../src/channels/telegram/handlers-composer.js';
import { ChatHandlers } from '../../src/commands/index.js';

const OWNER = { id: 7, is_bot: false, first_name: 'Olive' };
const CHAT = { id: 7, type: 'private' as const, first_name: 'Olive' };
let nextId = 1;

/** A message whose first word is a bot_command entity, as Telegram marks it. */
function command(text: string): Update {
  nextId += 1;
  const length = text.split(' ')[0]?.length ?? 0;
  return { update_id: nextId, message: { message_id: nextId, date: 0, chat: CHAT, from: OWNER, text, entities: [{ type: 'bot_command', offset: 0, length }] } };
}

function text(body: string): Update {
  nextId += 1;
  return { update_id: nextId, message: { message_id: nextId, date: 0, chat: CHAT, from: OWNER, text: body } };
}

function tap(data: string): Update {
  nextId += 1;
  return { update_id: nextId, callback_query: { id: `cb${nextId}`, chat_instance: '1', from: OWNER, data, message: { message_id: 1, date: 0, chat: CHAT, text: 'shown' } } };
}

/** A bot that never reaches the network: every Bot API call answers ok. */
function harness(register: (handlers: ChatHandlers, log: string[]) => void): { seen: string[]; handle: (update: Update) => Promise<void> } {
  const seen: string[] = [];
  const handlers = new ChatHandlers();
  register(handlers, seen);
  const bot = new Bot<BotContext>('1:fake', { botInfo: offlineBotInfo() });
  bot.api.config.use(async () => ({ ok: true, result: true }) as never);
  bot.use(handlersComposer(handlers));
  bot.use(() => {
    seen.push('next middleware');
  });
  return { seen, handle: (update) => bot.handleUpdate(update) };
}

describe('a feature\'s handlers as one middleware', () => {
  it('matches commands as grammY does: arguments, our @username in any case, not another bot\'s', async () => {
    const { seen, handle } = harness((handlers, log) => {
      handlers.command(['add', 'remember'], async (request) => {
        log.push(`add:${request.args}`);
      });
    });
    await handle(command('/add  milk and eggs'));
    await handle(command('/remember@OpenZero_Terminal_Bot bread'));
    await handle(command('/add@someone_else_bot tea'));
    await handle(command('/unknown'));
    expect(seen).toEqual(['add:milk and eggs', 'add:bread', 'next middleware', 'next middleware']);
  });

  it('hands a passed update to the following handlers in order, then to the next middleware', async () => {
    const { seen, handle } = harness((handlers, log) => {
      handlers
        .command('task', async () => {
          log.push('task passes');
          return 'pass';
        })
        .text(async (message) => {
          log.push(`text:${message.text}`);
          return message.text.startsWith('/') ? 'pass' : undefined;
        });
    });
    await handle(command('/task'));
    await handle(text('hello'));
    expect(seen).toEqual(['task passes', 'text:/task', 'next middleware', 'text:hello']);
  });

  it('runs the first button whose data or pattern matches, and never the next middleware after a button', async () => {
    const { seen, handle } = harness((handlers, log) => {
      handlers
        .button(/^done:(\d+)$/, async (press) => {
          log.push(`done ${press.data}`);
        })
        .button('done:1', async () => {
          log.push('never: the pattern above took it');
        })
        .text(async () => {
          log.push('never: a tap is not text');
        });
    });
    await handle(tap('done:1'));
    await handle(tap('other'));
    expect(seen).toEqual(['done done:1', 'next middleware']);
  });

  it('lets a handler\'s error reach the bot', async () => {
    const { handle } = harness((handlers) => {
      handlers.text(async () => {
        throw new Error('handler broke');
      });
    });
    await expect(handle(text('hi'))).rejects.toThrow('handler broke');
  });
});
