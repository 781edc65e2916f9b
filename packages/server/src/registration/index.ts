/** The node side of the registry: records, lifecycle events and their publisher. */
export { Registrar, type RegistrarOptions } from './registrar.js';
export { buildRegistration, buildLifecycle, type NodeIdentity, type NodeOffer } from './record.js';
export type { RegistryBucket, BucketOpener } from './bucket.js';
export { openKvBucket } from '../bus/registry-kv.js';
