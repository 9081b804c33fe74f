export { createPlankaClient } from './client.js';
export { PlankaError, type PlankaErrorKind } from './errors.js';
export type { PlankaAuth } from './auth.js';
export type { FetchLike } from './http.js';
export { POSITION_GAP, appendPosition } from './positions.js';
export type { PlankaBoard, PlankaCard, PlankaLabel, PlankaProject, PlankaUser } from './schemas.js';
export type {
  CreateCardInput,
  MoveCardInput,
  PlankaBoardView,
  PlankaCardType,
  PlankaCardWithLabels,
  PlankaClient,
  PlankaClientOptions,
  PlankaList,
  PlankaListType,
  PlankaProbe,
  PlankaProjectType,
  PlankaProjectView,
  UpdateCardPatch,
} from './types.js';
