const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The canonical form of a point id: lower-case hyphenated UUID, as Qdrant returns it. Both stores
 * accept only this shape so a test against the embedded store means the same against Qdrant.
 * Returns undefined for anything else.
 */
export function canonicalPointId(id: string): string | undefined {
  return UUID.test(id) ? id.toLowerCase() : undefined;
}
