export { createRemindersFeature, type RemindersFeatureDeps } from './reminders-feature.js';
