import { z } from 'zod';

// What we read from Qdrant's answers (the SDK returns `result` already unwrapped), only the fields
// we use. Shapes per api.qdrant.tech (v1.18.x): ScoredPoint, CountResult, VersionInfo, CollectionInfo.

export const QdrantScoredPoints = z.object({
  points: z.array(z.object({ id: z.union([z.string(), z.number()]), score: z.number() })),
});
export type QdrantScoredPoints = z.infer<typeof QdrantScoredPoints>;

export const QdrantCount = z.object({ count: z.number().int().nonnegative() });
export type QdrantCount = z.infer<typeof QdrantCount>;

export const QdrantVersion = z.object({ version: z.string() });
export type QdrantVersion = z.infer<typeof QdrantVersion>;

/** The single unnamed vector config; named vectors (a record) are not ours. */
export const QdrantCollectionVectors = z.object({
  config: z.object({ params: z.object({ vectors: z.object({ size: z.number().int(), distance: z.string() }).optional() }) }),
});
export type QdrantCollectionVectors = z.infer<typeof QdrantCollectionVectors>;

/** The SDK's ApiError (not exported by the package): an HTTP status and the parsed body. */
export const QdrantHttpFailure = z.object({
  status: z.number().int(),
  data: z.unknown(),
});
export type QdrantHttpFailure = z.infer<typeof QdrantHttpFailure>;

/** Qdrant's error body: `{"status":{"error":"…"},"time":…}` (auth failures are plain text). */
export const QdrantErrorBody = z.object({ status: z.object({ error: z.string() }) });
export type QdrantErrorBody = z.infer<typeof QdrantErrorBody>;
