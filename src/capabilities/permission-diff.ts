import type { CapabilityPermissions } from './capability-proposal.js';

/** One line per permission: `+` added, `-` removed, two spaces unchanged. */
export function permissionDiff(previous: CapabilityPermissions | undefined, next: CapabilityPermissions): string[] {
  const before = previous ? permissionLines(previous) : [];
  const after = permissionLines(next);
  const lines = [
    ...after.map((line) => `${before.includes(line) ? ' ' : '+'} ${line}`),
    ...before.filter((line) => !after.includes(line)).map((line) => `- ${line}`),
  ];
  return lines.length > 0 ? lines : ['  (none: no network, no SQL, no storage)'];
}

/** Whether `next` asks for anything `previous` did not have. */
export function widens(previous: CapabilityPermissions | undefined, next: CapabilityPermissions): boolean {
  const before = previous ? permissionLines(previous) : [];
  return permissionLines(next).some((line) => !before.includes(line));
}

function permissionLines(p: CapabilityPermissions): string[] {
  return [
    ...p.hosts.map((host) => `fetch ${host}`),
    ...p.secrets.map((s) => `secret ${s.name} → ${s.host} (header ${s.header.toLowerCase()})`),
    ...(p.sql ? ['sql: read its own schema'] : []),
    ...(p.kv ? ['kv: its own key-value store'] : []),
  ];
}
