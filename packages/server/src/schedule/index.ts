/** The node-side scheduler shared by the mine (and, next, checks). */
export { Scheduler, type ScheduledJob, type SchedulerOptions, type SchedulerCounters } from './scheduler.js';
