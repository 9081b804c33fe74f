import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/log/index.js';
import { createTransformersEmbedder, EmbedderUnavailableError, type TransformersEmbedder } from '../../src/memory/embedder/index.js';
import {
  FIXTURE_DIMENSIONS,
  FIXTURE_MODEL_NAME,
  generateMiniLmFixture,
  miniLmFixtureModelsDir,
  removeMiniLmFixtureModelsDir,
} from '../fixtures/minilm/generate.js';

const MODEL = FIXTURE_MODEL_NAME;

const LogLine = z.object({ msg: z.string(), texts: z.number().optional() });
type LogLine = z.infer<typeof LogLine>;

/** A real pino logger whose lines are kept, so tests can count loads and batches. */
function recordingLogger(): { log: ReturnType<typeof createLogger>; lines: LogLine[]; count: (msg: string) => number } {
  const lines: LogLine[] = [];
  const log = createLogger({
    level: 'debug',
    destination: {
      write(line: string): void {
        lines.push(LogLine.parse(JSON.parse(line)));
      },
    },
  });
  return { log, lines, count: (msg) => lines.filter((line) => line.msg === msg).length };
}

function norm(vector: Float32Array): number {
  let sum = 0;
  for (const x of vector) sum += x * x;
  return Math.sqrt(sum);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot / (norm(a) * norm(b));
}

/** Every network attempt transformers.js (env.fetch) or anything else (global fetch) makes. */
const networkAttempts: string[] = [];
const originalEnvFetch = env.fetch;

function failingFetch(input: unknown): Promise<Response> {
  const url = input instanceof URL ? input.href : String(input);
  networkAttempts.push(url);
  return Promise.reject(new Error(`unexpected network request in test: ${url}`));
}

let modelsDir: string;
const embedders: TransformersEmbedder[] = [];
const tempDirs: string[] = [];

function embedderFor(dir: string, extra: { allowRemoteModels?: boolean; quantized?: boolean; dimensions?: number; maxBatchSize?: number } = {}) {
  const recorder = recordingLogger();
  const embedder = createTransformersEmbedder({
    modelName: MODEL,
    modelsDir: dir,
    allowRemoteModels: extra.allowRemoteModels ?? false,
    quantized: extra.quantized,
    dimensions: extra.dimensions,
    maxBatchSize: extra.maxBatchSize,
    log: recorder.log,
  });
  embedders.push(embedder);
  return { embedder, ...recorder };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'openzero-embedder-test-'));
  tempDirs.push(dir);
  return dir;
}

