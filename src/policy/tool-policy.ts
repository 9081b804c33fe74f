import type { RiskTier } from '../tools/index.js';

export type ToolDecision = 'run' | 'approve' | 'paused';

/**
 * Whether a tool call runs now, waits for the owner, or is blocked by pause-all.
 * `ownerAllows` comes from the owner's policy (`/policy`), never from a tool.
 * L3 always asks: it is money, legal, public or data leaving the machine.
 */
export function decideToolCall(tier: RiskTier, options: { paused: boolean; ownerAllows: boolean }): ToolDecision {
  if (tier === 'L0') return 'run';
  if (options.paused) return 'paused';
  if (tier === 'L1') return 'run';
  if (tier === 'L2') return options.ownerAllows ? 'run' : 'approve';
  return 'approve';
}
