import { Composer } from 'grammy';
import type { CommandRegistry } from '../../../commands/index.js';
import type { BotContext } from '../context.js';
import { escapeHtml } from '../format/index.js';
import { replyText } from '../reply.js';

export interface CoreCommandDeps {
  registry: CommandRegistry;
  /** The /status text, built fresh on each call. */
  statusText: () => Promise<string>;
}

/** /start, /help and /status: what every installation has. */
export function coreCommands(deps: CoreCommandDeps): Composer<BotContext> {
  const { registry } = deps;
  registry.add({ command: 'start', description: 'Say hello and check that Z is listening' });
  registry.add({ command: 'help', description: 'List every command' });
  registry.add({ command: 'status', description: 'Uptime, database, queues and outside services' });

  const composer = new Composer<BotContext>();

  composer.command('start', async (ctx) => {
    const name = ctx.from?.first_name ? `, ${ctx.from.first_name}` : '';
    await replyText(ctx, `Z here${name}. I'm online and listening. Send me a message, or /help for what I can do.`);
  });

  composer.command('help', async (ctx) => {
    const lines = registry.list().map((spec) => escapeHtml(`/${spec.command}${spec.args ? ` ${spec.args}` : ''} — ${spec.description}`));
    await replyText(ctx, ['<b>Commands</b>', ...lines].join('\n'), { html: true });
  });

  composer.command('status', async (ctx) => {
    await replyText(ctx, await deps.statusText());
  });

  return composer;
}
