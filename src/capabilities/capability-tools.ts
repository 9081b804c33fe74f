import type { Tool, ToolRegistry } from '../tools/index.js';
import { CapabilityProposal } from './capability-proposal.js';
import type { CapabilityService } from './capability-service.js';

const WRITE_CAPABILITY_HELP = [
  'Write (or update) a capability: a small JavaScript tool you build for the owner, run in a sandbox.',
  'The code defines `async function run(input)` and returns JSON. It has no fs, network, timers or process;',
  'its only globals are `fetch(url, {method, headers, body})` (only to permissions.hosts; secrets are added by the host, never visible),',
  '`await sql(query, params)` (read-only, its own schema: a view `kv(key, value jsonb, updated_at)`),',
  '`kv.get/set/delete/list` (its own store) and `log(...)`. Give tests with the exact expected result;',
  'fetch and sql answers in tests come from the test itself. It is validated in the sandbox, then the owner approves it.',
].join(' ');

/** `write_capability` (L1): proposing costs nothing; only the owner's approval activates. */
export function registerCapabilityTools(registry: ToolRegistry, service: CapabilityService): void {
  const write: Tool<CapabilityProposal> = {
    name: 'write_capability',
    description: WRITE_CAPABILITY_HELP,
    tier: 'L1',
    args: CapabilityProposal,
    describe: (args) => `Propose the capability ${args.name} for approval`,
    run: async (args, ctx) => {
      const content = await service.propose(args, ctx.chatId);
      return { content, summary: `Checked the capability ${args.name} in the sandbox.` };
    },
  };
  registry.register(write);
}
