/**
 * Embedding throughput: one text per call (baseline) vs batches of 64 texts, run either as one
 * model call each (maxBatchSize 64) or split into length-sorted calls of 16 (the default), vs
 * concurrent single calls that the embedder coalesces. Runs offline on the generated 1-layer
 * fixture model, so absolute numbers are far above real all-MiniLM-L6-v2 (6 layers, 30k vocab);
 * the ratios are the point.
 *
 *   npx tsx bench/embedding.bench.ts
 */
import { silentLogger } from '../src/log/index.js';
import { createTransformersEmbedder, type Embedder, type TransformersEmbedder } from '../src/memory/embedder/index.js';
import { FIXTURE_MODEL_NAME, miniLmFixtureModelsDir, removeMiniLmFixtureModelsDir } from '../test/fixtures/minilm/generate.js';
import { seededRandom } from '../test/fixtures/minilm/prng.js';

const TEXT_COUNT = 256;
const BATCH_SIZE = 64;
const DEFAULT_CHUNK = 16;
const ROUNDS = 5;

const WORDS =
  'remind me to call the dentist tomorrow morning about the appointment budget report deadline is friday weekly review of every project on the board plan the flight and hotel for the meeting next week note that the invoice came by email'.split(
    ' ',
  );

function sampleTexts(count: number): string[] {
  const random = seededRandom(42);
  return Array.from({ length: count }, () => {
    const length = 8 + Math.floor(random() * 25);
    return Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)] ?? 'note').join(' ');
  });
}

async function singleCalls(embedder: Embedder, texts: readonly string[]): Promise<void> {
  for (const text of texts) await embedder.embed([text]);
}

async function batches(embedder: Embedder, texts: readonly string[]): Promise<void> {
  for (let i = 0; i < texts.length; i += BATCH_SIZE) await embedder.embed(texts.slice(i, i + BATCH_SIZE));
}

async function concurrentSingles(embedder: Embedder, texts: readonly string[]): Promise<void> {
  await Promise.all(texts.map((text) => embedder.embed([text])));
}

/** Median wall time of ROUNDS runs, in milliseconds. */
async function measure(run: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const modelsDir = await miniLmFixtureModelsDir();
  const embedderWith = (maxBatchSize: number): TransformersEmbedder =>
    createTransformersEmbedder({ modelName: FIXTURE_MODEL_NAME, modelsDir, allowRemoteModels: false, log: silentLogger(), maxBatchSize });
  const unchunked = embedderWith(BATCH_SIZE);
  const chunked = embedderWith(DEFAULT_CHUNK);
  const texts = sampleTexts(TEXT_COUNT);
  try {
    for (const embedder of [unchunked, chunked]) await embedder.embed(texts.slice(0, BATCH_SIZE)); // load + warm up
    const modes: [string, () => Promise<void>][] = [
      ['single: 1 text per call, sequential', () => singleCalls(chunked, texts)],
      [`batch of ${BATCH_SIZE} texts as one model call (maxBatchSize ${BATCH_SIZE})`, () => batches(unchunked, texts)],
      [`batch of ${BATCH_SIZE} texts as length-sorted calls of ${DEFAULT_CHUNK} (default)`, () => batches(chunked, texts)],
      [`concurrent single calls, coalesced (maxBatchSize ${DEFAULT_CHUNK})`, () => concurrentSingles(chunked, texts)],
    ];
    const results: { name: string; ms: number }[] = [];
    for (const [name, run] of modes) results.push({ name, ms: await measure(run) });
    const baseline = results[0]?.ms ?? Number.NaN;

    const lines = [
      '## Embedding throughput (transformers.js, fixture model)',
      '',
      '> Measured with the generated **1-layer, 384-d fixture model** (`test/fixtures/minilm`), NOT the real',
      '> all-MiniLM-L6-v2 (6 layers). Absolute texts/s overstate real throughput; compare the ratios.',
      '',
      '```',
      'npx tsx bench/embedding.bench.ts',
      '```',
      '',
      `${TEXT_COUNT} texts of 8–32 words, median of ${ROUNDS} rounds, Node ${process.version}, ${process.platform}/${process.arch}.`,
      '',
      '| mode | median ms | texts/s | throughput vs single (ratio) |',
      '| --- | ---: | ---: | ---: |',
      ...results.map(
        ({ name, ms }) => `| ${name} | ${ms.toFixed(1)} | ${((TEXT_COUNT / ms) * 1000).toFixed(0)} | ${(baseline / ms).toFixed(2)}× |`,
      ),
      '',
    ];
    console.log(lines.join('\n'));
  } finally {
    await Promise.all([unchunked.dispose(), chunked.dispose()]);
    await removeMiniLmFixtureModelsDir();
  }
}

await main();
