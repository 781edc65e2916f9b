/** The client side of checks: reading and verifying the nodes' check states and events, judging staleness, rows and exit codes. */
export * from './shape.js';
export * from './verify.js';
export * from './read.js';
export * from './rows.js';
export * from './events.js';
export { isRefused, readSignedBucket, type Refused, type EntryVerifier } from '../signed-bucket.js';
export { registryTargets } from '../discovery/registry-targets.js';
export type { StreamFollow, StreamMessage } from '../bus/stream-follow.js';
