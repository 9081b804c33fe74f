// Every card openzero writes ends with a one-line marker naming its local task (`[oz:ref]`).
// It is how a card created just before a crash is recognised on the retry instead of
// being created twice, and how a card is matched to its task when ids were never recorded.
const MARKER = /\n*\[oz:([A-Za-z0-9_-]{4,32})\]\s*$/;

export function withMarker(description: string | null, ref: string): string {
  const body = stripMarker(description ?? '').trimEnd();
  return body === '' ? `[oz:${ref}]` : `${body}\n\n[oz:${ref}]`;
}

export function stripMarker(description: string | null): string {
  return (description ?? '').replace(MARKER, '');
}

export function markerRef(description: string | null): string | undefined {
  return MARKER.exec(description ?? '')?.[1];
}