/** A local port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  modelsDir = await miniLmFixtureModelsDir();
});

afterAll(async () => {
  await removeMiniLmFixtureModelsDir();
});

beforeEach(() => {
  networkAttempts.length = 0;
  env.fetch = failingFetch;
  vi.stubGlobal('fetch', failingFetch);
});

afterEach(async () => {
  env.fetch = originalEnvFetch;
  vi.unstubAllGlobals();
  await Promise.all(embedders.splice(0).map((embedder) => embedder.dispose()));
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const TEXTS = [
  'Remind me to call the dentist tomorrow morning.',
  'hi',
  'The weekly review covers every project on the board, one card at a time, and ends with a plan.',
  'Budget report deadline is Friday',
];

describe('transformers embedder on the offline MiniLM fixture', () => {
  it('returns one 384-dimensional unit vector per text, in input order', async () => {
    const { embedder } = embedderFor(modelsDir);
    expect(embedder.modelName).toBe('Xenova/all-MiniLM-L6-v2');
    expect(embedder.dimensions).toBe(FIXTURE_DIMENSIONS);

    const vectors = await embedder.embed(TEXTS);

    expect(vectors).toHaveLength(TEXTS.length);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(384);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    const reversed = await embedder.embed([...TEXTS].reverse());
    for (let i = 0; i < TEXTS.length; i++) {
      const forward = vectors[i];
      const backward = reversed[TEXTS.length - 1 - i];
      if (forward === undefined || backward === undefined) throw new Error('missing vector');
      expect(maxAbsDiff(forward, backward)).toBeLessThan(1e-5);
    }
  });

  it('is deterministic across calls and across embedder instances', async () => {
    const first = await embedderFor(modelsDir).embedder.embed(TEXTS);
    const { embedder } = embedderFor(modelsDir);
    const second = await embedder.embed(TEXTS);
    const third = await embedder.embed(TEXTS);
    for (let i = 0; i < TEXTS.length; i++) {
      expect(Array.from(second[i] ?? [])).toEqual(Array.from(third[i] ?? []));
      expect(Array.from(first[i] ?? [])).toEqual(Array.from(second[i] ?? []));
    }
  });

  it('gives the same vectors in a padded batch as one text at a time', async () => {
    const { embedder } = embedderFor(modelsDir);
    const batch = await embedder.embed(TEXTS);
    for (const [i, text] of TEXTS.entries()) {
      const [single] = await embedder.embed([text]);
      const batched = batch[i];
      if (single === undefined || batched === undefined) throw new Error('missing vector');
      expect(maxAbsDiff(single, batched)).toBeLessThan(1e-5);
    }
  });

  it('gives different texts different vectors', async () => {
    const { embedder } = embedderFor(modelsDir);
    const texts = [...TEXTS, 'Hi', 'hi!', 'hello'];
    const vectors = await embedder.embed(texts);
    // 'Hi' and 'hi' are the same after lowercasing; every other pair must differ.
    for (let i = 0; i < vectors.length; i++) {
      for (let j = i + 1; j < vectors.length; j++) {
        const a = vectors[i];
        const b = vectors[j];
        if (a === undefined || b === undefined) throw new Error('missing vector');
        if (texts[i]?.toLowerCase() === texts[j]?.toLowerCase()) {
          expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
        } else {
          expect(cosine(a, b), `${texts[i]} vs ${texts[j]}`).toBeLessThan(0.9999);
        }
      }
    }
  });

  it('truncates a 10,000-word input to the model window instead of failing', async () => {
    const { embedder } = embedderFor(modelsDir);
    const words = Array.from({ length: 10_000 }, (_, i) => ['meeting', 'notes', 'about', 'the', 'budget', 'plan'][i % 6] ?? 'x');
    const [long, prefix] = await embedder.embed([words.join(' '), words.slice(0, 600).join(' ')]);
    if (long === undefined || prefix === undefined) throw new Error('missing vector');
    expect(long).toHaveLength(384);
    expect(norm(long)).toBeCloseTo(1, 5);
    // Both inputs exceed 512 tokens, so both are cut to the same first 511 tokens.
    expect(maxAbsDiff(long, prefix)).toBeLessThan(1e-5);
  });

  it('returns an empty list for no texts without loading the model', async () => {
    const { embedder, count } = embedderFor(join(modelsDir, 'nowhere'));
    await expect(embedder.embed([])).resolves.toEqual([]);
    expect(count('loading embedding model')).toBe(0);
  });

  it('loads once for concurrent first calls and answers them from one batch', async () => {
    const { embedder, count, lines } = embedderFor(modelsDir);
    const results = await Promise.all(TEXTS.map((text) => embedder.embed([text])));

    expect(count('loading embedding model')).toBe(1);
    expect(count('embedding model loaded')).toBe(1);
    expect(lines.filter((line) => line.msg === 'embedding batch').map((line) => line.texts)).toEqual([TEXTS.length]);
    const expected = await embedder.embed(TEXTS);
    for (let i = 0; i < TEXTS.length; i++) {
      const got = results[i]?.[0];
      const want = expected[i];
      if (got === undefined || want === undefined) throw new Error('missing vector');
      expect(results[i]).toHaveLength(1);
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    }
  });

  it('merges waiting requests only up to maxBatchSize texts', async () => {
    const { embedder, lines, count } = embedderFor(modelsDir, { maxBatchSize: 2 });
    const results = await Promise.all([embedder.embed(['a']), embedder.embed(['b', 'c']), embedder.embed(['d']), embedder.embed(['e', 'f', 'g'])]);
    await embedder.embed(['h']);
    expect(results.map((r) => r.length)).toEqual([1, 2, 1, 3]);
    // ['e','f','g'] is larger than maxBatchSize, so it runs alone, split into two calls.
    expect(lines.filter((line) => line.msg === 'embedding batch').map((line) => line.texts)).toEqual([1, 2, 1, 2, 1, 1]);
    // Six model calls, one load.
    expect(count('loading embedding model')).toBe(1);
  });

  it('splits a large request into length-sorted calls and still answers in input order', async () => {
    const texts = [...TEXTS, 'ok', 'Call the doctor about the flight', 'x', ...TEXTS.map((t) => `${t} again`)];
    const { embedder, lines } = embedderFor(modelsDir, { maxBatchSize: 3 });
    const vectors = await embedder.embed(texts);

    expect(lines.filter((line) => line.msg === 'embedding batch').map((line) => line.texts)).toEqual([3, 3, 3, 2]);
    const reference = embedderFor(modelsDir).embedder;
    for (const [i, text] of texts.entries()) {
      const [single] = await reference.embed([text]);
      const got = vectors[i];
      if (single === undefined || got === undefined) throw new Error(`missing vector for ${text}`);
      expect(maxAbsDiff(got, single), text).toBeLessThan(1e-5);
    }
  });

  it('makes no network request when remote models are off', async () => {
    const { embedder } = embedderFor(modelsDir, { allowRemoteModels: false });
    await embedder.embed(TEXTS);
    expect(networkAttempts).toEqual([]);
  });

  it('loads onnx/model_quantized.onnx when quantized, onnx/model.onnx otherwise', async () => {
    const dir = await tempDir();
    await cp(modelsDir, dir, { recursive: true });
    await rm(join(dir, MODEL, 'onnx', 'model.onnx'));

    const [vector] = await embedderFor(dir, { quantized: true }).embedder.embed(['hello']);
    expect(vector).toHaveLength(384);

    const error = await rejection(embedderFor(dir, { quantized: false }).embedder.embed(['hello']));
    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    if (!(error instanceof EmbedderUnavailableError)) throw error;
    expect(error.missingFiles).toEqual(['onnx/model.onnx']);
  });
});

describe('transformers embedder when the model is unavailable', () => {
  it('throws EmbedderUnavailableError naming the folder and the fix, without touching the network', async () => {
    const dir = await tempDir();
    const folder = join(dir, 'Xenova', 'all-MiniLM-L6-v2');
    const { embedder } = embedderFor(dir, { allowRemoteModels: false });

    const error = await rejection(embedder.embed(['hello']));

    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    if (!(error instanceof EmbedderUnavailableError)) throw error;
    expect(error.name).toBe('EmbedderUnavailableError');
    expect(error.modelName).toBe(MODEL);
    expect(error.folder).toBe(folder);
    expect(error.missingFiles).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']);
    expect(error.reason).toBe('missing-files');
    expect(error.message).toContain(folder);
    expect(error.message).toContain('downloading is off (ALLOW_REMOTE_MODELS=false)');
    expect(error.message).toContain('config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx');
    expect(error.message).toContain('ALLOW_REMOTE_MODELS=true');
    expect(networkAttempts).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not cache a failed load: the next call loads once the files are there', async () => {
    const dir = await tempDir();
    const { embedder, count } = embedderFor(dir);
    await expect(embedder.embed(['hello'])).rejects.toBeInstanceOf(EmbedderUnavailableError);

    await generateMiniLmFixture(dir);
    const [vector] = await embedder.embed(['hello']);

    expect(vector).toHaveLength(384);
    expect(count('embedding model loaded')).toBe(1);
  });

  it('reports a failed download from the Hub when remote models are allowed', async () => {
    const dir = await tempDir();
    const { embedder } = embedderFor(dir, { allowRemoteModels: true });

    const error = await rejection(embedder.embed(['hello']));

    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    if (!(error instanceof EmbedderUnavailableError)) throw error;
    expect(error.reason).toBe('download-failed');
    expect(error.message).toContain('huggingface.co was reached but did not serve the files');
    expect(error.message).not.toContain('set ALLOW_REMOTE_MODELS=true');
    expect(error.message).toContain(join(dir, 'Xenova', 'all-MiniLM-L6-v2'));
    expect(networkAttempts.length).toBeGreaterThan(0);
    for (const url of networkAttempts) expect(url.startsWith('https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/')).toBe(true);
  });

  it('reports files that exist but cannot be loaded', async () => {
    const dir = await tempDir();
    await generateMiniLmFixture(dir);
    await writeFile(join(dir, MODEL, 'onnx', 'model.onnx'), 'not an onnx graph');

    const error = await rejection(embedderFor(dir).embedder.embed(['hello']));

    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    if (!(error instanceof EmbedderUnavailableError)) throw error;
    expect(error.missingFiles).toEqual([]);
    expect(error.reason).toBe('corrupt-files');
    expect(error.message).toContain(`all its files are in ${join(dir, MODEL)}, but they do not load`);
    expect(error.message).toContain(`To fix: delete ${join(dir, MODEL)} and copy`);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('names the unreachable host and where the files go when ALLOW_REMOTE_MODELS=true but there is no network, never "set ALLOW_REMOTE_MODELS=true"', async () => {
    // A real connection to a closed port: the same error chain (fetch failed ← ECONNREFUSED) as a machine without network.
    env.fetch = originalEnvFetch;
    vi.unstubAllGlobals();
    const closed = await closedPort();
    const dir = await tempDir();
    const folder = join(dir, 'Xenova', 'all-MiniLM-L6-v2');
    const recorder = recordingLogger();
    const embedder = createTransformersEmbedder({ modelName: MODEL, modelsDir: dir, allowRemoteModels: true, remoteHost: `http://127.0.0.1:${closed}/`, log: recorder.log });
    embedders.push(embedder);

    const error = await rejection(embedder.embed(['hello']));

    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    if (!(error instanceof EmbedderUnavailableError)) throw error;
    expect(error.reason).toBe('host-unreachable');
    expect(error.message).toContain(`127.0.0.1:${closed} cannot be reached from this machine`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain(`allow HTTPS (port 443) from this machine to 127.0.0.1:${closed}`);
    expect(error.message).toContain(`into ${folder}`);
    expect(error.message).not.toContain('ALLOW_REMOTE_MODELS=true');
    expect(await embedder.checkFiles()).toMatchObject({ folder, allowRemoteModels: true, remoteHost: `127.0.0.1:${closed}`, missingFiles: ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] });
  });

  it('refuses a model whose vectors have a different length than configured', async () => {
    const error = await rejection(embedderFor(modelsDir, { dimensions: 768 }).embedder.embed(['hello']));
    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    if (!(error instanceof EmbedderUnavailableError)) throw error;
    expect(error.message).toContain('384-dimensional');
  });
});
