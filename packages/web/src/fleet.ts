import { buildFilter, checksBucket, mineBucket, parseMineKey, isMineValueStale, type CheckStateRecord, type Filter, type TrustStore } from '@cohort/core';
import { checks, matchRegistry, mine, readSignedBucket, type Bus, type RegisteredNode, type Registry } from '@cohort/client';

/**
 * The fleet as the console shows it: nodes from the signed, verified
 * registry (the client library's Registry, kept current by a watch), their
 * check states (the checks bucket, each record verified) and mine values
 * (the mine bucket, verified), matched with the same filter code discovery
 * uses. Nothing here talks to NATS itself: it reads through the bus it is given.
 */

export class FilterError extends Error {}

/** Parse the filter box (the CLI's -W: space-separated fact expressions and classes). */
export function parseWebFilter(text: string | undefined): Filter {
  const t = (text ?? '').trim();
  try {
    return buildFilter(t === '' ? {} : { with: [t] });
  } catch (err) {
    throw new FilterError(`filter '${t}': ${(err as Error).message}`);
  }
}

export interface NodeSummary {
  identity: string;
  version: string;
  time: number;
  facts: Record<string, unknown>;
  classes: string[];
  agents: string[];
  checks: Record<string, string>;
}

export interface FleetDeps {
  registry(): Promise<Registry>;
  bus: Bus;
  collective: string;
  trust: TrustStore | undefined;
  now?: () => number;
}

/** A check's state as readers show it: a record not refreshed for twice its interval is UNKNOWN. */
function shownState(r: CheckStateRecord, now: number): string {
  const stale = r.last_run !== null && now - r.last_run > 2 * r.interval * 1000;
  return (stale ? 'unknown' : r.state).toUpperCase();
}

export class Fleet {
  readonly #d: FleetDeps;
  #checksCache: { at: number; records: CheckStateRecord[] } | undefined;

  constructor(deps: FleetDeps) {
    this.#d = deps;
  }

  #now(): number {
    return (this.#d.now ?? Date.now)();
  }

  /** Live registry records; throws with the reason when the registry cannot be read. */
  async registered(): Promise<RegisteredNode[]> {
    const r = await this.#d.registry();
    if (r.unavailable !== undefined) throw new Error(`the registry cannot be read: ${r.unavailable}`);
    return r.nodes();
  }

  /** Identities matching `filter` (registry data only). Throws FilterError for filters needing node-side data. */
  async match(filter: Filter): Promise<string[]> {
    const m = matchRegistry(await this.registered(), filter);
    if (m.nodeData !== undefined) throw new FilterError(`the filter needs node-side data (${m.nodeData}()), which the registry does not hold`);
    return m.identities;
  }

  /** Every verified check state record (cached for 2 s: the list and detail pages poll). */
  async checkStates(): Promise<CheckStateRecord[]> {
    const now = this.#now();
    if (this.#checksCache && now - this.#checksCache.at < 2000) return this.#checksCache.records;
    const open = this.#d.bus.mineKv;
    if (!open || !this.#d.trust) return [];
    const read = await checks.readCheckStates(open, this.#d.collective, this.#d.trust);
    this.#checksCache = { at: now, records: read.records };
    return read.records;
  }

  async nodes(filter: Filter, group: string | undefined): Promise<{ nodes: NodeSummary[]; groups?: Array<{ value: string; count: number }>; count: number }> {
    const all = await this.registered();
    const ids = new Set(await this.match(filter));
    const states = await this.checkStates();
    const now = this.#now();
    const byNode = new Map<string, Record<string, string>>();
    for (const r of states) {
      const m = byNode.get(r.identity) ?? {};
      m[r.check] = shownState(r, now);
      byNode.set(r.identity, m);
    }
    const nodes = all
      .filter((n) => ids.has(n.identity))
      .sort((a, b) => (a.identity < b.identity ? -1 : 1))
      .map((n) => ({
        identity: n.identity,
        version: n.record.version,
        time: n.record.time,
        facts: n.record.facts as Record<string, unknown>,
        classes: n.record.classes,
        agents: n.record.agents,
        checks: byNode.get(n.identity) ?? {},
      }));
    const out: { nodes: NodeSummary[]; groups?: Array<{ value: string; count: number }>; count: number } = { nodes, count: nodes.length };
    if (group !== undefined && group !== '') out.groups = groupNodes(nodes, group);
    return out;
  }

  async node(identity: string): Promise<Record<string, unknown> | undefined> {
    const n = (await this.registered()).find((x) => x.identity === identity);
    if (!n) return undefined;
    const now = this.#now();
    const checkList = (await this.checkStates())
      .filter((r) => r.identity === identity)
      .map((r) => ({ name: r.check, state: shownState(r, now), output: r.output, time: r.last_run ?? r.since }));
    return {
      identity,
      version: n.record.version,
      time: n.record.time,
      facts: n.record.facts,
      classes: n.record.classes,
      agents: n.record.agents,
      ...(n.record.services ? { services: n.record.services } : {}),
      ...(n.record.address ? { address: n.record.address } : {}),
      checks: checkList,
      mine: await this.mineOf(identity),
    };
  }

  /** The node's verified mine values: function → its data (or output), with time and staleness. */
  async mineOf(identity: string): Promise<Record<string, unknown>> {
    const open = this.#d.bus.mineKv;
    const trust = this.#d.trust;
    if (!open || !trust) return {};
    const read = await readSignedBucket(open, mineBucket(this.#d.collective), '>', (key, bytes, at) => mine.verifyMineEntry(key, bytes, trust, at));
    const out: Record<string, unknown> = {};
    const now = this.#now();
    for (const [key, r] of read.entries) {
      const k = parseMineKey(key);
      if (!k || k.identity !== identity || 'refused' in r) continue;
      out[k.function] = { value: r.data ?? r.output ?? null, time: r.time, statuscode: r.statuscode, statusmsg: r.statusmsg, stale: isMineValueStale(r, now) };
    }
    return out;
  }
}

/** Count nodes by `fact:NAME` (dotted paths allowed) or `class`. */
export function groupNodes(nodes: readonly NodeSummary[], group: string): Array<{ value: string; count: number }> {
  const counts = new Map<string, number>();
  const add = (v: string) => counts.set(v, (counts.get(v) ?? 0) + 1);
  if (group === 'class') {
    for (const n of nodes) for (const c of n.classes.length ? n.classes : ['(none)']) add(c);
  } else if (group.startsWith('fact:') && group.length > 5) {
    const path = group.slice(5).split('.');
    for (const n of nodes) {
      let v: unknown = n.facts;
      for (const p of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[p] : undefined;
      add(v === undefined || v === null ? '(unset)' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  } else {
    throw new FilterError(`group '${group}' is not fact:NAME or class`);
  }
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}

/**
 * The collective's registry for a long-running reader: opened (read and
 * watched) once and kept; when it could not be read (no bucket yet, no
 * JetStream), opened again on a later use, at most every `retryMs`, so the
 * console picks up a registry created after it started.
 */
export class RegistrySource {
  #current: Promise<Registry> | undefined;
  #openedAt = 0;
  constructor(private readonly open: () => Promise<Registry>, private readonly retryMs = 5000, private readonly now: () => number = Date.now) {}

  async get(): Promise<Registry> {
    const current = this.#current;
    if (current) {
      const r = await current;
      if (r.unavailable === undefined || this.now() - this.#openedAt < this.retryMs) return r;
      if (this.#current !== current) return this.get();
    }
    this.#openedAt = this.now();
    const next = this.open();
    this.#current = next;
    return next;
  }
}
