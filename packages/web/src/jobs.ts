import { randomBytes } from 'node:crypto';
import { errorMessage, webJobsSpec, type DdlAction, type KvBucketSpec } from '@cohort/core';
import { summarize, type AggregateSummary, type Bus, type Client } from '@cohort/client';
type KvStore = Exclude<Awaited<ReturnType<NonNullable<Bus['kvStore']>>>, { missing: string }>;

/**
 * Jobs the console ran: each one an RPC call signed by the user who asked
 * for it, its replies kept in memory while it runs (streamed to whoever
 * follows it) and stored, once done, in a JetStream key-value bucket
 * (`cohort_web_jobs`, bounded to the newest `keep` jobs), so the history
 * survives a restart: who, what, where, when, outcome, every reply.
 */

export interface JobRecord {
  id: string;
  user: string;
  /** The caller id the requests were signed as (user=alice), or unsigned. */
  callerid: string;
  agent: string;
  action: string;
  inputs: Record<string, unknown>;
  filter: string;
  nodes?: string[];
  batch?: number | string;
  limit?: number | string;
  /** The job this one retried. */
  retryOf?: string;
  /** The console stopped while the job ran: replies after that were not kept. */
  interrupted?: boolean;
  started: number;
  finished?: number;
  discovered: number;
  ok: number;
  failed: number;
  noreply: number;
}

export interface JobReply {
  identity: string;
  statuscode: number;
  statusmsg: string;
  data: unknown;
  ms: number;
}

export interface JobSummary {
  function: string;
  output: string;
  display_as: string;
  format: string | null;
  kind: 'counts' | 'value';
  counts?: Array<[string, number]>;
  value?: number;
  text: string[];
}

export interface JobDetail {
  job: JobRecord;
  replies: JobReply[];
  noreply: string[];
  summary: JobSummary[];
  /** The targets in the order addressed (retry uses them). */
  targets: string[];
}

type Listener = { reply(r: JobReply): void; done(d: JobDetail): void };

interface LiveJob {
  detail: JobDetail;
  listeners: Set<Listener>;
}

/** The largest stored job value; bigger reply data is cut (the summary is kept). */
const maxStoredBytes = 900 * 1024;

/** A job found unfinished in the bucket (the console stopped while it ran): finished as interrupted, every node without a stored reply counted as not replying, so it can be retried. */
export function interrupted(d: JobDetail): JobDetail {
  const replied = new Set(d.replies.map((r) => r.identity));
  const noreply = d.targets.filter((t) => !replied.has(t));
  return { ...d, noreply, job: { ...d.job, finished: d.job.started, interrupted: true, noreply: noreply.length } };
}

