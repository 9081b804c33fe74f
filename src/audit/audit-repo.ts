import type { DbOrTx } from '../db/index.js';

export interface AuditRecord {
  /** Who caused it: `owner`, `assistant`, `routine:<name>`, `system`. */
  actor: string;
  /** What happened, e.g. `tool:set_preference`, `approval:approved`, `cloud:deep-think`. */
  action: string;
  /** Where data went when it left the process (a host), or null for local actions. */
  destination?: string | null;
  detail?: Record<string, unknown>;
  bytesOut?: number | null;
  bytesIn?: number | null;
}

export interface AuditRow extends Required<Omit<AuditRecord, 'destination'>> {
  id: number;
  at: Date;
  destination: string | null;
}

export async function writeAudit(db: DbOrTx, record: AuditRecord): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: record.actor,
      action: record.action,
      destination: record.destination ?? null,
      detail: JSON.stringify(record.detail ?? {}),
      bytes_out: record.bytesOut ?? null,
      bytes_in: record.bytesIn ?? null,
    })
    .execute();
}

export async function latestAudit(db: DbOrTx, limit: number): Promise<AuditRow[]> {
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    destination: row.destination,
    detail: row.detail,
    bytesOut: row.bytes_out,
    bytesIn: row.bytes_in,
  }));
}
