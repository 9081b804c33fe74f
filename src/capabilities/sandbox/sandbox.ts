import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GUEST_PRELUDE } from './guest-prelude.js';
import { SANDBOX_WORKER_SOURCE } from './worker-source.js';

/** How a sandboxed run may fail: a limit it hit, its own error, or the sandbox itself. */
export type SandboxFailure = 'timeout' | 'memory' | 'stack' | 'error' | 'crash' | 'output';

export type SandboxResult =
  | { ok: true; value: unknown; logs: string[]; hostCalls: number }
  | { ok: false; kind: SandboxFailure; error: string; logs: string[]; hostCalls: number };

export interface SandboxLimits {
  /** QuickJS heap cap: allocation past it fails with an uncatchable out-of-memory. */
  memoryBytes: number;
  /** Guest execution time; the interrupt handler stops the guest past it. */
  cpuMs: number;
  /** Whole run, host calls included; past it the worker thread is terminated. */
  wallMs: number;
  /** Host function calls per run. */
  maxHostCalls: number;
  /** Size of the JSON result. */
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { memoryBytes: 16 * 1024 * 1024, cpuMs: 1_000, wallMs: 10_000, maxHostCalls: 50, maxOutputBytes: 64 * 1024 };

/**
 * A host function the guest can call. It gets the guest's arguments already parsed from
 * JSON (plain data, never a host object) and returns plain data. It may throw or reject:
 * the sandbox turns that into a rejected promise in the guest, never into the daemon.
 */
export type HostFunction = (args: unknown) => Promise<unknown>;

export interface SandboxRun {
  code: string;
  input: unknown;
  /** By name as the guest calls them: `fetch`, `sql`, `kv.get`, `kv.set`, `kv.delete`, `kv.list`. `log` is built in. */
  host: Partial<Record<string, HostFunction>>;
  limits?: Partial<SandboxLimits>;
}

const require = createRequire(import.meta.url);
const QUICKJS_URL = pathToFileURL(require.resolve('quickjs-wasi')).href;
const WASM_PATH = require.resolve('quickjs-wasi/quickjs.wasm');
/** A compiled `WebAssembly.Module` (the project's lib settings carry no WebAssembly types). */
type CompiledWasm = object;
interface WasmCompiler {
  compile(bytes: Uint8Array): Promise<CompiledWasm>;
}
let compiled: Promise<CompiledWasm> | undefined;
/** Compiled once per process and handed to each worker: instantiating is cheap, compiling is not. */
function quickjsModule(): Promise<CompiledWasm> {
  const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmCompiler };
  compiled ??= readFile(WASM_PATH).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}
const MAX_LOG_LINES = 50;
const MAX_LOG_LINE = 500;
/** QuickJS's own stack guard; half of what the binary supports leaves room for its error path. */
const MAX_STACK_BYTES = 256 * 1024;

const WorkerMessage = {
  isCall(m: unknown): m is { type: 'call'; id: number; name: string; argsJson: string } {
    return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'call';
  },
  isDone(m: unknown): m is { type: 'done'; ok: boolean; valueJson?: string; error?: string; kind?: SandboxFailure } {
    return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'done';
  },
};

/**
 * Runs model-written JavaScript in QuickJS (WebAssembly) inside a worker thread, with no
 * ambient authority: no fs, network, timers or process, only the host functions given.
 * Memory is capped by QuickJS, guest time by its interrupt handler, and the whole run by
 * terminating the worker. Never throws and never rejects: every failure is a result.
 */
export async function runSandboxed(run: SandboxRun): Promise<SandboxResult> {
  let wasm: CompiledWasm;
  try {
    wasm = await quickjsModule();
  } catch (err) {
    return { ok: false, kind: 'crash', error: `the sandbox engine could not be loaded: ${err instanceof Error ? err.message : String(err)}`, logs: [], hostCalls: 0 };
  }
  return runInWorker(run, wasm);
}

