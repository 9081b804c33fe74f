import type { ResolvedObject, Tool } from './tool.js';

/** `#12 “Renew passport” (Family / Inbox)`: the object by its id and stored title. */
export function formatObject(object: ResolvedObject): string {
  return `${object.id} “${object.title}”${object.where ? ` (${object.where})` : ''}`;
}

/** One line for approvals and the audit log: the action, and the exact object it acts on. */
export function describeCall(tool: Tool, args: unknown, object: ResolvedObject | undefined): string {
  const action = tool.describe(args, object);
  return object ? `${action}: ${formatObject(object)}` : action;
}
