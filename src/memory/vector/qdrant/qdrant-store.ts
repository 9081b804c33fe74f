import type { QdrantClient } from '@qdrant/js-client-rest';
import type { Logger } from '../../../log/index.js';
import { canonicalPointId } from '../point-id.js';
import { VectorStoreError, type VectorStore, type VectorStoreOperation } from '../vector-store.js';
import { httpStatusOf, qdrantMessageOf, toVectorStoreError } from './qdrant-errors.js';
import { QdrantCollectionVectors, QdrantCount, QdrantScoredPoints, QdrantVersion } from './qdrant-schemas.js';

export interface QdrantStoreOptions {
  url: string;
  apiKey?: string;
  collection: string;
  /** Per request, in milliseconds. */
  timeoutMs: number;
  log: Logger;
}

/** The payload fields we filter on later; Qdrant indexes them (keyword, datetime). */
const PAYLOAD_INDEXES = [
  { field_name: 'memoryId', field_schema: 'keyword' },
  { field_name: 'createdAt', field_schema: 'datetime' },
] as const;

/** Qdrant behind the VectorStore port (REST, `@qdrant/js-client-rest` 1.18). */
export function createQdrantStore(options: QdrantStoreOptions): VectorStore {
  const { collection, log } = options;
  // Loaded on first use: the client pulls in an HTTP stack a daemon without Qdrant never needs.
  let loaded: Promise<QdrantClient> | undefined;
  const client = (): Promise<QdrantClient> =>
    (loaded ??= import('@qdrant/js-client-rest').then(({ QdrantClient: Client }) => new Client({
    url: options.url,
    timeout: options.timeoutMs,
    // The constructor would otherwise fire an unawaited GET / and console.warn on a version
    // mismatch; probe() does that check through our logger instead.
    checkCompatibility: false,
    // Passed as a header rather than `apiKey`: the SDK console.warns whenever `apiKey` goes over
    // plain http, which is how Qdrant is reached inside the compose network. Same header on the wire.
    headers: options.apiKey ? { 'api-key': options.apiKey } : {},
  })));

  async function run<T>(operation: VectorStoreOperation, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const mapped = toVectorStoreError(error, operation, collection);
      log.warn({ err: mapped, operation, kind: mapped.kind, collection }, 'qdrant request failed');
      throw mapped;
    }
  }

  function rejected(operation: VectorStoreOperation, message: string): VectorStoreError {
    return new VectorStoreError({ kind: 'rejected', store: 'qdrant', operation, message });
  }

  function malformed(operation: VectorStoreOperation, what: string, cause: unknown): VectorStoreError {
    return new VectorStoreError({ kind: 'server', store: 'qdrant', operation, message: `unexpected ${what} answer`, cause });
  }

  return {
    kind: 'qdrant',

    async ensureReady(dimensions) {
      if (!Number.isInteger(dimensions) || dimensions <= 0) {
        throw rejected('ensureReady', `dimensions must be a positive integer, got ${dimensions}`);
      }
      await run('ensureReady', async () => {
        const { exists } = await (await client()).collectionExists(collection);
        if (!exists) {
          try {
            await (await client()).createCollection(collection, { vectors: { size: dimensions, distance: 'Cosine' } });
            log.info({ collection, dimensions }, 'qdrant collection created');
          } catch (error) {
            // Another instance (or a retry) created it between our check and our create.
            if (httpStatusOf(error) !== 409) throw error;
          }
        }
        const info = QdrantCollectionVectors.safeParse(await (await client()).getCollection(collection));
        if (!info.success) throw malformed('ensureReady', 'collection info', info.error);
        const vectors = info.data.config.params.vectors;
        if (vectors === undefined || vectors.size !== dimensions || vectors.distance !== 'Cosine') {
          const found = vectors ? `${vectors.size}-d ${vectors.distance}` : 'named vectors';
          throw rejected('ensureReady', `collection ${collection} holds ${found}, need ${dimensions}-d Cosine; reindex to change the embedding model`);
        }
        // Creating an index that already exists with the same schema is a no-op in Qdrant.
        for (const index of PAYLOAD_INDEXES) {
          await (await client()).createPayloadIndex(collection, { ...index, wait: true });
        }
      });
    },

    async upsert(points) {
      if (points.length === 0) return;
      const body = points.map((point) => {
        const id = canonicalPointId(point.id);
        if (id === undefined) throw rejected('upsert', `point id ${JSON.stringify(point.id)} is not a UUID`);
        return { id, vector: Array.from(point.vector), payload: { ...point.payload } };
      });
      await run('upsert', async () => (await client()).upsert(collection, { wait: true, points: body }));
    },

    async search(vector, limit, minScore) {
      if (limit <= 0) return [];
      const answer = await run('search', async () =>
        (await client()).query(collection, {
          query: Array.from(vector),
          limit,
          ...(minScore === undefined ? {} : { score_threshold: minScore }),
          with_payload: false,
          with_vector: false,
        }),
      );
      const parsed = QdrantScoredPoints.safeParse(answer);
      if (!parsed.success) throw malformed('search', 'query', parsed.error);
      return parsed.data.points.map((point) => ({ id: String(point.id), score: point.score }));
    },

    async delete(ids) {
      const points = ids.map((id) => canonicalPointId(id)).filter((id): id is string => id !== undefined);
      if (points.length === 0) return;
      await run('delete', async () => (await client()).delete(collection, { wait: true, points }));
    },

    async count() {
      const answer = await run('count', async () => (await client()).count(collection, { exact: true }));
      const parsed = QdrantCount.safeParse(answer);
      if (!parsed.success) throw malformed('count', 'count', parsed.error);
      return parsed.data.count;
    },

    async clear() {
      // An empty filter matches every point; the collection, its config and payload indexes stay.
      await run('clear', async () => (await client()).delete(collection, { wait: true, filter: {} }));
    },

    async probe() {
      try {
        const version = QdrantVersion.safeParse(await (await client()).versionInfo());
        if (!version.success) return { ok: false, detail: 'qdrant answered GET / with something unexpected' };
        // GET / is exempt from API-key checks in Qdrant, so ask an authenticated endpoint too.
        const { exists } = await (await client()).collectionExists(collection);
        return {
          ok: exists,
          detail: `qdrant ${version.data.version}, collection ${collection} ${exists ? 'exists' : 'missing'}`,
        };
      } catch (error) {
        const mapped = toVectorStoreError(error, 'probe', collection);
        return { ok: false, detail: `qdrant ${mapped.kind}: ${qdrantMessageOf(error) ?? mapped.message}` };
      }
    },
  };
}
