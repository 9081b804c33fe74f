import type { Config } from '../config/index.js';
import type { Db, DatabaseKind } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { OwnerAuth } from '../channels/telegram/index.js';
import type { CommandRegistry } from '../commands/index.js';
import type { ChatHandlers } from '../commands/index.js';
import type { ServiceProbe } from '../status/index.js';
import type { ChatMessenger, OwnerMessenger, ReplyChannel } from '../messenger/index.js';
import type { BriefingSection, ScheduledJob } from '../routines/contracts.js';

/** What every feature is built from: handed in by the composition root, never imported. */
export interface FeatureDeps {
  config: Config;
  db: Db;
  databaseKind: DatabaseKind;
  log: Logger;
  registry: CommandRegistry;
  auth: OwnerAuth;
  /** Messages in a given chat, edited later (approval requests and their outcome), and files. */
  chats: ChatMessenger;
  /** The assistant's replies while it answers: stream, typing, send (Telegram or the terminal, by chat). */
  replies: ReplyChannel;
  /** The chat proactive messages go to: the owner's private chat, once known. */
  ownerChatId: () => number | undefined;
  /** Proactive messages to the owner, once per scope. */
  messenger: OwnerMessenger;
  /** Embedded database only: PGlite's gzipped tarball of its data folder (see backup/). */
  dumpEmbeddedDataDir?: () => Promise<Uint8Array>;
}

/** A slice of the assistant: its commands and handlers, its outside services, its lifecycle. */
export interface Feature {
  name: string;
  /** Its commands, buttons and free-text handlers; the channel routes updates to them. */
  handlers?: ChatHandlers;
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
