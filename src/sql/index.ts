export { GuardedSql, quoteIdent, type GuardedQuery, type QueryLimits, type ReadResult, type WriteResult } from './guarded-query.js';
export { checkStatement, embeddedRefusal, type StatementCheck } from './statement-check.js';
export { capabilitySqlNames, ensureCapabilitySchema, ensureSqlRoles, READABLE_TABLES, SQL_READER_ROLE, SQL_WRITER_ROLE, WRITABLE_TABLES } from './sql-roles.js';
export { registerSqlTools, type SqlToolsDeps } from './sql-tools.js';
