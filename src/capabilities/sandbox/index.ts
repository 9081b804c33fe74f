export { DEFAULT_LIMITS, runSandboxed, type HostFunction, type SandboxFailure, type SandboxLimits, type SandboxResult, type SandboxRun } from './sandbox.js';
