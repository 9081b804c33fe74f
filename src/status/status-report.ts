import type { ProbeResult } from './service-probe.js';

export interface StatusFacts {
  version: string;
  uptimeMs: number;
  database: 'embedded' | 'postgres';
  migrationsApplied: number;
  migrationsTotal: number;
  inboxPending: number;
  outboxPending: number;
  polling: 'alive' | 'stale' | 'off';
  paused?: boolean;
  services: ProbeResult[];
}

export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${seconds % 60}s`;
  return `${seconds}s`;
}

/** The /status message, as Markdown for the formatting helper. */
export function renderStatus(facts: StatusFacts): string {
  const icon = { ok: '✅', warning: '⚠️', down: '❌', refused: '⚠️', 'not-configured': '⚠️' } as const;
  const lines = [
    `**openzero ${facts.version}** · up ${formatUptime(facts.uptimeMs)}`,
    `Database: ${facts.database === 'embedded' ? 'embedded (PGlite)' : 'PostgreSQL'} · migrations ${facts.migrationsApplied}/${facts.migrationsTotal} applied`,
    `Queues: inbox ${facts.inboxPending} pending · outbox ${facts.outboxPending} pending`,
    `Telegram polling: ${facts.polling}`,
  ];
  if (facts.paused !== undefined) lines.push(`Proactive actions: ${facts.paused ? 'paused (/resume)' : 'running'}`);
  lines.push('', 'Services:');
  // One line per service: how it is, what was found, and the fix when there is one.
  for (const service of facts.services) {
    const found = service.detail || (service.state === 'not-configured' ? 'not configured' : service.state === 'ok' ? 'working' : 'not working');
    const detail = service.state === 'refused' ? `reachable, but refuses: ${found}` : found;
    lines.push(`${icon[service.state]} ${service.name}: ${detail}${service.fix ? `. Fix: ${service.fix}` : ''}`);
  }
  return lines.join('\n');
}
