import { z } from 'zod';
import type { ContextProvider } from '../context/index.js';
import type { LanguageModel } from '../llm/index.js';
import { formatNow } from '../tools/builtin/current-time.js';
import type { AgentTemplate } from './agent-template.js';
import type { CosInbox, Filing } from './cos-inbox.js';

/** What the model must answer: nothing to report, or one note for the chief of staff. */
const HeartbeatReport = z.union([
  z.object({ report: z.literal(false) }),
  z.object({ report: z.literal(true), urgent: z.boolean(), title: z.string().trim().min(1).max(120), body: z.string().trim().min(1).max(1500) }),
]);

export type HeartbeatOutcome = { kind: 'silent' } | { kind: 'filed'; urgent: boolean; filing: Filing };

export interface HeartbeatDeps {
  /** The background lane of the model queue: a heartbeat never delays the owner's chat. */
  llm: LanguageModel;
  inbox: CosInbox;
  /** Context for the heartbeat (memories about the agent's domain). */
  providers: ContextProvider[];
  timeZone: string;
}

const CONTEXT_ITEMS = 8;

/**
 * One heartbeat of one specialist: exactly one model call. "Nothing to report" ends there,
 * silently; a report becomes an artifact in the COS inbox. An answer that is not the JSON
 * asked for throws (the run log records the failure; nothing reaches the owner).
 */
export async function runHeartbeat(template: AgentTemplate, soul: string, slot: { now: Date; slot: Date }, deps: HeartbeatDeps): Promise<HeartbeatOutcome> {
  const notes: string[] = [];
  for (const provider of deps.providers) {
    const gathered = await provider.gather(`${template.title}. ${template.heartbeat}`, 'chat');
    notes.push(...gathered.items.slice(0, CONTEXT_ITEMS).map((item) => `- (${item.source}) ${item.text}`));
  }
  const system = [
    soul,
    `## Heartbeat\n\n${template.heartbeat}`,
    `## Now\n\nIt is ${formatNow(slot.now, deps.timeZone)}.`,
    '## Answer format\n\nAnswer with one JSON object and nothing else. Nothing worth the owner\'s attention: {"report": false}. ' +
      'Otherwise: {"report": true, "urgent": true|false, "title": "<one line>", "body": "<two or three sentences>"}. ' +
      'Urgent only when waiting for the next briefing would be too late.',
  ].join('\n\n');
  const result = await deps.llm.chat({
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: notes.length > 0 ? `What I know that may matter:\n${notes.join('\n')}` : 'There are no stored notes on this yet.' },
    ],
  });
  const report = parseReport(result.content);
  if (!report.report) return { kind: 'silent' };
  const filing = await deps.inbox.file({
    scope: `heartbeat:${template.name}@${slot.slot.toISOString()}`,
    agent: template.name,
    agentTitle: template.title,
    urgent: report.urgent,
    title: report.title,
    body: report.body,
  });
  return { kind: 'filed', urgent: report.urgent, filing };
}

function parseReport(content: string): z.infer<typeof HeartbeatReport> {
  const json = /\{[\s\S]*\}/.exec(content)?.[0];
  if (json === undefined) throw new Error('the heartbeat answer was not JSON');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('the heartbeat answer was not valid JSON');
  }
  const parsed = HeartbeatReport.safeParse(value);
  if (!parsed.success) throw new Error(`the heartbeat answer did not have the expected fields (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}
