/** Runs one model call for a list of texts and returns one vector per text, in order. */
export type RunBatch = (texts: string[]) => Promise<Float32Array[]>;

interface Request {
  texts: readonly string[];
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Serializes model work and merges requests that wait at the same time into one run (whole
 * requests only, up to `maxBatchSize` texts; a larger request runs alone). Inference is
 * CPU-bound, so running one after another loses nothing, and merging small requests amortizes
 * the per-call overhead. A failed run rejects exactly the requests in it.
 */
export function createBatchQueue(run: RunBatch, maxBatchSize: number): (texts: readonly string[]) => Promise<Float32Array[]> {
  const queue: Request[] = [];
  let draining = false;

  function takeBatch(): Request[] {
    const batch: Request[] = [];
    let size = 0;
    for (let next = queue[0]; next !== undefined; next = queue[0]) {
      if (batch.length > 0 && size + next.texts.length > maxBatchSize) break;
      batch.push(next);
      size += next.texts.length;
      queue.shift();
    }
    return batch;
  }

  async function drain(): Promise<void> {
    // Yield once so callers in the same tick (Promise.all over several embeds) join the first batch.
    await Promise.resolve();
    try {
      while (queue.length > 0) {
        const batch = takeBatch();
        try {
          const vectors = await run(batch.flatMap((request) => [...request.texts]));
          let offset = 0;
          for (const request of batch) {
            request.resolve(vectors.slice(offset, offset + request.texts.length));
            offset += request.texts.length;
          }
        } catch (error) {
          for (const request of batch) request.reject(error);
        }
      }
    } finally {
      draining = false;
    }
  }

  return function enqueue(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise<Float32Array[]>((resolve, reject) => {
      queue.push({ texts, resolve, reject });
      if (!draining) {
        draining = true;
        void drain();
      }
    });
  };
}
