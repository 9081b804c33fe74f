import type { DbOrTx } from '../db/index.js';
import type { CapabilityVersionStatus } from '../db/tables/capabilities.table.js';
import { CapabilityPermissions, CapabilityTest, type CapabilityProposal } from './capability-proposal.js';

/** One stored version: what was proposed, exactly as hashed. */
export interface CapabilityVersion {
  id: number;
  name: string;
  version: number;
  description: string;
  code: string;
  inputSchema: Record<string, unknown>;
  tests: CapabilityTest[];
  permissions: CapabilityPermissions;
  hash: string;
  testReport: string;
  status: CapabilityVersionStatus;
  createdAt: Date;
}

export interface CapabilityState {
  name: string;
  activeVersion: number | null;
  enabled: boolean;
  failures: number;
  lastError: string | null;
}

type VersionRow = {
  id: number;
  name: string;
  version: number;
  description: string;
  code: string;
  input_schema: string;
  tests: string;
  permissions: string;
  hash: string;
  test_report: string;
  status: CapabilityVersionStatus;
  created_at: Date;
};

function toVersion(row: VersionRow): CapabilityVersion {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    description: row.description,
    code: row.code,
    inputSchema: JSON.parse(row.input_schema) as Record<string, unknown>,
    tests: CapabilityTest.array().parse(JSON.parse(row.tests)),
    permissions: CapabilityPermissions.parse(JSON.parse(row.permissions)),
    hash: row.hash,
    testReport: row.test_report,
    status: row.status,
    createdAt: row.created_at,
  };
}

/** Stores a new version under the next number; versions are never changed after this, except their status. */
export async function insertVersion(
  db: DbOrTx,
  input: { proposal: CapabilityProposal; hash: string; testReport: string; status: CapabilityVersionStatus; at: Date },
): Promise<CapabilityVersion> {
  const { proposal } = input;
  const last = await db.selectFrom('capability_versions').select((eb) => eb.fn.max('version').as('v')).where('name', '=', proposal.name).executeTakeFirst();
  const row = await db
    .insertInto('capability_versions')
    .values({
      name: proposal.name,
      version: Number(last?.v ?? 0) + 1,
      description: proposal.description,
      code: proposal.code,
      input_schema: JSON.stringify(proposal.input_schema),
      tests: JSON.stringify(proposal.tests),
      permissions: JSON.stringify(proposal.permissions),
      hash: input.hash,
      test_report: input.testReport,
      status: input.status,
      created_at: input.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toVersion(row);
}

export async function findVersion(db: DbOrTx, name: string, version: number): Promise<CapabilityVersion | undefined> {
  const row = await db.selectFrom('capability_versions').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst();
  return row ? toVersion(row) : undefined;
}

/** Moves a proposed version to approved or declined; false when it was no longer proposed. */
export async function decideVersion(db: DbOrTx, id: number, status: 'approved' | 'declined', at: Date): Promise<boolean> {
  const result = await db.updateTable('capability_versions').set({ status, decided_at: at }).where('id', '=', id).where('status', '=', 'proposed').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Versions of a name that failed validation since `since`: the model's fix rounds. */
export async function failedSince(db: DbOrTx, name: string, since: Date): Promise<number> {
  const rows = await db.selectFrom('capability_versions').select('id').where('name', '=', name).where('status', '=', 'failed').where('created_at', '>=', since).execute();
  return rows.length;
}

/** Approved versions of a name, newest first. */
export async function approvedVersions(db: DbOrTx, name: string): Promise<CapabilityVersion[]> {
  const rows = await db.selectFrom('capability_versions').selectAll().where('name', '=', name).where('status', '=', 'approved').orderBy('version', 'desc').execute();
  return rows.map(toVersion);
}

export async function findState(db: DbOrTx, name: string): Promise<CapabilityState | undefined> {
  const row = await db.selectFrom('capabilities').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? { name: row.name, activeVersion: row.active_version, enabled: row.enabled, failures: row.failures, lastError: row.last_error } : undefined;
}

export async function listStates(db: DbOrTx): Promise<CapabilityState[]> {
  const rows = await db.selectFrom('capabilities').selectAll().orderBy('name').execute();
  return rows.map((row) => ({ name: row.name, activeVersion: row.active_version, enabled: row.enabled, failures: row.failures, lastError: row.last_error }));
}

/** Makes `version` the active one, enabled, with a clean failure streak. */
export async function activate(db: DbOrTx, name: string, version: number, at: Date): Promise<void> {
  await db
    .insertInto('capabilities')
    .values({ name, active_version: version, enabled: true, failures: 0, last_error: null, updated_at: at })
    .onConflict((oc) => oc.column('name').doUpdateSet({ active_version: version, enabled: true, failures: 0, last_error: null, updated_at: at }))
    .execute();
}

/** Records a failed run; returns the streak after it. */
export async function recordFailure(db: DbOrTx, name: string, error: string, at: Date): Promise<number> {
  const row = await db
    .updateTable('capabilities')
    .set((eb) => ({ failures: eb('failures', '+', 1), last_error: error.slice(0, 500), updated_at: at }))
    .where('name', '=', name)
    .returning('failures')
    .executeTakeFirst();
  return row?.failures ?? 0;
}

export async function recordSuccess(db: DbOrTx, name: string): Promise<void> {
  await db.updateTable('capabilities').set({ failures: 0 }).where('name', '=', name).where('failures', '>', 0).execute();
}

/** Turns a capability off; false when it was already off. */
export async function disable(db: DbOrTx, name: string, at: Date): Promise<boolean> {
  const result = await db.updateTable('capabilities').set({ enabled: false, updated_at: at }).where('name', '=', name).where('enabled', '=', true).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function kvGet(db: DbOrTx, capability: string, key: string): Promise<unknown> {
  const row = await db.selectFrom('capability_kv').select('value').where('capability', '=', capability).where('key', '=', key).executeTakeFirst();
  return row ? (JSON.parse(row.value) as unknown) : null;
}

export async function kvSet(db: DbOrTx, capability: string, key: string, value: string, at: Date): Promise<void> {
  await db
    .insertInto('capability_kv')
    .values({ capability, key, value, updated_at: at })
    .onConflict((oc) => oc.columns(['capability', 'key']).doUpdateSet({ value, updated_at: at }))
    .execute();
}

export async function kvDelete(db: DbOrTx, capability: string, key: string): Promise<boolean> {
  const result = await db.deleteFrom('capability_kv').where('capability', '=', capability).where('key', '=', key).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function kvList(db: DbOrTx, capability: string, prefix: string, limit: number): Promise<{ key: string; value: unknown }[]> {
  const rows = await db
    .selectFrom('capability_kv')
    .select(['key', 'value'])
    .where('capability', '=', capability)
    .where('key', 'like', `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .orderBy('key')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ key: row.key, value: JSON.parse(row.value) as unknown }));
}

export async function kvCount(db: DbOrTx, capability: string): Promise<number> {
  const row = await db.selectFrom('capability_kv').select((eb) => eb.fn.countAll().as('n')).where('capability', '=', capability).executeTakeFirst();
  return Number(row?.n ?? 0);
}
