import { clientConfigSpec, UsageError } from '@cohort/core';

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

const ageUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const byteUnits: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `90`, `90s`, `30m`, `24h`, `7d` → seconds (at least 1). Throws UsageError naming `what`. */
export function parseAge(value: unknown, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])?$/i.exec(String(value).trim());
  const seconds = m ? Number(m[1]) * (ageUnits[(m[2] ?? 's').toLowerCase()] ?? 1) : NaN;
  if (!(seconds >= 1)) throw new UsageError(`${what} '${String(value)}' is not an age: give seconds or e.g. 30m, 24h, 7d (at least 1 s)`);
  return Math.round(seconds);
}

/** `1048576`, `512KiB`, `256MiB`, `1GB` → bytes (at least 1 KiB). Throws UsageError naming `what`. */
export function parseBytes(value: unknown, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?$/i.exec(String(value).trim());
  const bytes = m ? Number(m[1]) * (byteUnits[(m[2] ?? 'b').toLowerCase()] ?? 1) : NaN;
  if (!(bytes >= 1024)) throw new UsageError(`${what} '${String(value)}' is not a size: give bytes or e.g. 512KiB, 256MiB, 1GiB (at least 1 KiB)`);
  return Math.floor(bytes);
}

/** A positive whole number of messages. Throws UsageError naming `what`. */
export function parseMessages(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim().replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} '${String(value)}' must be a whole number of messages, at least 1`);
  return n;
}

/** Human text for a retention, e.g. `24h, 256 MiB, 100000 messages`. */
export function describeRetention(r: JobRetention): string {
  const age = r.maxAgeSeconds % 86400 === 0 ? `${r.maxAgeSeconds / 86400}d` : r.maxAgeSeconds % 3600 === 0 ? `${r.maxAgeSeconds / 3600}h` : `${r.maxAgeSeconds}s`;
  const mib = r.maxBytes / 1024 ** 2;
  return `max age ${age}, max ${Number.isInteger(mib) ? `${mib} MiB` : `${r.maxBytes} bytes`}, max ${r.maxMessages} messages`;
}
