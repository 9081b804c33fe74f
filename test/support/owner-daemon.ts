import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, telegramEnv, waitUntilReady, type DaemonProcess } from './daemon.js';
import { createTestDatabase, type DbKind, type TestDatabase } from './databases.js';

export interface OwnerDaemonOptions {
  /** The database the daemon runs on: a fresh one of this kind. */
  kind: DbKind;
  /** Telegram's owner; the fake knows their chat, as if they had started the bot. */
  owner: { id: number; first_name: string };
  /** Settings on top of the fake Telegram's and the database's. */
  env?: Record<string, string>;
  telegram?: FakeTelegramOptions;
  /** Wait for "openzero is ready" (default), or return at once to watch start-up. */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

/**
 * The end-to-end set-up most daemon tests share: a fake Telegram that knows the owner, a
 * fresh database, and the built daemon started on both, ready. `restart` starts another
 * daemon on the same Telegram and database (after a kill, say); `close` stops every daemon
 * it started and removes the fakes and the database, whatever state they are in.
 */
export interface OwnerDaemon {
  telegram: FakeTelegram;
  database: TestDatabase;
  /** The latest daemon started. */
  daemon: DaemonProcess;
  /** The environment the daemons run with. */
  env: Record<string, string>;
  restart(options?: { waitReady?: boolean }): Promise<DaemonProcess>;
  close(): Promise<void>;
}

export async function launchOwnerDaemon(options: OwnerDaemonOptions): Promise<OwnerDaemon> {
  const telegram = await startFakeTelegram(options.telegram);
  telegram.addChat({ id: options.owner.id, type: 'private', first_name: options.owner.first_name });
  const database = await createTestDatabase(options.kind);
  const env = baseEnv({ ...telegramEnv(telegram, options.owner.id), ...database.env, ...options.env });
  const daemons: DaemonProcess[] = [];
  const start = async (waitReady: boolean): Promise<DaemonProcess> => {
    const daemon = startDaemon(env);
    daemons.push(daemon);
    if (waitReady) await waitUntilReady(daemon, options.readyTimeoutMs);
    return daemon;
  };
  const close = async (): Promise<void> => {
    await Promise.all(daemons.map((daemon) => stopDaemon(daemon)));
    await telegram.close();
    await database.drop();
  };
  try {
    const daemon = await start(options.waitReady ?? true);
    const launched: OwnerDaemon = {
      telegram,
      database,
      daemon,
      env,
      restart: async (restartOptions) => {
        launched.daemon = await start(restartOptions?.waitReady ?? true);
        return launched.daemon;
      },
      close,
    };
    return launched;
  } catch (err) {
    await close();
    throw err;
  }
}
