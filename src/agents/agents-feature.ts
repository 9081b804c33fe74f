import type { Feature, FeatureDeps } from '../app/index.js';
import type { ApprovalService } from '../approvals/index.js';
import type { Voice } from '../assistant/index.js';
import type { ContextProvider } from '../context/index.js';
import type { LanguageModel } from '../llm/index.js';
import type { ScheduledJob } from '../routines/index.js';
import { agentCommands } from './agent-commands.js';
import { AgentService } from './agent-service.js';
import { defaultTemplateDirs, type AgentTemplate, type TemplateDirs } from './agent-template.js';
import { CosInbox } from './cos-inbox.js';
import { runHeartbeat } from './heartbeat.js';

export interface AgentsFeatureDeps extends FeatureDeps {
  approvals: ApprovalService;
  /** The background lane of the model queue. */
  background: LanguageModel;
  /** What heartbeats may read (memories). */
  providers: ContextProvider[];
  dirs?: TemplateDirs;
  now?: () => Date;
}

export interface AgentsFeature {
  feature: Feature;
  service: AgentService;
  inbox: CosInbox;
  /** Who speaks the next chat turn: handed to the assistant. */
  voice: () => Promise<Voice>;
}

/** Z as chief of staff with specialist agents: /agents, /agent, /cos, onboarding, heartbeats, the COS inbox. */
export function createAgentsFeature(deps: AgentsFeatureDeps): AgentsFeature {
  const log = deps.log.child({ part: 'agents' });
  const now = deps.now ?? (() => new Date());
  const inbox = new CosInbox(deps.db, deps.messenger, now);
  const service = new AgentService({ db: deps.db, approvals: deps.approvals, dirs: deps.dirs ?? defaultTemplateDirs(), log, now });
  const titles = new Map<string, string>();

  function heartbeatJob(template: AgentTemplate, schedule: string): ScheduledJob {
    return {
      name: `heartbeat-${template.name}`,
      schedule: { cron: schedule },
      pausable: true,
      run: async (slot) => {
        // Read afresh: an edit of heartbeat.md or a new soul version applies to the next beat.
        const current = (await service.template(template.name)) ?? template;
        const outcome = await runHeartbeat(current, await service.soul(current), slot, {
          llm: deps.background,
          inbox,
          providers: deps.providers,
          timeZone: deps.config.timeZone,
        });
        log.info({ agent: template.name, outcome: outcome.kind, ...(outcome.kind === 'filed' ? { urgent: outcome.urgent, filing: outcome.filing.kind } : {}) }, 'heartbeat');
      },
    };
  }

  const feature: Feature = {
    name: 'agents',
    handlers: agentCommands({ agents: service, registry: deps.registry, timeZone: deps.config.timeZone }),
    // Read on every scheduler check: the active agents' heartbeats, as of the last state change.
    get jobs(): ScheduledJob[] {
      return service.active.flatMap((template) => (template.schedule !== undefined ? [heartbeatJob(template, template.schedule)] : []));
    },
    briefingSections: [inbox.briefingSection((agent) => titles.get(agent) ?? agent)],
    statusLines: async () => {
      const active = service.active.map((template) => template.title);
      return active.length > 0 ? [`Agents active: ${active.join(', ')}.`] : [];
    },
    start: async () => {
      for (const view of await service.refresh()) titles.set(view.template.name, view.template.title);
    },
  };
  return { feature, service, inbox, voice: () => service.voice() };
}
