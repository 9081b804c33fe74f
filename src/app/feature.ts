import type { Api, Composer } from 'grammy';
import type { Config } from '../config/index.js';
import type { Db, DatabaseKind } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { BotContext, CommandRegistry, OwnerAuth } from '../channels/telegram/index.js';
import type { ServiceProbe } from '../status/index.js';

/** What every feature is built from: handed in by the composition root, never imported. */
export interface FeatureDeps {
  config: Config;
  db: Db;
  databaseKind: DatabaseKind;
  log: Logger;
  registry: CommandRegistry;
  auth: OwnerAuth;
  /** The Bot API client (journaled, retried); proactive messages go to the owner through it. */
  api: Api;
  /** The chat proactive messages go to: the owner's private chat, once known. */
  ownerChatId: () => number | undefined;
}

/** A slice of the assistant: its commands and handlers, its outside services, its lifecycle. */
export interface Feature {
  name: string;
  composer?: Composer<BotContext>;
  probes?: ServiceProbe[];
  /** Extra lines for /status. */
  statusLines?: () => Promise<string[]>;
  start?: () => Promise<void>;
  stop?: () => Promise<void>;
}
