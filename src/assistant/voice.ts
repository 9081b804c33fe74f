/**
 * Who answers a chat turn: Z (the chief of staff) or the specialist the owner brought to the
 * foreground with /agent. Supplied per turn by the agents feature; the assistant does not
 * know agents exist beyond this.
 */
export interface Voice {
  /** `Z` or the agent's name: recorded with the answer (/why) and passed to tools as the actor. */
  name: string;
  /** Put before the answer so the owner sees who is speaking; empty for none. */
  label: string;
  /** The speaker's persona (soul); Z's comes from agent-character.md when absent. */
  persona?: string;
  /** A specialist's tool allowlist; absent means every registered tool (Z). */
  allows?: (tool: string) => boolean;
}

export const Z_VOICE: Voice = { name: 'Z', label: '' };
