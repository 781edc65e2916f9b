export { submitJob, type JobDeps, type JobSubmission, type JobSubmitted } from './submit.js';
export { JobReplies } from './replies.js';
export { decodeJob, decodeOwnJob, encodeJob, encodeJobFor, jobDataKind, jobProtocol, type JobDiscovery, type JobRecord } from './record.js';
export { describeRetention, jobRetentionDefaults, parseAge, parseBytes, parseMessages, type JobRetention } from './retention.js';
export type { JobFollow, JobStore, StoredMessage } from './store.js';
// The job subjects (asyncReplySubject, jobStreamName, ...) are in @cohort/core (protocol/subjects.ts).
