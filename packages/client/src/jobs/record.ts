import { isSignedData, openData, sealDataBytes, TrustStore, UsageError, verifyData, type Filter, type Signer } from '@cohort/core';

/** How the job's nodes were found. */
export type JobDiscovery = 'registry' | 'broadcast' | 'nodes';

/**
 * The record of one async job (`cohort:job:1`), stored in the job stream
 * before any request is sent, so the job is known even if the client dies
 * right after.
 */
export interface JobRecord {
  protocol: 'cohort:job:1';
  /** The request id: every node got the same one. */
  id: string;
  collective: string;
  callerid: string;
  /** The client machine that sent it. */
  sender: string;
  agent: string;
  action: string;
  data: Record<string, unknown>;
  filter: Filter;
  /** The nodes the request was sent to: replies are expected from each. */
  nodes: string[];
  discovery: JobDiscovery;
  /** When it was sent, unix ms. */
  time: number;
  /** Request TTL, seconds. */
  ttl: number;
  /** Seconds the nodes may take (the DDL timeout + margin): the default wait of `cohort job watch`. */
  timeout: number;
  /** Set on a job sent by `cohort rpc --retry`: the id of the job it repeats. */
  retry_of?: string;
}

export const jobProtocol = 'cohort:job:1';

export function encodeJob(record: JobRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(record));
}

const strings = ['id', 'collective', 'callerid', 'sender', 'agent', 'action', 'discovery'] as const;
const numbers = ['time', 'ttl', 'timeout'] as const;

/** Parse a stored job record; throws UsageError saying what is wrong (a foreign or corrupt message). */
export function decodeJob(bytes: Uint8Array, where: string): JobRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new UsageError(`${where} is not a job record (not JSON)`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`${where} is not a job record (not an object)`);
  const o = doc as Record<string, unknown>;
  if (o['protocol'] !== jobProtocol) throw new UsageError(`${where} is not a job record (protocol '${String(o['protocol'])}', expected ${jobProtocol})`);
  for (const k of strings) if (typeof o[k] !== 'string') throw new UsageError(`${where}: job field '${k}' must be a string`);
  for (const k of numbers) if (typeof o[k] !== 'number') throw new UsageError(`${where}: job field '${k}' must be a number`);
  if (!Array.isArray(o['nodes']) || !o['nodes'].every((n) => typeof n === 'string')) throw new UsageError(`${where}: job field 'nodes' must be a list of identities`);
  if (o['retry_of'] !== undefined && (typeof o['retry_of'] !== 'string' || !/^[0-9a-f]{32}$/.test(o['retry_of']))) {
    throw new UsageError(`${where}: job field 'retry_of' must be a job id`);
  }
  if (typeof o['data'] !== 'object' || o['data'] === null || typeof o['filter'] !== 'object' || o['filter'] === null) {
    throw new UsageError(`${where}: job fields 'data' and 'filter' must be objects`);
  }
  return o as unknown as JobRecord;
}

/** The signed-data kind of a job record written by a caller with a key. */
export const jobDataKind = 'job';

/**
 * A job record as stored: signed with the caller's own key when there is
 * one (only the caller reads it back, so no certificate is attached).
 */
export function encodeJobFor(record: JobRecord, signer: Signer | undefined): Uint8Array {
  if (!signer) return encodeJob(record);
  const bare: Signer = { subject: signer.subject, publicKey: signer.publicKey, certificate: undefined, sign: (text) => signer.sign(text) };
  return sealDataBytes(jobDataKind, record, bare, record.time);
}

/**
 * Parse a stored job record as its caller reads it back. With `signer` (the
 * caller's key) the record must be signed by that very key: anyone allowed
 * to publish into the job stream could have written an unsigned one.
 * Throws UsageError saying what is wrong.
 */
export function decodeOwnJob(bytes: Uint8Array, where: string, signer: Signer | undefined): JobRecord {
  if (!isSignedData(bytes)) {
    if (signer) throw new UsageError(`${where} is not signed, but your jobs are signed with your key ${signer.publicKey.slice(0, 16)}; not used (written by someone else?)`);
    return decodeJob(bytes, where);
  }
  let opened;
  try {
    opened = openData(bytes, 1024 * 1024);
  } catch (err) {
    throw new UsageError(`${where}: ${(err as Error).message}`);
  }
  if (signer) {
    const own = new TrustStore('caller', new Map([[signer.publicKey, signer.subject]]), new Set());
    const verified = verifyData(opened, own, { kind: jobDataKind, subject: signer.subject, now: Date.now() });
    if (typeof verified === 'string') throw new UsageError(`${where} is not signed by your key (${verified}); not used`);
  }
  return decodeJob(new TextEncoder().encode(JSON.stringify(opened.body.value)), where);
}
