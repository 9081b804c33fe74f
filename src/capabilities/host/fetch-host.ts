import { z } from 'zod';
import type { HostFunction } from '../sandbox/index.js';

/** A secret the host adds to requests for one approved origin; the guest never sees its value. */
export interface InjectedSecret {
  origin: string;
  header: string;
  /** The whole header value, e.g. `Bearer <secret>`. */
  value: string;
  /** The secret alone, blanked out of answers too when the header adds a prefix. */
  secret?: string;
}

export interface FetchHostOptions {
  /** Exact origins (`https://api.example.com`, scheme and port included) this version may reach. */
  origins: readonly string[];
  secrets: readonly InjectedSecret[];
  timeoutMs: number;
  maxResponseBytes: number;
  /** Called once per request that leaves the process, for the audit log. */
  onRequest: (entry: { origin: string; method: string; status: number; bytesOut: number; bytesIn: number }) => Promise<void>;
  fetchImpl?: typeof fetch;
}

const FetchArgs = z.object({
  url: z.string().max(4096),
  init: z
    .object({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
      headers: z.record(z.string().max(200), z.string().max(4096)).default({}),
      body: z.string().max(256 * 1024).optional(),
    })
    .default({ method: 'GET', headers: {} }),
});

const MAX_REDIRECTS = 3;

/**
 * `fetch` for a capability: only to the origins the owner approved for this exact version,
 * redirects followed only within them, a time and a size cap, and secrets added by the host
 * (and blanked out of whatever comes back). Rejects with a plain message on any refusal.
 */
export function createFetchHost(options: FetchHostOptions): HostFunction {
  const allowed = new Set(options.origins);
  const doFetch = options.fetchImpl ?? fetch;
  return async (raw) => {
    const parsed = FetchArgs.safeParse(raw);
    if (!parsed.success) throw new Error(`fetch: invalid arguments (${parsed.error.issues[0]?.message ?? 'bad input'})`);
    const { init } = parsed.data;
    let url = parseUrl(parsed.data.url);
    const signal = AbortSignal.timeout(options.timeoutMs);
    for (let hop = 0; ; hop += 1) {
      if (!allowed.has(url.origin)) throw new Error(`fetch: ${url.origin} is not an approved host for this capability`);
      const headers = new Headers();
      for (const [name, value] of Object.entries(init.headers)) headers.set(name, value);
      const secrets = options.secrets.filter((secret) => secret.origin === url.origin);
      for (const secret of secrets) headers.set(secret.header, secret.value);
      let response: Response;
      try {
        response = await doFetch(url, { method: init.method, headers, body: init.body, redirect: 'manual', signal });
      } catch (err) {
        throw new Error(signal.aborted ? `fetch: ${url.origin} did not answer within ${options.timeoutMs} ms` : `fetch: ${url.origin} could not be reached`, { cause: err });
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new Error('fetch: too many redirects');
        const next = parseUrl(new URL(location, url).href);
        if (!allowed.has(next.origin)) throw new Error(`fetch: ${url.origin} redirected to ${next.origin}, which is not an approved host`);
        url = next;
        continue;
      }
      const body = await readCapped(response, options.maxResponseBytes, url.origin);
      await options.onRequest({ origin: url.origin, method: init.method, status: response.status, bytesOut: Buffer.byteLength(init.body ?? ''), bytesIn: body.bytes });
      let text = body.text;
      for (const secret of secrets) {
        for (const needle of [secret.value, secret.secret ?? '']) if (needle.length >= 4) text = text.split(needle).join('[secret]');
      }
      const headersOut: Record<string, string> = {};
      const contentType = response.headers.get('content-type');
      if (contentType) headersOut['content-type'] = contentType;
      return { status: response.status, headers: headersOut, body: text };
    }
  };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('fetch: not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`fetch: ${url.protocol} URLs are not allowed`);
  if (url.username || url.password) throw new Error('fetch: credentials in the URL are not allowed');
  return url;
}

async function readCapped(response: Response, maxBytes: number, origin: string): Promise<{ text: string; bytes: number }> {
  if (!response.body) return { text: '', bytes: 0 };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw new Error(`fetch: the answer from ${origin} is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes };
}
