import { UsageError, type Filter } from '@cohort/core';

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
