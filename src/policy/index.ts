export { PauseSwitch } from './pause-switch.js';
export { decideToolCall, allowPreferenceKey, type ToolDecision } from './tool-policy.js';
export { policyCommands } from './policy-commands.js';
