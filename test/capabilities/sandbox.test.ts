import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHost } from '../../src/capabilities/host/fetch-host.js';
import { runSandboxed, type HostFunction } from '../../src/capabilities/sandbox/index.js';

/** Escape and limit tests of the capability sandbox (quickjs-wasi in a worker thread). Kept in CI. */
describe('the capability sandbox', () => {
  const fast = { cpuMs: 300, wallMs: 5_000 };
  let server: http.Server;
  let origin = '';
  let otherOrigin = '';
  let other: http.Server;
  const seen: { path: string; auth: string | undefined }[] = [];

  beforeAll(async () => {
    other = http.createServer((req, res) => {
      seen.push({ path: `other:${req.url ?? ''}`, auth: req.headers.authorization });
      res.end('other');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      if (req.url === '/away') {
        res.writeHead(302, { location: `${otherOrigin}/stolen` });
        res.end();
      } else if (req.url === '/big') {
        res.end('x'.repeat(10_000));
      } else if (req.url === '/echo-auth') {
        res.end(`you sent ${req.headers.authorization ?? 'nothing'}; the token alone is ${(req.headers.authorization ?? '').replace('Bearer ', '')}`);
      } else {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ price: 3.5 }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => other.close(resolve));
  });

  function fetchHost(): HostFunction {
    return createFetchHost({
      origins: [origin],
      secrets: [{ origin, header: 'authorization', value: 'Bearer s3cret-token', secret: 's3cret-token' }],
      timeoutMs: 2_000,
      maxResponseBytes: 1_000,
      onRequest: async () => undefined,
    });
  }

  it('runs a capability with its input and host functions, and returns JSON', async () => {
    const result = await runSandboxed({
      code: 'async function run(input) { log("adding", input.a); const r = await fetch(input.url); const body = await r.json(); return { total: input.a + body.price }; }',
      input: { a: 1, url: `${origin}/price` },
      host: { fetch: fetchHost() },
    });
    expect(result).toMatchObject({ ok: true, value: { total: 4.5 }, logs: ['adding 1'] });
  });

  it('stops an infinite loop with a clear error', async () => {
    const result = await runSandboxed({ code: 'function run() { for (;;) {} }', input: null, host: {}, limits: fast });
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
    if (!result.ok) expect(result.error).toContain('ran longer than 300 ms');
  });

  it('stops a loop that starts after awaiting a host function', async () => {
    const result = await runSandboxed({ code: 'async function run() { await kv.get("a"); while (true) {} }', input: null, host: { 'kv.get': async () => null }, limits: fast });
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it('kills a run that waits on a host function past the wall-clock limit', async () => {
    const never: HostFunction = () => new Promise(() => undefined);
    const result = await runSandboxed({ code: 'async function run() { await kv.get("a"); }', input: null, host: { 'kv.get': never }, limits: { wallMs: 500 } });
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
    if (!result.ok) expect(result.error).toContain('500 ms');
  });

  it('stops a memory bomb at the memory cap, even when the guest catches errors', async () => {
    const result = await runSandboxed({
      code: 'function run() { const keep = []; for (;;) { try { keep.push("x".repeat(1 << 20) + keep.length); } catch (e) {} } }',
      input: null,
      host: {},
      limits: { ...fast, cpuMs: 5_000, memoryBytes: 8 * 1024 * 1024 },
    });
    expect(result).toMatchObject({ ok: false, kind: 'memory' });
    if (!result.ok) expect(result.error).toContain('more than 8 MB');
  });

  it('stops deep recursion with a stack error', async () => {
    const result = await runSandboxed({ code: 'function run() { const f = (n) => f(n + 1) + 1; return f(0); }', input: null, host: {}, limits: fast });
    expect(result).toMatchObject({ ok: false, kind: 'stack' });
    if (!result.ok) expect(result.error).toContain('Maximum call stack size exceeded');
  });

  it('has no ambient authority, and the constructor escape finds only the guest realm', async () => {
    const result = await runSandboxed({
      code: `function run() {
        const escape = fetch.constructor.constructor('return this')();
        const viaProto = ({}).constructor.constructor('return typeof process + typeof require + typeof globalThis.__oz_call')();
        return {
          ambient: [typeof process, typeof require, typeof setTimeout, typeof setInterval, typeof queueMicrotask === 'function' ? 'micro' : 'none', typeof XMLHttpRequest, typeof WebAssembly, typeof __oz_call, typeof __oz_finish],
          escapedProcess: typeof escape.process,
          viaProto,
          hostGlobals: Object.getOwnPropertyNames(escape).filter((n) => ['process', 'require', 'Buffer', 'module', 'global'].includes(n)),
        };
      }`,
      input: null,
      host: {},
      limits: fast,
    });
    expect(result).toMatchObject({
      ok: true,
      value: {
        ambient: ['undefined', 'undefined', 'undefined', 'undefined', 'micro', 'undefined', 'undefined', 'undefined', 'undefined'],
        escapedProcess: 'undefined',
        viaProto: 'undefinedundefinedundefined',
        hostGlobals: [],
      },
    });
  });

  it('cannot pollute host prototypes, through its own realm or through arguments to host functions', async () => {
    let received: unknown;
    const result = await runSandboxed({
      code: `async function run() {
        Object.prototype.polluted = 'yes';
        Array.prototype.push = () => 'hijacked';
        JSON.parse = () => ({ hijacked: true });
        await kv.set('__proto__', { polluted: 'yes', constructor: { prototype: { polluted: 'yes' } } });
        return JSON.parse('{"a":1}');
      }`,
      input: null,
      host: {
        'kv.set': async (args) => {
          received = args;
          return null;
        },
      },
      limits: fast,
    });
    expect(result.ok).toBe(true);
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect([1].push(2)).toBe(2);
    expect(JSON.parse('{"a":1}')).toEqual({ a: 1 });
    // What the host got is plain data: `__proto__` is an ordinary key string, not a prototype.
    expect(Object.getPrototypeOf(received)).toBe(Object.prototype);
    expect((received as { key: string }).key).toBe('__proto__');
  });

  it('refuses fetch to a host not on the list, and to a redirect off the list, without sending the secret there', async () => {
    seen.length = 0;
    const result = await runSandboxed({
      code: `async function run(input) {
        const out = [];
        for (const url of input.urls) {
          try { await fetch(url); out.push('fetched ' + url); } catch (e) { out.push(e.message); }
        }
        return out;
      }`,
      input: { urls: [`${otherOrigin}/direct`, `${origin}/away`, 'file:///etc/passwd'] },
      host: { fetch: fetchHost() },
      limits: fast,
    });
    expect(result.ok).toBe(true);
    const lines = result.ok ? (result.value as string[]) : [];
    expect(lines[0]).toBe(`fetch: ${otherOrigin} is not an approved host for this capability`);
    expect(lines[1]).toBe(`fetch: ${origin} redirected to ${otherOrigin}, which is not an approved host`);
    expect(lines[2]).toContain('file: URLs are not allowed');
    expect(seen.filter((s) => s.path.startsWith('other:'))).toEqual([]);
    expect(seen).toEqual([{ path: '/away', auth: 'Bearer s3cret-token' }]);
  });

  it('injects the secret for its host but never shows it to the code, and caps the answer size', async () => {
    const result = await runSandboxed({
      code: `async function run(input) {
        const echoed = await (await fetch(input.origin + '/echo-auth', { headers: { authorization: 'mine' } })).text();
        let big;
        try { await fetch(input.origin + '/big'); big = 'read'; } catch (e) { big = e.message; }
        return { echoed, big };
      }`,
      input: { origin },
      host: { fetch: fetchHost() },
      limits: fast,
    });
    expect(result).toMatchObject({ ok: true, value: { echoed: 'you sent [secret]; the token alone is [secret]', big: `fetch: the answer from ${origin} is larger than 1000 bytes` } });
    expect(JSON.stringify(result)).not.toContain('s3cret-token');
  });

  it('turns a rejecting or throwing host function into a catchable guest error, and an uncaught one into a clear failure', async () => {
    const failing: HostFunction = async () => {
      throw new Error('database is down');
    };
    const caught = await runSandboxed({
      code: 'async function run() { try { await kv.get("a"); return "no"; } catch (e) { return "caught: " + e.message; } }',
      input: null,
      host: { 'kv.get': failing },
      limits: fast,
    });
    expect(caught).toMatchObject({ ok: true, value: 'caught: database is down' });
    const uncaught = await runSandboxed({ code: 'async function run() { await kv.get("a"); }', input: null, host: { 'kv.get': failing }, limits: fast });
    expect(uncaught).toMatchObject({ ok: false, kind: 'error', error: 'Error: database is down' });
    const missing = await runSandboxed({ code: 'async function run() { return await sql("select 1"); }', input: null, host: {}, limits: fast });
    expect(missing).toMatchObject({ ok: false, error: 'Error: sql is not available to this capability' });
  });

  it('reports syntax errors, a missing run, and a result that is not JSON', async () => {
    expect(await runSandboxed({ code: 'function run( {', input: null, host: {}, limits: fast })).toMatchObject({ ok: false, kind: 'error', error: expect.stringContaining('SyntaxError') });
    expect(await runSandboxed({ code: 'const x = 1;', input: null, host: {}, limits: fast })).toMatchObject({ ok: false, error: expect.stringContaining('function named run') });
    expect(await runSandboxed({ code: 'function run() { const a = {}; a.a = a; return a; }', input: null, host: {}, limits: fast })).toMatchObject({ ok: false, error: expect.stringContaining('not JSON') });
  });

  it('keeps running after all of that: many runs in parallel still work', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((n) => runSandboxed({ code: 'function run(n) { return n * 2; }', input: n, host: {}, limits: fast })));
    expect(results.map((r) => (r.ok ? r.value : r.error))).toEqual([2, 4, 6, 8]);
  });
});
