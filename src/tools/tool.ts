import type { z } from 'zod';

/**
 * How much a tool can change the world, which decides whether it runs:
 * - L0 read-only: runs.
 * - L1 draft or internal write: runs, is audited, and may offer Undo.
 * - L2 external write: waits for the owner's approval unless the owner allowed that tool with /policy.
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
  /** The agent that asked for the call (`Z` or a specialist's name); absent when the owner approved it. Provenance only, never authority. */
  actor?: string;
  signal?: AbortSignal;
  /**
   * The object `resolve` found when the call was requested (stored with its approval):
   * a tool that resolves acts on exactly this object, never on the model's words again.
   */
  object?: ResolvedObject;
}

/** The exact thing a call acts on, found in our own records: what the owner approves. */
export interface ResolvedObject {
  /** Its exact id as the owner sees it, e.g. `#12`. */
  id: string;
  /** Its title as stored now (never the model's words). */
  title: string;
  /** Where it is, when that helps to recognise it, e.g. `Family / Inbox`. */
  where?: string;
  /** What `run` needs to act on exactly this object (e.g. the task id): JSON, stored with the approval. */
  ref: unknown;
}

/** A call's object found (exactly one), or why not (no match, several): the latter goes back to the model, with no approval. */
export type Resolution = { ok: true; object: ResolvedObject } | { ok: false; error: string };

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
  /**
   * What will happen, in plain words, for approvals and the audit log. With `object`
   * (from `resolve`) it names the action only; the object is shown beside it by id and title.
   */
  describe(args: Args, object?: ResolvedObject): string;
  /**
   * For a tool that acts on one existing thing (a task, a set of conversations): finds it
   * in our records when the call is requested, before any approval is shown.
   */
  resolve?(args: Args): Promise<Resolution>;
  /** Performs the call. Expected failures are returned as content, not thrown. */
  run(args: Args, ctx: ToolCallContext): Promise<ToolOutcome>;
}

/** Reverses an action recorded with `UndoSpec.kind`; returns a line for the owner. */
export type UndoHandler = (payload: unknown) => Promise<string>;
