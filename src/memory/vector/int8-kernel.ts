/**
 * The int8 dot-product scan behind the embedded index: one pass over every stored code,
 * writing one int32 dot product per vector. A tiny hand-assembled WebAssembly SIMD module does
 * the work (i16x8 widening + i32x4.dot_i16x8_s: 16 multiply-adds per four instructions); plain
 * JavaScript would need ~55 ms for 100k × 384 on our reference VM, the SIMD scan a few ms.
 * When the runtime lacks Wasm SIMD the same scan runs in JavaScript over the same memory.
 */

/** Scans `count` codes of `stride` bytes starting at `codesOffset`; writes int32 dots at `outOffset`. */
export type ScanFunction = (codesOffset: number, queryOffset: number, outOffset: number, count: number, stride: number) => void;

/** The slice of WebAssembly.Memory we use (the project's lib settings carry no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

interface WasmRuntime {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

function isWasmRuntime(value: unknown): value is WasmRuntime {
  if (typeof value !== 'object' || value === null) return false;
  return ['Memory', 'Module', 'Instance', 'validate'].every((key) => typeof Reflect.get(value, key) === 'function');
}

function wasmRuntime(): WasmRuntime {
  const runtime: unknown = Reflect.get(globalThis, 'WebAssembly');
  if (!isWasmRuntime(runtime)) throw new Error('this runtime has no WebAssembly support');
  return runtime;
}

export interface Int8Kernel {
  readonly kind: 'wasm-simd' | 'js';
  readonly memory: WasmMemory;
  readonly scan: ScanFunction;
}

// Opcodes (WebAssembly core + SIMD proposal as shipped).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const I32_STORE = 0x36;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const V128_CONST = [SIMD, 0x0c];
const I16X8_EXTEND_LOW_I8X16_S = [SIMD, 0x87, 0x01];
const I16X8_EXTEND_HIGH_I8X16_S = [SIMD, 0x88, 0x01];
const I32X4_DOT_I16X8_S = [SIMD, 0xba, 0x01];
const I32X4_ADD = [SIMD, 0xae, 0x01];
const I32X4_EXTRACT_LANE = [SIMD, 0x1b];

// Parameters and locals of `scan`.
const CODES = 0;
const QUERY = 1;
const OUT = 2;
const COUNT = 3;
const STRIDE = 4;
const I = 5;
const J = 6;
const ACC = 7;
const V = 8;

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

function scanBody(): number[] {
  const zero = new Array<number>(16).fill(0);
  // query address of the i16 half-vector for code offset j: query + 2*j (+16 for the high half)
  const queryAt = (offset: number): number[] => [
    LOCAL_GET, QUERY, LOCAL_GET, J, I32_CONST, 1, I32_SHL, I32_ADD, ...V128_LOAD, 4, offset,
  ];
  const inner = [
    BLOCK, VOID, LOOP, VOID,
    LOCAL_GET, J, LOCAL_GET, STRIDE, I32_GE_U, BR_IF, 1,
    LOCAL_GET, CODES, LOCAL_GET, J, I32_ADD, ...V128_LOAD, 4, 0, LOCAL_SET, V,
    LOCAL_GET, ACC,
    LOCAL_GET, V, ...I16X8_EXTEND_LOW_I8X16_S, ...queryAt(0), ...I32X4_DOT_I16X8_S, ...I32X4_ADD,
    LOCAL_GET, V, ...I16X8_EXTEND_HIGH_I8X16_S, ...queryAt(16), ...I32X4_DOT_I16X8_S, ...I32X4_ADD,
    LOCAL_SET, ACC,
    LOCAL_GET, J, I32_CONST, 16, I32_ADD, LOCAL_SET, J,
    BR, 0, END, END,
  ];
  const lane = (index: number): number[] => [LOCAL_GET, ACC, ...I32X4_EXTRACT_LANE, index];
  return [
    BLOCK, VOID, LOOP, VOID,
    LOCAL_GET, I, LOCAL_GET, COUNT, I32_GE_U, BR_IF, 1,
    ...V128_CONST, ...zero, LOCAL_SET, ACC,
    I32_CONST, 0, LOCAL_SET, J,
    ...inner,
    LOCAL_GET, OUT, LOCAL_GET, I, I32_CONST, 2, I32_SHL, I32_ADD,
    ...lane(0), ...lane(1), I32_ADD, ...lane(2), I32_ADD, ...lane(3), I32_ADD,
    I32_STORE, 2, 0,
    LOCAL_GET, CODES, LOCAL_GET, STRIDE, I32_ADD, LOCAL_SET, CODES,
    LOCAL_GET, I, I32_CONST, 1, I32_ADD, LOCAL_SET, I,
    BR, 0, END, END,
    END,
  ];
}

/** The module: imports `env.memory`, exports `scan(codes, query, out, count, stride)`. */
export function int8ScanModuleBytes(): Uint8Array {
  const i32 = 0x7f;
  const v128 = 0x7b;
  const body = [...uleb(2), 2, i32, 2, v128, ...scanBody()];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, i32, i32, i32, i32, i32, 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('scan'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

function jsScan(memory: WasmMemory): ScanFunction {
  return (codesOffset, queryOffset, outOffset, count, stride) => {
    const codes = new Int8Array(memory.buffer, codesOffset, count * stride);
    const query = new Int16Array(memory.buffer, queryOffset, stride);
    const out = new Int32Array(memory.buffer, outOffset, count);
    for (let i = 0, base = 0; i < count; i++, base += stride) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < stride; j += 4) {
        const p = base + j;
        a0 = (a0 + (codes[p] ?? 0) * (query[j] ?? 0)) | 0;
        a1 = (a1 + (codes[p + 1] ?? 0) * (query[j + 1] ?? 0)) | 0;
        a2 = (a2 + (codes[p + 2] ?? 0) * (query[j + 2] ?? 0)) | 0;
        a3 = (a3 + (codes[p + 3] ?? 0) * (query[j + 3] ?? 0)) | 0;
      }
      out[i] = (a0 + a1 + a2 + a3) | 0;
    }
  };
}

function isScanFunction(value: unknown): value is ScanFunction {
  return typeof value === 'function';
}

/**
 * Builds a kernel over a fresh memory of `initialPages` 64 KiB pages. `prefer: 'js'` forces the
 * JavaScript scan (tests compare both); otherwise Wasm SIMD is used when the runtime validates it.
 */
export function createInt8Kernel(initialPages: number, prefer: 'auto' | 'js' = 'auto'): Int8Kernel {
  const wasm = wasmRuntime();
  const memory = new wasm.Memory({ initial: Math.max(1, initialPages) });
  const bytes = int8ScanModuleBytes();
  if (prefer === 'auto' && wasm.validate(bytes)) {
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    const scan = instance.exports['scan'];
    if (isScanFunction(scan)) return { kind: 'wasm-simd', memory, scan };
  }
  return { kind: 'js', memory, scan: jsScan(memory) };
}
