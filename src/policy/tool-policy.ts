import type { RiskTier } from '../tools/index.js';

export type ToolDecision = 'run' | 'approve' | 'paused';

/** The preference that lets an L2 tool run without asking, e.g. `policy.allow.create_task = true`. */
export function allowPreferenceKey(toolName: string): string {
  return `policy.allow.${toolName}`;
}

/**
 * Whether a tool call runs now, waits for the owner, or is blocked by pause-all.
 * L3 always asks: it is money, legal, public or data leaving the machine.
 */
export function decideToolCall(tier: RiskTier, options: { paused: boolean; ownerAllows: boolean }): ToolDecision {
  if (tier === 'L0') return 'run';
  if (options.paused) return 'paused';
  if (tier === 'L1') return 'run';
  if (tier === 'L2') return options.ownerAllows ? 'run' : 'approve';
  return 'approve';
}
