import { item } from '../spec.js';

/**
 * `registration:` section of the server configuration: the node publishes its
 * inventory (identity, facts, classes, agents, collectives, version, start
 * time) into the registry bucket of each collective at start, whenever facts
 * or classes change, and every `interval` seconds; the bucket forgets a
 * record `ttl` seconds after its last write, so dead nodes disappear.
 */
export const registrationSection = {
  enabled: item<boolean>({
    default: true,
    doc: 'publish this node into the registry (a JetStream key-value bucket per collective) and send lifecycle events',
    schema: { type: 'boolean' },
    expect: 'true or false',
    env: 'COHORT_REGISTRATION',
  }),
  interval: item<number>({
    default: 60,
    doc: 'seconds between heartbeat re-publications of the inventory',
    schema: { type: 'integer', minimum: 1, maximum: 86400 },
    expect: 'a whole number of seconds from 1 to 86400',
  }),
  ttl: item<number>({
    default: 180,
    doc: 'seconds after its last write that a record expires (the bucket max age, set by the first node that creates it); must exceed interval',
    schema: { type: 'integer', minimum: 2, maximum: 604800 },
    expect: 'a whole number of seconds from 2 to 604800',
  }),
} as const;
