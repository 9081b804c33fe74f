import type { z } from 'zod';

/**
 * How much a tool can change the world, which decides whether it runs:
 * - L0 read-only: runs.
 * - L1 draft or internal write: runs, is audited, and may offer Undo.
 * - L2 external write: waits for the owner's approval unless the owner's policy allows it.
 * - L3 money, legal, public, or anything that sends data off the machine: always waits.
 */
export type RiskTier = 'L0' | 'L1' | 'L2' | 'L3';

export interface ToolCallContext {
  /**
   * Stable across a replay of the same work (e.g. `update:123#4:create_task`): a
   * tool with an outside effect uses it to do that effect at most once.
   */
  idempotencyKey: string;
  /** The chat the work came from (the owner's). */
  chatId: number;
  signal?: AbortSignal;
}

/** How to reverse what a tool did; the confirmation carries an Undo button for it. */
export interface UndoSpec {
  /** Names an inverse registered in the ToolRegistry (`registerUndo`). */
  kind: string;
  payload: unknown;
  /** Button/confirmation wording, e.g. "Delete the card “Renew passport”". */
  label: string;
}

export interface ToolOutcome {
  /** What the model reads back. */
  content: string;
  /** One line for the owner's confirmation of an L1/L2 action. */
  summary?: string;
  undo?: UndoSpec;
}

export interface Tool<Args = unknown> {
  /** snake_case, as the model calls it. */
  name: string;
  /** For the model: what it does and when to use it. */
  description: string;
  tier: RiskTier;
  /** Validates the model's arguments; also becomes the JSON schema the model sees. */
  args: z.ZodType<Args>;
  /** What will happen, in plain words, for approvals and the audit log. */
  describe(args: Args): string;
  /** Performs the call. Expected failures are returned as content, not thrown. */
  run(args: Args, ctx: ToolCallContext): Promise<ToolOutcome>;
}

/** Reverses an action recorded with `UndoSpec.kind`; returns a line for the owner. */
export type UndoHandler = (payload: unknown) => Promise<string>;
