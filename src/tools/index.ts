export type { RiskTier, Tool, ToolCallContext, ToolOutcome, UndoHandler, UndoSpec } from './tool.js';
export { ToolRegistry, type ArgsCheck, type ToolSpecForModel } from './tool-registry.js';
export { ToolExecutor, type ToolCallReport, type ToolCallStatus, type ToolExecutorDeps } from './tool-executor.js';
