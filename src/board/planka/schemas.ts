import { z } from 'zod';

// Planka ids are 64-bit integers sent as decimal strings. They must stay strings:
// as JS numbers they lose precision past 2^53 and Planka answers 404 for the rounded id.
export const PlankaId = z.string().regex(/^[0-9]+$/, 'a Planka id is a decimal string');
export type PlankaId = z.infer<typeof PlankaId>;

export const PlankaProject = z.object({
  id: PlankaId,
  name: z.string(),
});
export type PlankaProject = z.infer<typeof PlankaProject>;

export const PlankaBoard = z.object({
  id: PlankaId,
  projectId: PlankaId,
  name: z.string(),
  position: z.number(),
});
export type PlankaBoard = z.infer<typeof PlankaBoard>;

/** Raw list as Planka sends it: archive/trash lists have `position: null` and `name: null`. */
export const PlankaRawList = z.object({
  id: PlankaId,
  boardId: PlankaId,
  type: z.string(),
  position: z.number().nullable(),
  name: z.string().nullable(),
});
export type PlankaRawList = z.infer<typeof PlankaRawList>;

export const PlankaCard = z.object({
  id: PlankaId,
  boardId: PlankaId,
  listId: PlankaId,
  type: z.string(),
  position: z.number().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  dueDate: z.string().nullable(),
  isClosed: z.boolean(),
});
export type PlankaCard = z.infer<typeof PlankaCard>;

export const PlankaLabel = z.object({
  id: PlankaId,
  boardId: PlankaId,
  name: z.string().nullable(),
  color: z.string(),
  position: z.number(),
});
export type PlankaLabel = z.infer<typeof PlankaLabel>;

export const PlankaCardLabel = z.object({
  cardId: PlankaId,
  labelId: PlankaId,
});
export type PlankaCardLabel = z.infer<typeof PlankaCardLabel>;

/**
 * The signed-in user (`GET /api/users/me`). Planka 2's roles (User.Roles): `admin`,
 * `projectOwner` and `boardUser`; some 2.x releases add `personalProjectOwner`. Kept a
 * string so that a role from a newer Planka is reported, not a parse failure.
 */
export const PlankaUser = z.object({
  id: PlankaId,
  role: z.string(),
  username: z.string().nullable().optional(),
});
export type PlankaUser = z.infer<typeof PlankaUser>;

export function itemEnvelope<T extends z.ZodType>(item: T) {
  return z.object({ item });
}

export const ProjectsResponse = z.object({
  items: z.array(PlankaProject),
  included: z.object({ boards: z.array(PlankaBoard) }),
});

export const ProjectResponse = z.object({
  item: PlankaProject,
  included: z.object({ boards: z.array(PlankaBoard) }),
});

export const BoardResponse = z.object({
  item: PlankaBoard,
  included: z.object({
    lists: z.array(PlankaRawList),
    cards: z.array(PlankaCard),
    labels: z.array(PlankaLabel),
    cardLabels: z.array(PlankaCardLabel),
  }),
});

export const ListResponse = z.object({
  item: PlankaRawList,
  included: z.object({ cards: z.array(PlankaCard) }),
});

export const CardResponse = z.object({
  item: PlankaCard,
  included: z.object({ cardLabels: z.array(PlankaCardLabel) }),
});

export const TokenResponse = z.object({ item: z.string().min(1) });

/** The 403 a first login gets until the terms are accepted (`handle-steps.js`). */
export const PendingTermsBody = z.object({
  step: z.literal('accept-terms'),
  pendingToken: z.string().min(1),
  termsType: z.string().optional(),
});

export const TermsResponse = z.object({
  item: z.object({ signature: z.string().min(1) }),
});

/** Planka's error body: `{ code, message, problems? }` (server/api/responses/*.js). */
export const PlankaErrorBody = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  problems: z.array(z.string()).optional(),
});
