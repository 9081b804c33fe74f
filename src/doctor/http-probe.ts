/** A JSON answer, or why there was none. Never throws. */
export type Probe = { ok: true; status: number; body: unknown } | { ok: false; reason: string };

export async function probeJson(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Probe> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { ok: true, status: res.status, body };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    return { ok: false, reason: cause || (err instanceof Error ? err.message : String(err)) };
  }
}

export function field(body: unknown, ...keys: string[]): unknown {
  let value = body;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
