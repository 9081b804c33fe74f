export { createAgentsFeature, type AgentsFeature, type AgentsFeatureDeps } from './agents-feature.js';
export { AgentService, FOREGROUND_SETTING, soulDraft, type AgentView, type Reply } from './agent-service.js';
export { defaultTemplateDirs, loadTemplate, loadTemplates, type AgentTemplate, type TemplateDirs } from './agent-template.js';
export { CosInbox, type Artifact, type Filing } from './cos-inbox.js';
export { runHeartbeat, type HeartbeatOutcome } from './heartbeat.js';
export { lineDiff } from './line-diff.js';
