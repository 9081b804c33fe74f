import { sql, type Selectable } from 'kysely';
import type { DbOrTx } from '../db/index.js';
import type { ProjectStatus, ProjectsTable } from '../db/tables/board.table.js';

export interface Project {
  id: number;
  name: string;
  parentId: number | null;
  status: ProjectStatus;
  priority: number;
  domain: string | null;
  progress: number;
  linkBoard: string | null;
  lastReviewed: Date | null;
}

export type ProjectPatch = Partial<Pick<Project, 'parentId' | 'status' | 'priority' | 'domain' | 'progress' | 'linkBoard' | 'lastReviewed'>>;

export async function listProjects(db: DbOrTx): Promise<Project[]> {
  const rows = await db.selectFrom('projects').selectAll().orderBy('priority').orderBy('name').execute();
  return rows.map(toProject);
}

/** Inserts a project; `undefined` when one with that name (any case) exists. */
export async function insertProject(db: DbOrTx, input: { name: string; parentId: number | null; domain: string | null; linkBoard: string | null; priority: number }): Promise<Project | undefined> {
  const row = await db
    .insertInto('projects')
    .values({ name: input.name, parent_id: input.parentId, domain: input.domain, link_board: input.linkBoard, priority: input.priority, last_reviewed: null })
    .onConflict((oc) => oc.expression(sqlLowerName).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toProject(row) : undefined;
}

export async function updateProject(db: DbOrTx, id: number, patch: ProjectPatch): Promise<void> {
  await db
    .updateTable('projects')
    .set({
      ...(patch.parentId !== undefined ? { parent_id: patch.parentId } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
      ...(patch.domain !== undefined ? { domain: patch.domain } : {}),
      ...(patch.progress !== undefined ? { progress: patch.progress } : {}),
      ...(patch.linkBoard !== undefined ? { link_board: patch.linkBoard } : {}),
      ...(patch.lastReviewed !== undefined ? { last_reviewed: patch.lastReviewed } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

const sqlLowerName = sql`lower(name)`;

function toProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parent_id,
    status: row.status,
    priority: row.priority,
    domain: row.domain,
    progress: row.progress,
    linkBoard: row.link_board,
    lastReviewed: row.last_reviewed,
  };
}
