import type { ColumnType, Generated } from 'kysely';

export type CapabilityVersionStatus = 'failed' | 'proposed' | 'approved' | 'declined';

/** One version of a capability as proposed: immutable once written, except its status. */
export interface CapabilityVersionsTable {
  id: Generated<number>;
  name: string;
  version: number;
  description: string;
  code: string;
  /** JSON Schema of the input, as JSON text. */
  input_schema: string;
  /** The model's own tests, as JSON text. */
  tests: string;
  /** Hosts, secrets, sql, kv: as JSON text. */
  permissions: string;
  /** sha256 over the code, schema, tests and permissions: what the owner approved. */
  hash: string;
  test_report: string;
  status: CapabilityVersionStatus;
  created_at: Date;
  decided_at: Date | null;
}

/** A capability's current state: which approved version is active, and its failure streak. */
export interface CapabilitiesTable {
  name: string;
  active_version: number | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  failures: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  updated_at: Date;
}

/** A capability's own key-value store; values are JSON text. */
export interface CapabilityKvTable {
  capability: string;
  key: string;
  value: string;
  updated_at: Date;
}
