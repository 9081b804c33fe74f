export { createGoogleFeature, type GoogleFeatureDeps, type GoogleFeatureOptions } from './google-feature.js';
export { connectSteps } from './connect-steps.js';
export { googleConfigured, inspectGoogleTokens, type GoogleTokenHealth } from './token-health.js';
