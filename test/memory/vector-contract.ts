import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VectorStoreError, type VectorPoint, type VectorStore } from '../../src/memory/vector/index.js';

export interface ContractHarness {
  store: VectorStore;
  dispose(): Promise<void>;
}

const DIMS = 8;

/** A unit vector along axis `axis`, tilted towards axis+1 by `tilt`. */
export function axisVector(axis: number, tilt = 0, dims = DIMS): Float32Array {
  const v = new Float32Array(dims);
  v[axis % dims] = 1;
  v[(axis + 1) % dims] = tilt;
  return v;
}

export function point(id: string, vector: Float32Array): VectorPoint {
  return { id, vector, payload: { memoryId: `m-${id.slice(0, 8)}`, createdAt: '2025-01-02T03:04:05.000Z', source: 'test' } };
}

/** The behaviour every VectorStore must share; run against each adapter. */
export function describeVectorStoreContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`VectorStore contract: ${name}`, () => {
    let harness: ContractHarness;
    let store: VectorStore;

    beforeEach(async () => {
      harness = await makeHarness();
      store = harness.store;
      await store.ensureReady(DIMS);
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('ensureReady is idempotent and keeps stored points', async () => {
      const id = randomUUID();
      await store.upsert([point(id, axisVector(0))]);
      await store.ensureReady(DIMS);
      await store.ensureReady(DIMS);
      expect(await store.count()).toBe(1);
    });

    it('ensureReady with another size is rejected', async () => {
      const error = await store.ensureReady(DIMS + 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VectorStoreError);
      expect(error).toMatchObject({ kind: 'rejected', operation: 'ensureReady' });
    });

    it('search returns best matches first with cosine scores', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await store.upsert([point(a, axisVector(0)), point(b, axisVector(0, 1)), point(c, axisVector(3))]);
      const hits = await store.search(axisVector(0), 3);
      expect(hits.map((h) => h.id)).toEqual([a, b, c]);
      expect(hits[0]?.score).toBeCloseTo(1, 4);
      expect(hits[1]?.score).toBeCloseTo(Math.SQRT1_2, 4);
      expect(hits[2]?.score).toBeCloseTo(0, 4);
    });

    it('scores do not depend on vector length (cosine, not dot)', async () => {
      const id = randomUUID();
      const long = axisVector(2, 1).map((x) => x * 10);
      await store.upsert([point(id, long)]);
      const [hit] = await store.search(axisVector(2).map((x) => x * 0.1), 1);
      expect(hit?.id).toBe(id);
      expect(hit?.score).toBeCloseTo(Math.SQRT1_2, 4);
    });

    it('limit caps the results', async () => {
      await store.upsert([0, 1, 2, 3].map((axis) => point(randomUUID(), axisVector(axis, 0.5))));
      expect(await store.search(axisVector(0), 2)).toHaveLength(2);
    });

    it('minScore drops weaker matches', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await store.upsert([point(a, axisVector(0)), point(b, axisVector(4))]);
      const hits = await store.search(axisVector(0), 10, 0.5);
      expect(hits.map((h) => h.id)).toEqual([a]);
    });

    it('upsert with an existing id overwrites it', async () => {
      const id = randomUUID();
      await store.upsert([point(id, axisVector(0))]);
      await store.upsert([point(id, axisVector(5))]);
      expect(await store.count()).toBe(1);
      const [hit] = await store.search(axisVector(5), 1);
      expect(hit?.id).toBe(id);
      expect(hit?.score).toBeCloseTo(1, 4);
    });

    it('ids come back lower-case', async () => {
      const id = randomUUID();
      await store.upsert([point(id.toUpperCase(), axisVector(1))]);
      const [hit] = await store.search(axisVector(1), 1);
      expect(hit?.id).toBe(id);
    });

    it('delete removes points and ignores unknown ids', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await store.upsert([point(a, axisVector(0)), point(b, axisVector(1)), point(c, axisVector(2))]);
      await store.delete([a, randomUUID()]);
      expect(await store.count()).toBe(2);
      const ids = (await store.search(axisVector(0), 10)).map((h) => h.id);
      expect(ids).not.toContain(a);
      expect(ids.sort()).toEqual([b, c].sort());
    });

    it('clear removes everything and the store stays usable', async () => {
      await store.upsert([0, 1, 2].map((axis) => point(randomUUID(), axisVector(axis))));
      await store.clear();
      expect(await store.count()).toBe(0);
      expect(await store.search(axisVector(0), 5)).toEqual([]);
      const id = randomUUID();
      await store.upsert([point(id, axisVector(0))]);
      expect((await store.search(axisVector(0), 5)).map((h) => h.id)).toEqual([id]);
    });

    it('a non-UUID id is rejected', async () => {
      const error = await store.upsert([point('memory-1', axisVector(0))]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VectorStoreError);
      expect(error).toMatchObject({ kind: 'rejected', operation: 'upsert' });
      expect(await store.count()).toBe(0);
    });

    it('a vector of the wrong size is rejected', async () => {
      const error = await store.upsert([point(randomUUID(), new Float32Array(DIMS + 2).fill(1))]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VectorStoreError);
      expect(error).toMatchObject({ kind: 'rejected', operation: 'upsert' });
    });

    it('probe reports ok once ready', async () => {
      const result = await store.probe();
      expect(result.ok).toBe(true);
      expect(result.detail).not.toBe('');
    });
  });
}
