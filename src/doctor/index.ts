export { runDoctor, type DoctorInput } from './doctor.js';
export { formatResult, type CheckResult } from './check-result.js';
export { createDoctorFeature } from './doctor-command.js';
