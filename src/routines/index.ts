export { createRoutinesFeature, type RoutinesFeatureDeps } from './routines-feature.js';
export type { BriefingFacts, BriefingPeriod, BriefingRequest, BriefingSection, JobSchedule, ScheduledJob } from './contracts.js';
