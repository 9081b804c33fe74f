export { createBoardFeature, type BoardFeature, type BoardFeatureDeps, type BoardFeatureOptions } from './board-feature.js';
export { parseDue, formatDue, snoozeDue, DEFAULT_DUE_HOUR, type DueParse } from './due-date.js';
export { zonedToUtc, wallTimeAt, addLocalDays, type WallTime } from './zoned-time.js';
export { parseStructure, DEFAULT_STRUCTURE_TEXT, STRUCTURE_PREFERENCE, PROJECT_PREFERENCE, BoardStructureError, type BoardStructure, type BoardSpec } from './board-structure.js';
export { bootstrapBoards, PlankaBoards, type BoardLayout } from './planka-boards.js';
export { renderTree } from './project-tree.js';
export { runProjectCommand } from './project-commands.js';
export { TaskService, TaskInputError } from './task-service.js';
export type { Task } from './tasks-repo.js';
