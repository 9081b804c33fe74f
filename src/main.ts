import path from 'node:path';
import dotenv from 'dotenv';
import { pino } from 'pino';
import { App, logDataDirOutcome, preparePrivateDataDir, readVersion, restrictNewFiles, StartupError, type DataDirOutcome } from './app/index.js';
import { buildFeatures } from './app/features.js';
import { loadConfig, TELEGRAM_NOT_CONFIGURED, TELEGRAM_NOT_CONFIGURED_TERMINAL_ONLY } from './config/index.js';
import { DatabaseOpenError } from './db/index.js';
import { createLogger } from './log/index.js';
import { TelegramFatalError } from './channels/telegram/index.js';

const UNPACED_BENCHMARK_FLAG = '--unpaced-benchmark';

/**
 * The composition root: config → logger → app (database, migrations, features,
 * channels) → signals. Every problem that stops start-up is one clear paragraph on
 * stderr and a non-zero exit.
 */
async function main(): Promise<number> {
  restrictNewFiles();
  dotenv.config({ quiet: true });
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`openzero cannot start; fix these settings (in .env or the environment):\n${loaded.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 78;
  }
  const config = loaded.config;
  const argv = new Set(process.argv.slice(2));
  const terminalMode = argv.has('--terminal') ? 'on' : argv.has('--no-terminal') ? 'off' : config.terminal;
  const terminalOn = terminalMode === 'on' || (terminalMode === 'auto' && process.stdin.isTTY === true);
  // For bench/telegram-pipeline.bench.ts only, which compares the pipeline with a bare grammY bot
  // that does not pace either: Telegram would answer an unpaced burst with 429s. Not a setting
  // (no .env key), never on by default, and logged as a warning whenever it is given.
  const unpaced = argv.has(UNPACED_BENCHMARK_FLAG);

  if (!config.telegram.token && !terminalOn) {
    process.stderr.write(`${TELEGRAM_NOT_CONFIGURED}\n`);
    return 78;
  }
  if (!config.telegram.token) process.stdout.write(`${TELEGRAM_NOT_CONFIGURED_TERMINAL_ONLY}\n\n`);

  let dataDir: DataDirOutcome;
  try {
    dataDir = preparePrivateDataDir(config.dataDir);
  } catch (err) {
    process.stderr.write(`openzero cannot start: cannot create DATA_DIR ${config.dataDir} (${err instanceof Error ? err.message : String(err)}). Point DATA_DIR at a folder this user may write.\n`);
    return 78;
  }

  // With the terminal channel on, log lines would interleave with the conversation: they go to a file.
  let destination: pino.DestinationStream | undefined;
  if (terminalOn) {
    const logFile = path.join(config.dataDir, 'openzero.log');
    destination = pino.destination({ dest: logFile, sync: false, mkdir: true });
    process.stdout.write(`(logs: ${logFile})\n`);
  }
  const log = createLogger({ level: config.logLevel, secrets: config.secrets, ...(destination ? { destination } : {}) });
  logDataDirOutcome(dataDir, config.dataDir, log);
  if (unpaced) log.warn({ flag: UNPACED_BENCHMARK_FLAG }, 'outgoing messages are NOT paced to Telegram\'s limits (benchmark flag); never use it with a real bot');

  let resolveExit!: (code: number) => void;
  const exit = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const app = new App({
    config,
    log,
    version: readVersion(),
    terminal: terminalOn ? { input: process.stdin, output: process.stdout, interactive: process.stdin.isTTY === true && process.stdout.isTTY === true } : undefined,
    features: buildFeatures,
    progress: (line) => process.stderr.write(`${line}\n`),
    pacedSending: !unpaced,
    onFatal: (err) => {
      log.fatal({ err }, 'stopping');
      process.stderr.write(`${err.message}\n`);
      void app.stop().then(() => resolveExit(1));
    },
    onTerminalClosed: () => {
      if (config.telegram.token) return;
      void app.stop().then(() => resolveExit(0));
    },
  });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      resolveExit(1);
      return;
    }
    log.info({ signal }, 'shutting down');
    void app.stop().then(() => resolveExit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));

  try {
    await app.start();
  } catch (err) {
    const known = err instanceof TelegramFatalError || err instanceof DatabaseOpenError || err instanceof StartupError;
    const message = err instanceof Error ? err.message : String(err);
    log.fatal({ err }, 'start-up failed');
    process.stderr.write(`openzero cannot start: ${message}\n`);
    await app.stop().catch(() => undefined);
    return known ? 1 : 2;
  }
  const code = await exit;
  log.flush?.();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`openzero crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
