import type { NodeRecord } from './state.js';

/**
 * Where node states live: a key-value store with revisions, so a write can
 * say "only if nobody wrote since I read" (compare-and-set). state-kv.ts is
 * the NATS JetStream implementation; tests use an in-memory one.
 */

/** A record and the revision it was read at. */
export interface StateEntry {
  readonly record: NodeRecord;
  readonly revision: number;
}

export interface StateStore {
  /** Human name for messages (`bucket cohort_provisioner`). */
  readonly name: string;
  get(identity: string): Promise<StateEntry | undefined>;
  /** Store a record for a node that has none; undefined when one appeared meanwhile. */
  create(record: NodeRecord): Promise<number | undefined>;
  /** Replace the record last read at `revision`; undefined when someone else wrote since. */
  update(record: NodeRecord, revision: number): Promise<number | undefined>;
  /** Every node's record (undecodable ones are skipped). */
  list(): Promise<StateEntry[]>;
  /** Forget a node. */
  remove(identity: string): Promise<void>;
  /** Follow changes until stopped (absent: scans only). */
  watch?(onChange: (entry: StateEntry) => void): Promise<{ stop(): void }>;
  close(): Promise<void>;
}

/** Serialise a record. */
export function encodeRecord(record: NodeRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(record));
}

/** Parse a stored record; undefined when it is not one (another tool's key, a newer format). */
export function decodeRecord(bytes: Uint8Array): NodeRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Partial<NodeRecord>;
  if (r.v !== 1 || typeof r.identity !== 'string' || typeof r.phase !== 'string' || !Array.isArray(r.completed)) return undefined;
  return value as NodeRecord;
}
