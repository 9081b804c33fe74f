import type { Api, Composer } from 'grammy';
import type { Update } from 'grammy/types';
import type { Config } from '../config/index.js';
import type { Db, DatabaseKind } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { BotContext, CommandRegistry, OwnerAuth } from '../channels/telegram/index.js';
import type { ServiceProbe } from '../status/index.js';
import type { OwnerMessenger } from '../messenger/index.js';
import type { BriefingSection, ScheduledJob } from '../routines/contracts.js';

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
  /** Proactive messages to the owner, once per scope. */
  messenger: OwnerMessenger;
  /**
   * Marks the update being handled as one whose content must not be kept (it carries a
   * secret): once handled, the inbox keeps only its id and kind, as for an ignored update.
   */
  keepNoCopy?: (update: Update) => void;
  /** Embedded database only: PGlite's gzipped tarball of its data folder (see backup/). */
  dumpEmbeddedDataDir?: () => Promise<Uint8Array>;
}

/** A slice of the assistant: its commands and handlers, its outside services, its lifecycle. */
export interface Feature {
  name: string;
  composer?: Composer<BotContext>;
  probes?: ServiceProbe[];
  /** Extra lines for /status. */
  statusLines?: () => Promise<string[]>;
  /** Periodic work the routine scheduler runs (polls, backups, heartbeats). */
  jobs?: ScheduledJob[];
  /** Facts this feature offers the briefings. */
  briefingSections?: BriefingSection[];
  start?: () => Promise<void>;
  stop?: () => Promise<void>;
}
