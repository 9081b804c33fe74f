export { runProbes, type ServiceProbe, type ProbeCheck, type ProbeResult } from './service-probe.js';
export { renderStatus, formatUptime, type StatusFacts } from './status-report.js';
