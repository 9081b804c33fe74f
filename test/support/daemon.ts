import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcessWithoutNullStreams;
  logs: LogLine[];
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first log line matching; rejects on exit or timeout. */
  waitForLog: (predicate: (line: LogLine) => boolean, timeoutMs?: number) => Promise<LogLine>;
  waitForText: (fragment: string, timeoutMs?: number) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  write: (text: string) => void;
  kill: (signal?: NodeJS.Signals) => void;
}

/** Environment every daemon in the tests gets unless overridden. */
export function baseEnv(extra: Record<string, string>): Record<string, string> {
  return {
    // No routines unless a test brings its own file: an empty file in a fresh temp folder.
    RECURRING_PLANS_FILE: emptyPlansFile(),
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'debug',
    TERMINAL: 'off',
    HEALTH_PORT: '0',
    TELEGRAM_POLL_TIMEOUT_SECONDS: '2',
    OLLAMA_BASE_URL: 'http://127.0.0.1:9',
    ...extra,
  };
}

function emptyPlansFile(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oz-plans-')), 'recurring-plans.md');
  fs.writeFileSync(file, '');
  return file;
}

/** Node's flags in `npm start` (package.json), so tests and benchmarks run the daemon as owners do. */
const START_FLAGS: string[] = [];
/** For benchmarks: OZ_CPU_PROFILE_DIR=<folder> makes every daemon write a V8 CPU profile there when it exits. */
const PROFILE_FLAGS = process.env.OZ_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OZ_CPU_PROFILE_DIR}`] : [];

/** Starts `node dist/main.js` (what `npm start` runs) with exactly this environment. */
export function startDaemon(env: Record<string, string>, args: string[] = []): DaemonProcess {
  const child = spawn(process.execPath, [...START_FLAGS, ...PROFILE_FLAGS, 'dist/main.js', ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  let out = '';
  let err = '';
  let pending = '';
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    out += text;
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.startsWith('{')) {
        try {
          logs.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line
        }
      }
      newline = pending.indexOf('\n');
    }
    notify();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    notify();
  });
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exitedFlag = true;
      notify();
      resolve({ code, signal });
    });
  });

  const waitUntil = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        const found = check();
        if (found !== undefined) {
          cleanup();
          resolve(found);
          return true;
        }
        if (exitedFlag) {
          cleanup();
          reject(new Error(`daemon exited while waiting for ${what}\nstderr: ${err}\nstdout tail: ${out.slice(-3000)}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}\nstderr: ${err}\nstdout tail: ${out.slice(-3000)}`));
      }, timeoutMs);
      const listener = (): void => void attempt();
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
      attempt();
    });

  return {
    child,
    logs,
    stdout: () => out,
    stderr: () => err,
    waitForLog: (predicate, timeoutMs = 60_000) => waitUntil(() => logs.find(predicate), 'a log line', timeoutMs),
    waitForText: (fragment, timeoutMs = 60_000) => waitUntil(() => (out.includes(fragment) || err.includes(fragment) ? true : undefined), `"${fragment}"`, timeoutMs).then(() => undefined),
    exited,
    write: (text) => child.stdin.write(text),
    kill: (signal = 'SIGTERM') => child.kill(signal),
  };
}

export async function stopDaemon(daemon: DaemonProcess): Promise<void> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.kill('SIGTERM');
  const timer = setTimeout(() => daemon.kill('SIGKILL'), 15_000);
  await daemon.exited;
  clearTimeout(timer);
}

/** Settings that point the daemon at a fake Bot API, with `ownerId` as its owner. */
export function telegramEnv(telegram: { token: string; apiRoot: string }, ownerId: number): Record<string, string> {
  return { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, TELEGRAM_OWNER_ID: String(ownerId) };
}

/** Resolves with the log line that says the daemon is polling. */
export function waitUntilReady(daemon: DaemonProcess, timeoutMs = 60_000): Promise<LogLine> {
  return daemon.waitForLog((line) => line.msg === 'openzero is ready', timeoutMs);
}
