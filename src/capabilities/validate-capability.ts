import { isDeepStrictEqual } from 'node:util';
import { runSandboxed, type HostFunction, type SandboxLimits } from './sandbox/index.js';
import { inputSchemaOf, type CapabilityProposal, type CapabilityTest } from './capability-proposal.js';
import { sampleInputs } from './input-samples.js';

export interface ValidationReport {
  passed: boolean;
  /** One line per check, `✓` or `✗`, for the model and for the owner's approval. */
  lines: string[];
}

const RESULT_PREVIEW = 200;

/**
 * Tries a proposed version in the sandbox before the owner sees it: each of the model's
 * tests (with its own fetch answers and starting key-value store; nothing leaves the
 * machine), then inputs generated from the schema, which must finish within the limits.
 */
export async function validateCapability(proposal: CapabilityProposal, limits?: Partial<SandboxLimits>): Promise<ValidationReport> {
  const schema = inputSchemaOf(proposal.input_schema);
  if (!schema.ok) return { passed: false, lines: [`✗ ${schema.error}`] };
  const lines: string[] = [];
  let passed = true;
  for (const test of proposal.tests) {
    const input = schema.schema.safeParse(test.input);
    if (!input.success) {
      passed = false;
      lines.push(`✗ test “${test.name}”: its input does not match input_schema (${input.error.issues[0]?.message ?? 'invalid'})`);
      continue;
    }
    const result = await runSandboxed({ code: proposal.code, input: input.data, host: testHost(proposal, test), ...(limits ? { limits } : {}) });
    if (test.expectError !== undefined) {
      const ok = !result.ok && result.error.includes(test.expectError);
      passed &&= ok;
      lines.push(ok ? `✓ test “${test.name}”: failed as expected` : `✗ test “${test.name}”: expected an error containing “${test.expectError}”, got ${describe(result)}`);
      continue;
    }
    const ok = result.ok && (test.expect === undefined || isDeepStrictEqual(result.value, test.expect));
    passed &&= ok;
    lines.push(ok ? `✓ test “${test.name}”` : `✗ test “${test.name}”: expected ${preview(test.expect)}, got ${describe(result)}`);
  }
  for (const [index, sample] of sampleInputs(proposal.input_schema).entries()) {
    const input = schema.schema.safeParse(sample);
    if (!input.success) continue;
    const result = await runSandboxed({ code: proposal.code, input: input.data, host: testHost(proposal, undefined), ...(limits ? { limits } : {}) });
    // A clear error on an odd input is fine; running out of time, memory or stack is not.
    const ok = result.ok || result.kind === 'error';
    passed &&= ok;
    const label = `generated input ${index + 1} ${preview(input.data)}`;
    lines.push(ok ? `✓ ${label}: ${result.ok ? 'ran' : 'refused with a clear error'}` : `✗ ${label}: ${result.error}`);
  }
  return { passed, lines };
}

/** Host functions for a test: fetch and sql answers from the test, kv in memory. */
function testHost(proposal: CapabilityProposal, test: CapabilityTest | undefined): Partial<Record<string, HostFunction>> {
  const { permissions } = proposal;
  const store = new Map<string, unknown>(Object.entries(test?.kv ?? {}));
  const host: Partial<Record<string, HostFunction>> = {};
  if (permissions.hosts.length > 0) {
    host.fetch = async (args) => {
      const url = typeof args === 'object' && args !== null ? String((args as { url?: unknown }).url ?? '') : '';
      let origin: string;
      try {
        origin = new URL(url).origin;
      } catch {
        throw new Error('fetch: not a valid URL');
      }
      if (!permissions.hosts.includes(origin)) throw new Error(`fetch: ${origin} is not an approved host for this capability`);
      const answer = test?.fetch.find((mock) => mock.url === url);
      if (!answer) throw new Error(`fetch: this test gives no answer for ${url}`);
      return { status: answer.status, headers: {}, body: answer.body };
    };
  }
  if (permissions.kv) {
    host['kv.get'] = async (args) => store.get(keyOf(args)) ?? null;
    host['kv.set'] = async (args) => {
      store.set(keyOf(args), (args as { value?: unknown }).value ?? null);
      return null;
    };
    host['kv.delete'] = async (args) => store.delete(keyOf(args));
    host['kv.list'] = async (args) => {
      const prefix = typeof args === 'object' && args !== null ? String((args as { prefix?: unknown }).prefix ?? '') : '';
      return [...store.entries()].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => ({ key, value }));
    };
  }
  if (permissions.sql) {
    const answers = [...(test?.sql ?? [])];
    host.sql = async () => {
      const rows = answers.shift();
      if (!rows) throw new Error('sql: this test gives no more answers');
      return rows;
    };
  }
  return host;
}

function keyOf(args: unknown): string {
  return typeof args === 'object' && args !== null ? String((args as { key?: unknown }).key ?? '') : '';
}

function describe(result: Awaited<ReturnType<typeof runSandboxed>>): string {
  return result.ok ? preview(result.value) : `error: ${result.error}`;
}

function preview(value: unknown): string {
  const text = value === undefined ? 'anything' : JSON.stringify(value);
  return text.length > RESULT_PREVIEW ? `${text.slice(0, RESULT_PREVIEW)}…` : text;
}
