export interface MeteredFetch {
  /** Drop-in `fetch` for an SDK's custom-fetch option. */
  readonly fetch: typeof fetch;
  /** Sum of request body bytes handed to the network so far. */
  readonly bytesSent: number;
  /** Sum of response body bytes read so far. */
  readonly bytesReceived: number;
}

export interface MeteredFetchOptions {
  /** Also abort the request when this fires (merged with the SDK's own signal). */
  signal?: AbortSignal;
  /** Called when response headers arrive. */
  onHeaders?: () => void;
  baseFetch?: typeof fetch;
}

/**
 * Wraps fetch to count the exact bytes of every request body the SDK sends and every response
 * body byte it reads. This is what the audit log and the cloud disclosure report, so it measures
 * what went on the wire rather than re-serialising our own idea of the request.
 */
export function createMeteredFetch(options: MeteredFetchOptions = {}): MeteredFetch {
  const baseFetch = options.baseFetch ?? globalThis.fetch;
  let bytesSent = 0;
  let bytesReceived = 0;

  const metered: typeof fetch = async (input, init) => {
    bytesSent += bodyByteLength(init?.body);
    const signal = mergeSignals(init?.signal ?? undefined, options.signal);
    const response = await baseFetch(input, { ...init, ...(signal ? { signal } : {}) });
    options.onHeaders?.();
    if (!response.body) return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytesReceived += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  return {
    fetch: metered,
    get bytesSent() {
      return bytesSent;
    },
    get bytesReceived() {
      return bytesReceived;
    },
  };
}

function mergeSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b;
}

/** Byte length of the body kinds SDKs send; streams cannot be measured up front and count 0. */
export function bodyByteLength(body: RequestInit['body'] | undefined): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return Buffer.byteLength(body.toString(), 'utf8');
  if (body instanceof Blob) return body.size;
  return 0;
}
