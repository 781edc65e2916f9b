import { clientConfigSpec } from '@cohort/core';

/**
 * How much the job stream keeps. Every limit is enforced by the NATS server
 * on the stream (oldest messages go first); none can be unlimited.
 */
export interface JobRetention {
  /** Seconds a reply or job record is kept. */
  maxAgeSeconds: number;
  /** Bytes the stream may hold. */
  maxBytes: number;
  /** Messages (replies plus one record per job) the stream may hold. */
  maxMessages: number;
}

/** The defaults, declared in the client config spec (`jobs:`): a day, 256 MiB, 100,000 messages. */
export const jobRetentionDefaults: Readonly<JobRetention> = Object.freeze({
  maxAgeSeconds: Number(clientConfigSpec.jobs.max_age.default),
  maxBytes: Number(clientConfigSpec.jobs.max_bytes.default),
  maxMessages: Number(clientConfigSpec.jobs.max_messages.default),
});

// The parsers live beside the client spec in core, which checks `jobs:` with them.
export { parseAge, parseBytes, parseMessages } from '@cohort/core';

/** Human text for a retention, e.g. `24h, 256 MiB, 100000 messages`. */
export function describeRetention(r: JobRetention): string {
  const age = r.maxAgeSeconds % 86400 === 0 ? `${r.maxAgeSeconds / 86400}d` : r.maxAgeSeconds % 3600 === 0 ? `${r.maxAgeSeconds / 3600}h` : `${r.maxAgeSeconds}s`;
  const mib = r.maxBytes / 1024 ** 2;
  return `max age ${age}, max ${Number.isInteger(mib) ? `${mib} MiB` : `${r.maxBytes} bytes`}, max ${r.maxMessages} messages`;
}
