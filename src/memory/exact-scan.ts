/** A scored id; the score is the cosine similarity. */
export interface ScoredMemoryId {
  id: string;
  score: number;
}

/** Unit-length copy of `vector` (a zero vector stays zero). */
export function toUnit(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += (vector[i] ?? 0) * (vector[i] ?? 0);
  const norm = Math.sqrt(sum);
  const out = new Float32Array(vector.length);
  if (norm === 0) return out;
  for (let i = 0; i < vector.length; i++) out[i] = (vector[i] ?? 0) / norm;
  return out;
}

function cosine(unitQuery: Float32Array, vector: Float32Array): number {
  let dot = 0;
  let sum = 0;
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i] ?? 0;
    dot += (unitQuery[i] ?? 0) * v;
    sum += v * v;
  }
  return sum === 0 ? 0 : dot / Math.sqrt(sum);
}

/**
 * Exact top-k over vectors streamed from the database: the fallback when Qdrant cannot be
 * reached. Holds only the current k best, so memory stays flat however many rows stream past.
 */
export async function exactScan(
  rows: AsyncIterable<{ id: string; vector: Float32Array }>,
  query: Float32Array,
  limit: number,
  minScore?: number,
): Promise<ScoredMemoryId[]> {
  const unit = toUnit(query);
  const best: ScoredMemoryId[] = [];
  for await (const row of rows) {
    if (row.vector.length !== unit.length) continue;
    const score = cosine(unit, row.vector);
    if (minScore !== undefined && score < minScore) continue;
    if (best.length === limit && score <= (best[best.length - 1]?.score ?? -Infinity)) continue;
    let at = best.findIndex((entry) => entry.score < score);
    if (at < 0) at = best.length;
    best.splice(at, 0, { id: row.id, score });
    if (best.length > limit) best.pop();
  }
  return best;
}
