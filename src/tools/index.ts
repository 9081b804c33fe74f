export type { Resolution, ResolvedObject, RiskTier, Tool, ToolCallContext, ToolOutcome, UndoHandler, UndoSpec } from './tool.js';
export { ToolRegistry, type ArgsCheck, type ToolSpecForModel } from './tool-registry.js';
export { describeCall, formatObject } from './describe-call.js';
