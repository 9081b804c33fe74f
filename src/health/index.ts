export { startHealthServer, type HealthFacts } from './health-server.js';
