/** One piece of local context the assistant may use: a memory, a task, a summary. */
export interface ContextItem {
  /** Which provider it came from: `memory`, `task`, `conversation`, … */
  source: string;
  /** Short line for /why and for the deep-think disclosure list. */
  label: string;
  /** The text that goes into the prompt (or, if approved, to the cloud). */
  text: string;
  score?: number;
  date?: Date;
  /** Provider's own id (memory id, card id), for /why and /forget. */
  ref?: string;
  /** Who wrote it (`owner`, `Z`, an agent's name), when the provider knows: shown by /why. */
  author?: string;
}

export interface GatheredContext {
  items: ContextItem[];
  /** Said to the owner when the provider had to degrade (e.g. "Qdrant unreachable: searched the database instead"). */
  note?: string;
}

/**
 * A source of context for chat answers and deep think. Never throws: a provider
 * whose service is down returns what it can (possibly nothing) and a note.
 */
export interface ContextProvider {
  name: string;
  gather(query: string, purpose: 'chat' | 'deep-think'): Promise<GatheredContext>;
}