export function newJobId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(5).toString('hex')}`;
}

/** The DDL's format string of an aggregate's output (the first object argument's `format`), or null. */
function formatOf(action: DdlAction, output: string): string | null {
  for (const a of action.aggregate ?? []) {
    if (a.args[0] !== output) continue;
    for (const x of a.args) if (typeof x === 'object' && x !== null && typeof x.format === 'string') return x.format;
  }
  return null;
}

export function jobSummaries(action: DdlAction, replies: readonly JobReply[]): JobSummary[] {
  let s: AggregateSummary[];
  try {
    s = summarize(action, replies.map((r) => ({ statuscode: r.statuscode, data: (typeof r.data === 'object' && r.data !== null ? r.data : {}) as Record<string, unknown> })));
  } catch {
    return [];
  }
  return s.map((x) => ({ ...x, format: formatOf(action, x.output) }));
}

/** Fit a job's replies into one stored value: cut the biggest data first. */
export function storable(detail: JobDetail): JobDetail {
  let text = JSON.stringify(detail);
  if (text.length <= maxStoredBytes) return detail;
  const replies = detail.replies.map((r) => ({ ...r }));
  const bySize = replies.map((r, i) => ({ i, n: JSON.stringify(r.data ?? null).length })).sort((a, b) => b.n - a.n);
  for (const { i } of bySize) {
    replies[i]!.data = { truncated: 'reply data too large for the job history' };
    text = JSON.stringify({ ...detail, replies });
    if (text.length <= maxStoredBytes) break;
  }
  return { ...detail, replies };
}

export interface JobStoreOptions {
  bus: Bus;
  bucket: string;
  keep: number;
  log: { warn(m: string): void; info(m: string): void };
}

/** The job history: live jobs in memory, finished ones in the bucket (and an index of them in memory). */
export class Jobs {
  readonly #o: JobStoreOptions;
  #kv: KvStore | undefined;
  readonly #live = new Map<string, LiveJob>();
  /** Finished jobs' records, newest last. */
  readonly #index = new Map<string, JobRecord>();
  #problem: string | undefined;

  constructor(options: JobStoreOptions) {
    this.#o = options;
  }

  /** Open (create) the bucket and read the index. A bus without JetStream keeps history in memory only (logged). */
  async open(): Promise<void> {
    const { bus, bucket } = this.#o;
    if (!bus.kvStore) {
      this.#problem = 'this NATS connection has no JetStream: job history is kept in memory only';
      this.#o.log.warn(this.#problem);
      return;
    }
    try {
      const kv = await bus.kvStore(bucket, { create: kvStoreCreate(webJobsSpec(bucket)) });
      if ('missing' in kv) throw new Error(kv.missing);
      this.#kv = kv;
      const keys = (await kv.keys('job.>')).sort();
      for (const key of keys) {
        const r = await kv.get(key);
        if (!r || r.operation !== 'PUT') continue;
        try {
          const d = JSON.parse(new TextDecoder().decode(r.value)) as JobDetail;
          if (d.job.finished === undefined) {
            // Started before a stop of the console and never finished here: what came back was not kept.
            const stopped = interrupted(d);
            await kv.put(key, new TextEncoder().encode(JSON.stringify(stopped)));
            this.#index.set(d.job.id, stopped.job);
          } else this.#index.set(d.job.id, d.job);
        } catch {
          this.#o.log.warn(`job history: ${key} in ${bucket} is not a job record; ignored`);
        }
      }
      this.#o.log.info(`job history: ${this.#index.size} job(s) in ${bucket}`);
    } catch (err) {
      this.#problem = `job history bucket ${bucket} cannot be used (${errorMessage(err)}): history is kept in memory only`;
      this.#o.log.warn(this.#problem);
    }
  }

  /** Start `record` as a call of `client` to `targets`; replies are recorded as they come. */
  start(client: Client, action: DdlAction, record: JobRecord, targets: string[], data: Record<string, unknown>): JobDetail {
    const detail: JobDetail = { job: record, replies: [], noreply: [], summary: [], targets };
    const live: LiveJob = { detail, listeners: new Set() };
    this.#live.set(record.id, live);
    // Signing and sending to many nodes takes a while: answer the request that started the job first.
    // The record is stored at once too, so a job cut short by a stop of the console stays in the history.
    setImmediate(() => {
      void this.#run(client, action, live, data);
      void this.#put(detail);
    });
    return detail;
  }

  async #run(client: Client, action: DdlAction, live: LiveJob, data: Record<string, unknown>): Promise<void> {
    const { detail } = live;
    const job = detail.job;
    try {
      const call = client.rpc({
        agent: job.agent,
        action: job.action,
        data,
        nodes: detail.targets,
        ...(job.batch !== undefined ? { batch: job.batch } : {}),
      });
      for await (const reply of call) {
        if (reply.unexpected) continue;
        const r: JobReply = { identity: reply.sender, statuscode: reply.statuscode, statusmsg: reply.statusmsg, data: reply.data, ms: reply.elapsed_ms };
        detail.replies.push(r);
        if (r.statuscode === 0) job.ok++;
        else job.failed++;
        for (const l of live.listeners) l.reply(r);
      }
      const stats = await call.stats();
      detail.noreply = stats.no_response;
    } catch (err) {
      this.#o.log.warn(`job ${job.id} (${job.agent}.${job.action}) failed: ${errorMessage(err)}`);
      const replied = new Set(detail.replies.map((r) => r.identity));
      detail.noreply = detail.targets.filter((t) => !replied.has(t));
    }
    job.noreply = detail.noreply.length;
    job.finished = Date.now();
    detail.summary = jobSummaries(action, detail.replies);
    this.#index.set(job.id, job);
    for (const l of live.listeners) l.done(detail);
    live.listeners.clear();
    await this.#store(detail);
    // Kept live a little while for late followers; the bucket has it from now on.
    setTimeout(() => this.#live.delete(job.id), 60_000).unref();
  }

  /** Store the record as it is now (the start of a job); failures are logged. */
  async #put(detail: JobDetail): Promise<void> {
    if (!this.#kv) return;
    try {
      await this.#kv.put(`job.${detail.job.id}`, new TextEncoder().encode(JSON.stringify(storable({ ...detail, job: { ...detail.job } }))));
    } catch (err) {
      this.#o.log.warn(`job ${detail.job.id} could not be stored in ${this.#o.bucket}: ${errorMessage(err)}`);
    }
  }

  async #store(detail: JobDetail): Promise<void> {
    if (!this.#kv) return this.#trimMemory();
    try {
      await this.#kv.put(`job.${detail.job.id}`, new TextEncoder().encode(JSON.stringify(storable(detail))));
      const ids = [...this.#index.keys()].sort();
      for (const old of ids.slice(0, Math.max(0, ids.length - this.#o.keep))) {
        await this.#kv.delete(`job.${old}`, true);
        this.#index.delete(old);
      }
    } catch (err) {
      this.#o.log.warn(`job ${detail.job.id} could not be stored in ${this.#o.bucket}: ${errorMessage(err)}`);
    }
  }

  /** Without a bucket, finished jobs stay in memory (bounded the same way). */
  readonly #memory = new Map<string, JobDetail>();
  #trimMemory(): void {
    for (const [id, l] of this.#live) if (l.detail.job.finished !== undefined) this.#memory.set(id, l.detail);
    const ids = [...this.#index.keys()].sort();
    for (const old of ids.slice(0, Math.max(0, ids.length - this.#o.keep))) {
      this.#index.delete(old);
      this.#memory.delete(old);
    }
  }

  /** The newest `limit` jobs, running ones included, newest first. */
  list(limit: number): JobRecord[] {
    const all = new Map(this.#index);
    for (const [id, l] of this.#live) all.set(id, l.detail.job);
    return [...all.values()].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, limit);
  }

  async get(id: string): Promise<JobDetail | undefined> {
    const live = this.#live.get(id);
    if (live) return live.detail;
    const mem = this.#memory.get(id);
    if (mem) return mem;
    if (!this.#kv || !/^[0-9a-z]+-[0-9a-f]+$/.test(id)) return undefined;
    const r = await this.#kv.get(`job.${id}`);
    if (!r || r.operation !== 'PUT') return undefined;
    return JSON.parse(new TextDecoder().decode(r.value)) as JobDetail;
  }

  /**
   * Follow a job: the replies so far, then each new one, then done. Returns
   * a function that stops following. A finished job gives its replies and done at once.
   */
  async follow(id: string, listener: Listener): Promise<(() => void) | undefined> {
    const live = this.#live.get(id);
    if (live && live.detail.job.finished === undefined) {
      for (const r of live.detail.replies) listener.reply(r);
      live.listeners.add(listener);
      return () => live.listeners.delete(listener);
    }
    const detail = await this.get(id);
    if (!detail) return undefined;
    for (const r of detail.replies) listener.reply(r);
    listener.done(detail);
    return () => undefined;
  }

  /**
   * Logouts, kept in the same bucket (`logout.<session id>`, the time the
   * session would have expired) so a restart does not bring a logged-out
   * cookie back to life. Returns the ones still current.
   */
  async logouts(now: number): Promise<Array<{ sid: string; until: number }>> {
    if (!this.#kv) return [];
    const out: Array<{ sid: string; until: number }> = [];
    for (const key of await this.#kv.keys('logout.>')) {
      const r = await this.#kv.get(key);
      const until = r && r.operation === 'PUT' ? Number(new TextDecoder().decode(r.value)) : NaN;
      if (Number.isFinite(until) && until >= now) out.push({ sid: key.slice('logout.'.length), until });
      else await this.#kv.delete(key, true).catch(() => undefined);
    }
    return out;
  }

  async rememberLogout(sid: string, until: number): Promise<void> {
    if (!this.#kv || !/^[A-Za-z0-9_-]+$/.test(sid)) return;
    try {
      await this.#kv.put(`logout.${sid}`, new TextEncoder().encode(String(until)));
    } catch (err) {
      this.#o.log.warn(`a logout could not be stored in ${this.#o.bucket} (it holds until a restart): ${errorMessage(err)}`);
    }
  }

  get problem(): string | undefined {
    return this.#problem;
  }
}

/** The bucket settings of `spec` (core's layout, shared with `cohort bus init`). */
function kvStoreCreate(spec: KvBucketSpec): { history: number; replicas: number; maxValueBytes: number } {
  return { history: spec.history, replicas: spec.replicas ?? 1, maxValueBytes: spec.maxValueBytes ?? 1024 * 1024 };
}
