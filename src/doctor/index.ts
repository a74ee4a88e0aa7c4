export { doctor } from './doctor.js';
export type { DoctorCheck, DoctorOptions, DoctorReport, DoctorSettings, DoctorStatus } from './types.js';
export type { CostSummary, RequestRate } from './cost.js';
