import { Bot, type Transformer } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { Logger } from '../../log/index.js';
import type { EffectJournal } from '../../outbox/index.js';
import type { BotContext } from './context.js';
import type { IgnoredUpdates } from './ignored-updates.js';
import { journalTransformer } from './journal-transformer.js';
import type { OwnerAuth } from './owner-auth.js';
import { ownerGuard } from './owner-guard.js';
import { retryTransformer } from './retry-transformer.js';
import { chatPacer } from './chat-pacer.js';
import { wellFormedTransformer } from './well-formed-transformer.js';

export interface BuildBotOptions {
  token: string;
  apiRoot: string;
  botInfo: UserFromGetMe;
  journal: EffectJournal;
  auth: OwnerAuth;
  log: Logger;
  /** True for updates the terminal channel made up (they act as the owner). */
  isTerminal: (update: Update) => boolean;
  /** Installed outermost, e.g. the terminal channel's renderer. */
  outerTransformers?: Transformer[];
  /** Long polls hold a request this long; the HTTP client must wait longer. */
  pollTimeoutSeconds: number;
  ownerInGroups: boolean;
  /** Where the owner guard marks what it dropped. */
  ignored: IgnoredUpdates;
  /**
   * False only under the pipeline benchmark (`--unpaced-benchmark`, see main.ts): outgoing
   * messages then leave as fast as the handlers make them, as a bare grammY bot's do.
   * Everything else on the way out (retries, the journal, the guards) stays.
   */
  paced?: boolean;
}

/**
 * The grammY bot used as the router for both channels. Outgoing calls pass, from
 * the inside out: the network, per-chat pacing, retries (429/5xx), the effect journal, the
 * well-formed-text guard, and the terminal renderer. Features add their composers after the owner guard.
 */
export function buildBot(options: BuildBotOptions): Bot<BotContext> {
  const bot = new Bot<BotContext>(options.token, {
    botInfo: options.botInfo,
    client: { apiRoot: options.apiRoot, timeoutSeconds: options.pollTimeoutSeconds + 15 },
  });
  if (options.paced !== false) bot.api.config.use(chatPacer());
  bot.api.config.use(retryTransformer(options.log.child({ part: 'telegram-retry' })));
  bot.api.config.use(journalTransformer(options.journal));
  bot.api.config.use(wellFormedTransformer());
  for (const transformer of options.outerTransformers ?? []) bot.api.config.use(transformer);
  bot.use((ctx, next) => {
    ctx.channel = options.isTerminal(ctx.update) ? 'terminal' : 'telegram';
    return next();
  });
  bot.use(ownerGuard(options.auth, options.log.child({ part: 'owner-guard' }), { ownerInGroups: options.ownerInGroups, ignored: options.ignored }));
  return bot;
}

/** Stands in for getMe when Telegram is not configured (terminal only). */
export function offlineBotInfo(): UserFromGetMe {
  return {
    id: 1,
    is_bot: true,
    first_name: 'Z',
    username: 'openzero_terminal_bot',
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}
