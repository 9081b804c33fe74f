export { createCapabilitiesFeature, SQL_LIMITS, type CapabilitiesFeatureDeps, type CapabilitiesFeatureOptions } from './capabilities-feature.js';
export { CapabilityService, CAPABILITY_TOOL_PREFIX, FAILURE_LIMIT, FIX_ROUNDS, type CapabilityServiceDeps } from './capability-service.js';
export { CapabilityProposal, CapabilityPermissions, proposalHash } from './capability-proposal.js';
export { permissionDiff } from './permission-diff.js';
export { registerCapabilityTools } from './capability-tools.js';
export { runSandboxed, DEFAULT_LIMITS, type HostFunction, type SandboxLimits, type SandboxResult } from './sandbox/index.js';
