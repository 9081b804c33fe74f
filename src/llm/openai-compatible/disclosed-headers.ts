/**
 * The only request headers a cloud call carries, as the /think disclosure states them. The
 * openai SDK adds its own telemetry (`X-Stainless-Lang`, `-OS`, `-Arch`, `-Runtime`,
 * `-Runtime-Version`, `-Package-Version`, `-Retry-Count`, `-Timeout`, `-Helper-Method`) and a
 * detailed User-Agent; `defaultHeaders: { name: null }` removes the ones known today but not a
 * header a later SDK version adds (openai-node #1499), so the last hop keeps an allowlist instead.
 */
export const DISCLOSED_HEADERS: ReadonlyArray<readonly [name: string, shown: string]> = [
  ['authorization', 'Authorization: Bearer (your DEEP_THINK_API_KEY)'],
  ['content-type', 'Content-Type: application/json'],
  ['accept', 'Accept: application/json'],
];

/** What the User-Agent says: the program, nothing about the machine. */
export const CLOUD_USER_AGENT = 'openzero';

const ALLOWED = new Set(DISCLOSED_HEADERS.map(([name]) => name));

/** Wraps fetch so only the disclosed headers (and a plain User-Agent) leave the machine. */
export function withDisclosedHeadersOnly(baseFetch: typeof fetch): typeof fetch {
  return (input, init) => {
    const given = new Headers(init?.headers);
    const headers = new Headers();
    for (const [name, value] of given) if (ALLOWED.has(name.toLowerCase())) headers.set(name, value);
    headers.set('user-agent', CLOUD_USER_AGENT);
    return baseFetch(input, { ...init, headers });
  };
}
