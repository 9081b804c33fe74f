export { ApprovalService, type ApprovalHandler, type ApprovalRequest, type ApprovalServiceOptions } from './approval-service.js';
export { countPendingApprovals, type Approval } from './approvals-repo.js';
export type { ApprovalChoice, ApprovalStatus } from '../db/tables/approvals.table.js';
