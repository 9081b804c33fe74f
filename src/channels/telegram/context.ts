import type { Context } from 'grammy';

/** Which channel an update came through; the terminal acts as the owner. */
export type Channel = 'telegram' | 'terminal';

export type BotContext = Context & { channel: Channel };
