import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { getPreference } from '../preferences/index.js';
import { BoardStructureError, DEFAULT_PROJECT, DEFAULT_STRUCTURE_TEXT, PROJECT_PREFERENCE, STRUCTURE_PREFERENCE, parseStructure, type BoardStructure } from './board-structure.js';

export interface StructureSource {
  /** The structure in force: the owner's preferences when valid, the default otherwise. Never throws BoardStructureError. */
  current(): Promise<BoardStructure>;
  /** Why the owner's `board.structure` preference is not used, if it is set but invalid. */
  problem(): string | undefined;
}

export function createStructureSource(db: Db, log: Logger): StructureSource {
  let problem: string | undefined;
  return {
    async current() {
      const project = (await getPreference(db, PROJECT_PREFERENCE)) ?? DEFAULT_PROJECT;
      const text = await getPreference(db, STRUCTURE_PREFERENCE);
      if (text === undefined) {
        problem = undefined;
        return parseStructure(DEFAULT_STRUCTURE_TEXT, project);
      }
      try {
        const structure = parseStructure(text, project);
        problem = undefined;
        return structure;
      } catch (err) {
        if (!(err instanceof BoardStructureError)) throw err;
        if (problem !== err.message) log.warn({ problem: err.message }, 'board.structure preference is invalid; using the default structure');
        problem = err.message;
        return parseStructure(DEFAULT_STRUCTURE_TEXT, project);
      }
    },
    problem: () => problem,
  };
}
