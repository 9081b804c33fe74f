import { z } from 'zod';
import type { ApprovalService } from '../approvals/index.js';
import { writeAudit } from '../audit/index.js';
import type { Db } from '../db/index.js';
import type { Tool, ToolRegistry } from '../tools/index.js';
import type { GuardedSql } from './guarded-query.js';
import { checkStatement } from './statement-check.js';
import { READABLE_TABLES, SQL_READER_ROLE, SQL_WRITER_ROLE, WRITABLE_TABLES } from './sql-roles.js';

export interface SqlToolsDeps {
  db: Db;
  guardedSql: GuardedSql;
  approvals: ApprovalService;
}

const Param = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
const ExecuteSqlArgs = z
  .object({
    statement: z.string().min(1).max(10_000).describe('One SQL statement. Use $1, $2… for values from the owner.'),
    params: z.array(Param).max(20).default([]).describe('Values for $1, $2…'),
  })
  .strict();
type ExecuteSqlArgs = z.infer<typeof ExecuteSqlArgs>;

const WritePayload = z.object({ statement: z.string(), params: z.array(Param), affected: z.number().int() });
const RESULT_CHARS = 6_000;

/**
 * `execute_sql` (L1): one read-only statement over the owner's own records, as a role that
 * can read only those tables, with a row cap and a cost cap. An INSERT/UPDATE/DELETE is
 * not run: it is tried and rolled back to count the rows it would change, and the owner
 * gets an approval showing the statement and that count; on approval it runs only if it
 * still changes exactly that many rows.
 */
export function registerSqlTools(registry: ToolRegistry, deps: SqlToolsDeps): void {
  const { guardedSql, approvals, db } = deps;
  const executeSql: Tool<ExecuteSqlArgs> = {
    name: 'execute_sql',
    description: `Run one SQL statement on the owner's own database (PostgreSQL dialect). Readable tables: ${READABLE_TABLES.join(', ')}. Reads return at most a few hundred rows; expensive queries are refused, so filter and aggregate. INSERT/UPDATE/DELETE (only on ${WRITABLE_TABLES.join(', ')}) are never run directly: the owner is asked to approve them with a preview of the rows they change.`,
    tier: 'L1',
    args: ExecuteSqlArgs,
    describe: (args) => `Run SQL: ${args.statement.slice(0, 200)}`,
    run: async (args, ctx) => {
      const unavailable = guardedSql.unavailable;
      if (unavailable) return { content: `execute_sql is unavailable: ${unavailable}` };
      const checked = checkStatement(args.statement);
      if (!checked.ok) return { content: `Not run: ${checked.error}.` };
      if (checked.kind === 'read') {
        const result = await guardedSql.read({ text: checked.text, params: args.params, role: SQL_READER_ROLE, searchPath: 'public' });
        if (!result.ok) return { content: `Not run: ${result.error}.` };
        return { content: formatRows(result.rows, result.truncated), summary: `Read ${result.rows.length} rows with SQL.` };
      }
      const dry = await guardedSql.dryRun({ text: checked.text, params: args.params, role: SQL_WRITER_ROLE, searchPath: 'public' });
      if (!dry.ok) return { content: `Not run: ${dry.error}.` };
      const approval = await approvals.request({
        kind: 'sql_write',
        payload: { statement: checked.text, params: args.params, affected: dry.affected },
        summary: `Run this database change?\n\n${checked.text}${args.params.length > 0 ? `\nwith ${JSON.stringify(args.params)}` : ''}\n\nIt changes ${dry.affected} row${dry.affected === 1 ? '' : 's'} now (tried and rolled back).`,
        choices: [
          { id: 'y', label: 'Run it', approves: true },
          { id: 'n', label: 'Decline', approves: false },
        ],
        chatId: ctx.chatId,
      });
      if (approval.status !== 'pending') return { content: `This change was already answered (${approval.status}); it was not asked again.` };
      return { content: `Waiting for the owner's approval of this change (${dry.affected} rows). It has NOT happened yet; do not say it has.` };
    },
  };
  registry.register(executeSql);

  approvals.on('sql_write', async (approval, choice) => {
    if (!choice.approves) return 'Declined. Nothing was changed.';
    const payload = WritePayload.safeParse(approval.payload);
    if (!payload.success) return 'Not done: this request is damaged.';
    const { statement, params, affected } = payload.data;
    const result = await guardedSql.write({ text: statement, params, role: SQL_WRITER_ROLE, searchPath: 'public' }, affected);
    if (!result.ok) return `Not done: ${result.error}`;
    await writeAudit(db, { actor: 'owner-approved', action: 'sql:write', detail: { approvalId: approval.id, affected: result.affected } });
    return `Done: ${result.affected} row${result.affected === 1 ? '' : 's'} changed.`;
  });
}

function formatRows(rows: Record<string, unknown>[], truncated: boolean): string {
  if (rows.length === 0) return 'No rows.';
  const lines = rows.map((row) => JSON.stringify(row));
  let text = '';
  let shown = 0;
  for (const line of lines) {
    if (text.length + line.length > RESULT_CHARS) break;
    text += `${line}\n`;
    shown += 1;
  }
  const more = truncated || shown < rows.length ? `(${shown} rows shown; there are more: narrow the query or aggregate)` : `(${shown} rows)`;
  return `${text}${more}`;
}
