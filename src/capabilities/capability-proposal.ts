import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Lower-case snake case; the tool the model calls is `cap_<name>`. */
export const CapabilityName = z.string().regex(/^[a-z][a-z0-9_]{1,31}$/, 'a capability name is 2-32 lower-case letters, digits or _, starting with a letter');

/** `https://api.example.com` (scheme, host and port): what the owner approves for fetch. */
const Origin = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    try {
      const url = new URL(text.includes('://') ? text : `https://${text}`);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      return url.origin;
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a host or origin: ${text}` });
      return z.NEVER;
    }
  });

export const CapabilitySecret = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/).describe('the name the owner stores the secret under with /capsecret <name> <value>'),
    host: Origin.describe('the approved host the secret is sent to'),
    header: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,59}$/).describe('the request header the host sets, e.g. authorization'),
    prefix: z.string().max(20).default('').describe('text before the secret in the header, e.g. "Bearer "'),
  })
  .strict();
export type CapabilitySecret = z.infer<typeof CapabilitySecret>;

export const CapabilityPermissions = z
  .object({
    hosts: z.array(Origin).max(10).default([]).describe('hosts fetch may reach, e.g. ["https://api.example.com"]'),
    secrets: z.array(CapabilitySecret).max(5).default([]).describe('secrets the host adds to requests; the code never sees them'),
    sql: z.boolean().default(false).describe('read-only SQL over its own schema (a view kv of its key-value store)'),
    kv: z.boolean().default(false).describe('its own key-value store'),
  })
  .strict()
  .superRefine((permissions, ctx) => {
    for (const secret of permissions.secrets) {
      if (!permissions.hosts.includes(secret.host)) ctx.addIssue({ code: 'custom', message: `secret ${secret.name} goes to ${secret.host}, which is not in hosts` });
    }
  });
export type CapabilityPermissions = z.infer<typeof CapabilityPermissions>;

const FetchMock = z.object({ url: z.string().max(2000), status: z.number().int().min(100).max(599).default(200), body: z.string().max(20_000) }).strict();

export const CapabilityTest = z
  .object({
    name: z.string().min(1).max(100),
    input: z.unknown(),
    expect: z.unknown().optional().describe('the exact JSON result expected'),
    expectError: z.string().max(200).optional().describe('a fragment of the error expected instead'),
    fetch: z.array(FetchMock).max(10).default([]).describe('answers fetch gets in this test; any other URL fails'),
    kv: z.record(z.string(), z.unknown()).default({}).describe('the key-value store at the start of this test'),
    sql: z.array(z.array(z.record(z.string(), z.unknown()))).max(10).default([]).describe('the rows each sql call returns in this test, in order'),
  })
  .strict();
export type CapabilityTest = z.infer<typeof CapabilityTest>;

/** What `write_capability` takes: one whole version. */
export const CapabilityProposal = z
  .object({
    name: CapabilityName,
    description: z.string().min(10).max(500).describe('what it does and when to use it (the model reads this)'),
    code: z.string().min(10).max(50_000).describe('JavaScript defining `async function run(input)`; globals: fetch, sql, kv, log'),
    input_schema: z.record(z.string(), z.unknown()).describe('JSON Schema (type object) of run\'s input'),
    tests: z.array(CapabilityTest).min(1).max(10),
    permissions: CapabilityPermissions,
  })
  .strict();
export type CapabilityProposal = z.infer<typeof CapabilityProposal>;

/** The hash the owner approves: over the description, code, schema, tests and permissions, as stored. */
export function proposalHash(proposal: CapabilityProposal): string {
  const canonical = JSON.stringify([proposal.name, proposal.description, proposal.code, proposal.input_schema, proposal.tests, proposal.permissions]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The zod schema of the input, from the JSON Schema; an error text when it is not usable. */
export function inputSchemaOf(jsonSchema: Record<string, unknown>): { ok: true; schema: z.ZodType } | { ok: false; error: string } {
  if (jsonSchema.type !== 'object') return { ok: false, error: 'input_schema must be a JSON Schema with "type": "object"' };
  try {
    return { ok: true, schema: z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]) };
  } catch (err) {
    return { ok: false, error: `input_schema is not a usable JSON Schema: ${err instanceof Error ? err.message : String(err)}` };
  }
}
