import { sql, type Transaction } from 'kysely';
import type { Database, DatabaseKind, Db } from '../db/index.js';
import { checkStatement, embeddedRefusal } from './statement-check.js';

export interface QueryLimits {
  /** Rows returned at most; one more is read to know the answer was cut. */
  maxRows: number;
  /** PostgreSQL only: `statement_timeout` for the statement. */
  timeoutMs: number;
  /** The planner's total cost estimate above which a statement is refused before it runs. */
  maxCost: number;
}

export interface GuardedQuery {
  text: string;
  params?: readonly unknown[];
  /** The role the statement runs as (`set local role`); it decides what may be read. */
  role: string;
  /** `set local search_path`: `public` for the owner's tables, or a capability's own schema. */
  searchPath: string;
}

export type ReadResult = { ok: true; rows: Record<string, unknown>[]; truncated: boolean } | { ok: false; error: string };
export type WriteResult = { ok: true; affected: number } | { ok: false; error: string };

/** Thrown inside a transaction to roll it back on purpose, carrying what it read. */
class Rollback extends Error {
  constructor(readonly rows: Record<string, unknown>[] = []) {
    super('rollback');
  }
}

/**
 * Runs one statement with every guard on: the statement check, the embedded database's
 * refusals, a planner cost cap (PGlite ignores `statement_timeout`, so the estimate is
 * its guard; PostgreSQL gets the timeout too), a restricted role, and a transaction that
 * is read-only for reads and rolled back for a dry run. Errors come back as values.
 */
export class GuardedSql {
  constructor(
    private readonly db: Db,
    private readonly kind: DatabaseKind,
    private readonly limits: QueryLimits,
  ) {}

  #unavailable: string | undefined = 'the SQL roles are not set up yet';

  /** Called once the roles are in place (ensureSqlRoles), or with why they are not. */
  setAvailability(unavailable: string | undefined): void {
    this.#unavailable = unavailable;
  }

  get unavailable(): string | undefined {
    return this.#unavailable;
  }

  async read(query: GuardedQuery): Promise<ReadResult> {
    if (this.#unavailable) return { ok: false, error: `SQL is unavailable: ${this.#unavailable}` };
    const checked = this.#check(query.text);
    if (!checked.ok) return checked;
    if (checked.kind !== 'read') return { ok: false, error: 'this is a write; it needs the owner\'s approval' };
    try {
      await this.db.transaction().execute(async (trx) => {
        await sql`set transaction read only`.execute(trx);
        await this.#enter(trx, query);
        const cost = await planCost(trx, checked.text, query.params);
        if (cost > this.limits.maxCost) throw new Error(`the query is too expensive to run here (estimated cost ${Math.round(cost)}, limit ${this.limits.maxCost}); narrow it down`);
        const wrapped = `select * from (\n${checked.text}\n) as limited limit ${this.limits.maxRows + 1}`;
        const result = await sql.raw<Record<string, unknown>>(bind(wrapped, query.params)).execute(trx);
        // Always rolled back: whatever the statement changed in the session goes with it.
        throw new Rollback(result.rows);
      });
      return { ok: false, error: 'the query did not finish' };
    } catch (err) {
      if (!(err instanceof Rollback)) return { ok: false, error: describeDbError(err) };
      const rows = err.rows;
      return { ok: true, rows: rows.slice(0, this.limits.maxRows), truncated: rows.length > this.limits.maxRows };
    }
  }

  /** Runs a write and rolls it back: how many rows it would change, now. */
  async dryRun(query: GuardedQuery): Promise<WriteResult> {
    return this.#write(query, false);
  }

  /** Runs a write for real, but only if it changes exactly `expected` rows (what the owner saw). */
  async write(query: GuardedQuery, expected: number): Promise<WriteResult> {
    return this.#write(query, true, expected);
  }

  async #write(query: GuardedQuery, commit: boolean, expected?: number): Promise<WriteResult> {
    if (this.#unavailable) return { ok: false, error: `SQL is unavailable: ${this.#unavailable}` };
    const checked = this.#check(query.text);
    if (!checked.ok) return checked;
    if (checked.kind !== 'write') return { ok: false, error: 'this is not an INSERT, UPDATE or DELETE' };
    let affected = 0;
    try {
      await this.db.transaction().execute(async (trx) => {
        await this.#enter(trx, query);
        const cost = await planCost(trx, checked.text, query.params);
        if (cost > this.limits.maxCost) throw new Error(`the statement is too expensive to run here (estimated cost ${Math.round(cost)}, limit ${this.limits.maxCost})`);
        const result = await sql.raw(bind(checked.text, query.params)).execute(trx);
        affected = Number(result.numAffectedRows ?? 0n);
        if (!commit) throw new Rollback();
        if (expected !== undefined && affected !== expected) throw new Error(`it would now change ${affected} rows instead of the ${expected} you approved; nothing was changed, ask again`);
      });
    } catch (err) {
      if (!(err instanceof Rollback)) return { ok: false, error: describeDbError(err) };
    }
    return { ok: true, affected };
  }

  #check(text: string): { ok: true; kind: 'read' | 'write'; text: string } | { ok: false; error: string } {
    const checked = checkStatement(text);
    if (!checked.ok) return checked;
    const refusal = this.kind === 'embedded' ? embeddedRefusal(checked.text) : undefined;
    return refusal ? { ok: false, error: refusal } : checked;
  }

  async #enter(trx: Trx, query: GuardedQuery): Promise<void> {
    if (this.kind === 'postgres') await sql.raw(`set local statement_timeout = ${Math.max(1, Math.round(this.limits.timeoutMs))}`).execute(trx);
    await sql.raw(`set local role ${quoteIdent(query.role)}`).execute(trx);
    await sql.raw(`set local search_path = ${quoteIdent(query.searchPath)}`).execute(trx);
  }
}

type Trx = Transaction<Database>;

async function planCost(trx: Trx, text: string, params: readonly unknown[] | undefined): Promise<number> {
  const plan = await sql.raw<{ 'QUERY PLAN': unknown }>(bind(`explain (format json) ${text}`, params)).execute(trx);
  const raw = plan.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Total Cost'?: number } }[];
  return parsed[0]?.Plan?.['Total Cost'] ?? Number.POSITIVE_INFINITY;
}

/**
 * Inlines `$1`, `$2`… as quoted literals. Parameters cannot travel separately here: the
 * EXPLAIN and the wrapper reuse the text, and node-pg sends a statement without
 * parameters over the simple protocol. Values are JSON scalars, quoted as literals.
 */
function bind(text: string, params: readonly unknown[] | undefined): string {
  if (!params || params.length === 0) return text;
  return text.replace(/\$(\d+)\b/g, (whole, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) throw new Error(`the statement uses $${n} but only ${params.length} parameters were given`);
    return literal(params[index]);
  });
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('parameters must be finite numbers');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  return `'${JSON.stringify(value).replace(/'/g, "''")}'`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function describeDbError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/statement timeout|canceling statement/i.test(message)) return 'the query took too long and was stopped';
  if (/read-only transaction/i.test(message)) return 'this statement writes; writes need the owner\'s approval';
  return message.replace(/\s+/g, ' ').slice(0, 300);
}
