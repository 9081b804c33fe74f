import type { Feature, FeatureDeps } from './app/index.js';

/** Every feature on top of the spine, in the order their handlers see updates. */
export function buildFeatures(_deps: FeatureDeps): Feature[] {
  return [];
}
