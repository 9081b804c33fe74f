export { writeAudit, latestAudit, type AuditRecord, type AuditRow } from './audit-repo.js';
