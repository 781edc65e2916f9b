import type { JobRecord } from './record.js';
import type { JobRetention } from './retention.js';

/** A stored message: its subject and bytes. */
export interface StoredMessage {
  /** The stream sequence: increases with every stored message. */
  seq: number;
  subject: string;
  data: Uint8Array;
}

/** Following a job's replies live: stop() ends it. */
export interface JobFollow {
  stop(): Promise<void>;
}

/**
 * The job stream of one collective, seen through Cohort's terms (records,
 * replies, limits). `natsJobStore` is the JetStream implementation; tests may
 * substitute their own.
 */
export interface JobStore {
  /** The stream's name. */
  readonly name: string;
  /** Create the stream with these limits, or update its limits when they differ. Returns the limits now in force. */
  ensure(retention: JobRetention): Promise<JobRetention>;
  /** The limits in force, or undefined when the stream does not exist. */
  retention(): Promise<JobRetention | undefined>;
  /** Store a job's record (acknowledged by the server before it resolves). */
  save(record: JobRecord): Promise<void>;
  /** The stored record of job `id` (the first stored under the caller's prefix), if it is still kept. */
  record(id: string): Promise<StoredMessage | undefined>;
  /** Every stored job record. */
  records(): Promise<StoredMessage[]>;
  /** Every reply stored so far for job `id`. */
  replies(id: string): Promise<StoredMessage[]>;
  /** Replies stored per job id. */
  replyCounts(): Promise<Map<string, number>>;
  /** The replies of job `id` from stream sequence `fromSeq` on (stored ones first), each new one as it arrives, until stop(). */
  follow(id: string, fromSeq: number, onReply: (message: StoredMessage) => void): Promise<JobFollow>;
}
