export { App, StartupError, type AppOptions } from './app.js';
export type { Feature, FeatureDeps } from './feature.js';
export { readVersion } from './version.js';
export { logDataDirOutcome, preparePrivateDataDir, restrictNewFiles, type DataDirOutcome } from './data-dir.js';
