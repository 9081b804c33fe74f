export { createRemindersFeature, type RemindersFeatureDeps } from './reminders-feature.js';
export { pendingReminders, reminderDeleteButton, type Reminder } from './reminder-service.js';
export { describeRepeat } from './reminder-time.js';
