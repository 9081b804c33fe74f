import { describe, expect, it } from 'vitest';
import { BoardStructureError, DEFAULT_STRUCTURE_TEXT, parseStructure, renderTree } from '../../src/board/index.js';
import type { Project } from '../../src/board/projects-repo.js';

describe('board structure', () => {
  it('has the five life-domain boards by default, done list last', () => {
    const structure = parseStructure(DEFAULT_STRUCTURE_TEXT, 'openzero');
    expect(structure.boards.map((b) => `${b.name}: ${b.lists.join(' > ')} (${b.doneList})`)).toEqual([
      'Career: Inbox > In Progress > Blocked > Done (Done)',
      'Health: Inbox > Habits > Completed (Completed)',
      'Family: Inbox > This Week > Done (Done)',
      'Finance: Inbox > Pending > Resolved (Resolved)',
      'Creative: Ideas > Active > Shipped (Shipped)',
    ]);
    expect(structure.boards.find((b) => b.name === 'Creative')?.inboxList).toBe('Ideas');
  });

  it('reads a marked done list and rejects broken text by name', () => {
    const structure = parseStructure('Home: Todo > Done* > Someday', '  ');
    expect(structure.project).toBe('openzero');
    expect(structure.boards[0]?.doneList).toBe('Done');
    expect(() => parseStructure('Home Todo Done', 'x')).toThrow(BoardStructureError);
    expect(() => parseStructure('Home: Todo', 'x')).toThrow(/at least two lists/);
    expect(() => parseStructure('Home: A > a', 'x')).toThrow(/twice/);
    expect(() => parseStructure('Home: A* > B*', 'x')).toThrow(/more than one/);
  });
});

describe('/tree rendering', () => {
  const base = { priority: 3, domain: null, progress: 0, linkBoard: null, lastReviewed: null, status: 'active' as const };
  const projects: Project[] = [
    { ...base, id: 1, name: 'Career', parentId: null, linkBoard: 'Career', priority: 1 },
    { ...base, id: 2, name: 'Promotion', parentId: 1, progress: 25 },
    { ...base, id: 3, name: 'Certification', parentId: 2, status: 'paused', progress: 60 },
    { ...base, id: 4, name: 'Old job', parentId: 1, status: 'archived' },
    { ...base, id: 5, name: 'Health', parentId: null, status: 'completed', progress: 100 },
  ];

  it('indents children, shows status and progress, derives linked progress from cards', () => {
    const counts = new Map([['career', { done: 2, total: 5 }]]);
    expect(renderTree(projects, counts)).toEqual([
      '[ACTIVE] Career [40%] · 2/5 cards on Career',
      '  └ [ACTIVE] Promotion [25%]',
      '      └ [PAUSED] Certification [60%]',
      '[COMPLETED] Health [100%]',
    ]);
    expect(renderTree(projects, counts, { all: true })).toContain('  └ [ARCHIVED] Old job [0%]');
  });

  it('shows 0% for a linked board without cards', () => {
    expect(renderTree([projects[0]!], new Map())[0]).toBe('[ACTIVE] Career [0%] · 0/0 cards on Career');
  });
});
