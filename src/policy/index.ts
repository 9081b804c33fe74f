export { PauseSwitch } from './pause-switch.js';
export { OwnerPolicy } from './owner-policy.js';
export { decideToolCall, type ToolDecision } from './tool-policy.js';
export { policyCommands } from './policy-commands.js';
export { ToolExecutor, type ToolCallReport, type ToolCallStatus, type ToolExecutorDeps } from './tool-executor.js';
