/** One board of the structure: its lists in order and which of them means "done". */
export interface BoardSpec {
  name: string;
  lists: string[];
  /** The list "Done" moves a card to; a card there counts as done. */
  doneList: string;
  /** Where new cards go when no list is named (the first list). */
  inboxList: string;
}

export interface BoardStructure {
  /** The Planka project that holds every board. */
  project: string;
  boards: BoardSpec[];
}

/** Preference keys the owner can set in chat (`set_preference`) to change the structure. */
export const STRUCTURE_PREFERENCE = 'board.structure';
export const PROJECT_PREFERENCE = 'board.project';
export const DEFAULT_PROJECT = 'openzero';

/**
 * The default structure (seed §15), in the same text form the `board.structure`
 * preference uses: boards separated by `;`, `Board: List > List > …`, and the done
 * list marked with `*` (the last list when none is marked).
 */
export const DEFAULT_STRUCTURE_TEXT =
  'Career: Inbox > In Progress > Blocked > Done*; Health: Inbox > Habits > Completed*; Family: Inbox > This Week > Done*; ' +
  'Finance: Inbox > Pending > Resolved*; Creative: Ideas > Active > Shipped*';

export class BoardStructureError extends Error {
  override readonly name = 'BoardStructureError';
  constructor(
    message: string,
    readonly text: string,
  ) {
    super(message);
  }
}

/** Parses the structure text; throws BoardStructureError naming the problem. */
export function parseStructure(text: string, project: string): BoardStructure {
  const boards: BoardSpec[] = [];
  for (const chunk of text.split(/[;\n]/).map((part) => part.trim()).filter(Boolean)) {
    const colon = chunk.indexOf(':');
    if (colon <= 0) throw new BoardStructureError(`"${chunk}" should read "Board: List > List > Done*"`, text);
    const name = chunk.slice(0, colon).trim();
    const raw = chunk.slice(colon + 1).split('>').map((list) => list.trim()).filter(Boolean);
    if (raw.length < 2) throw new BoardStructureError(`board ${name} needs at least two lists`, text);
    const marked = raw.filter((list) => list.endsWith('*'));
    if (marked.length > 1) throw new BoardStructureError(`board ${name} marks more than one done list`, text);
    const lists = raw.map((list) => list.replace(/\*$/, '').trim());
    const lower = lists.map((list) => list.toLowerCase());
    if (new Set(lower).size !== lists.length) throw new BoardStructureError(`board ${name} names a list twice`, text);
    if (boards.some((board) => board.name.toLowerCase() === name.toLowerCase())) throw new BoardStructureError(`board ${name} appears twice`, text);
    const doneList = marked[0]?.replace(/\*$/, '').trim() ?? lists[lists.length - 1] ?? '';
    boards.push({ name, lists, doneList, inboxList: lists[0] ?? '' });
  }
  if (boards.length === 0) throw new BoardStructureError('no boards', text);
  return { project: project.trim() || DEFAULT_PROJECT, boards };
}

export function findBoard(structure: BoardStructure, name: string): BoardSpec | undefined {
  const wanted = name.trim().toLowerCase();
  return structure.boards.find((board) => board.name.toLowerCase() === wanted);
}

export function findList(board: BoardSpec, name: string): string | undefined {
  const wanted = name.trim().toLowerCase();
  return board.lists.find((list) => list.toLowerCase() === wanted);
}