function runInWorker(run: SandboxRun, wasm: CompiledWasm): Promise<SandboxResult> {
  const limits = { ...DEFAULT_LIMITS, ...run.limits };
  const logs: string[] = [];
  let hostCalls = 0;
  let inputJson: string;
  try {
    inputJson = JSON.stringify(run.input ?? null);
  } catch {
    return Promise.resolve({ ok: false, kind: 'error', error: 'the input is not JSON', logs, hostCalls });
  }
  return new Promise<SandboxResult>((resolve) => {
    let settled = false;
    let worker: Worker;
    try {
      worker = startWorker(run, wasm, inputJson, limits);
    } catch (err) {
      resolve({ ok: false, kind: 'crash', error: `the sandbox could not start: ${err instanceof Error ? err.message : String(err)}`, logs, hostCalls });
      return;
    }
    const end = (result: SandboxResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => end({ ok: false, kind: 'timeout', error: `stopped: the run took longer than ${limits.wallMs} ms`, logs, hostCalls }),
      limits.wallMs,
    );
    worker.on('message', (message: unknown) => {
      if (WorkerMessage.isDone(message)) {
        if (!message.ok) {
          end({ ok: false, kind: message.kind ?? 'error', error: describeFailure(message.kind ?? 'error', message.error ?? 'failed', limits), logs, hostCalls });
          return;
        }
        const text = message.valueJson ?? 'null';
        if (Buffer.byteLength(text) > limits.maxOutputBytes) {
          end({ ok: false, kind: 'output', error: `the result is larger than ${limits.maxOutputBytes} bytes`, logs, hostCalls });
          return;
        }
        end({ ok: true, value: JSON.parse(text) as unknown, logs, hostCalls });
        return;
      }
      if (!WorkerMessage.isCall(message)) return;
      void answer(message).then((reply) => {
        try {
          if (!settled) worker.postMessage(reply);
        } catch (err) {
          end({ ok: false, kind: 'crash', error: `the sandbox stopped: ${err instanceof Error ? err.message : String(err)}`, logs, hostCalls });
        }
      });
    });
    worker.on('error', (err) => end({ ok: false, kind: 'crash', error: `the sandbox stopped: ${err.message}`, logs, hostCalls }));
    worker.on('exit', () => end({ ok: false, kind: 'crash', error: 'the sandbox stopped before the capability finished', logs, hostCalls }));

    async function answer(call: { id: number; name: string; argsJson: string }): Promise<{ type: 'reply'; id: number; ok: boolean; valueJson?: string; error?: string }> {
      hostCalls += 1;
      try {
        if (hostCalls > limits.maxHostCalls) throw new Error(`too many host calls (limit ${limits.maxHostCalls})`);
        const args = JSON.parse(call.argsJson) as unknown;
        if (call.name === 'log') {
          const line = typeof args === 'object' && args !== null ? String((args as { line?: unknown }).line ?? '') : '';
          if (logs.length < MAX_LOG_LINES) logs.push(line.slice(0, MAX_LOG_LINE));
          return { type: 'reply', id: call.id, ok: true, valueJson: 'null' };
        }
        const fn = Object.hasOwn(run.host, call.name) ? run.host[call.name] : undefined;
        if (!fn) throw new Error(`${call.name} is not available to this capability`);
        const value = await fn(args);
        return { type: 'reply', id: call.id, ok: true, valueJson: JSON.stringify(value ?? null) };
      } catch (err) {
        return { type: 'reply', id: call.id, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }
  });
}

function startWorker(run: SandboxRun, wasm: CompiledWasm, inputJson: string, limits: SandboxLimits): Worker {
  return new Worker(SANDBOX_WORKER_SOURCE, {
    eval: true,
    workerData: {
      quickjsUrl: QUICKJS_URL,
      wasm,
      prelude: GUEST_PRELUDE,
      code: run.code,
      inputJson,
      memoryLimitBytes: limits.memoryBytes,
      cpuLimitMs: limits.cpuMs,
      maxStackBytes: MAX_STACK_BYTES,
    },
    // The bridge itself is small; these caps stop a bug in it from growing the daemon.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    stdout: true,
    stderr: true,
    env: {},
  });
}

function describeFailure(kind: SandboxFailure, error: string, limits: SandboxLimits): string {
  switch (kind) {
    case 'timeout':
      return `stopped: the capability ran longer than ${limits.cpuMs} ms`;
    case 'memory':
      return `stopped: the capability used more than ${Math.round(limits.memoryBytes / 1024 / 1024)} MB of memory`;
    case 'stack':
      return `stopped: ${error} (recursion too deep)`;
    default:
      return error;
  }
}
