import { isServiceOffered, readRegistryEntry, type NodeView, type RegistrationMessage, type ServiceEntry, type TrustStore } from '@cohort/core';

/**
 * What a template sees (docs/service-discovery.md, "Templates"): the service
 * catalogue from verified registry records, the keys of a key-value bucket,
 * and this node's own facts. Plain data, rebuilt for each render.
 */
export interface TemplateData {
  /** This node: identity, facts, classes, agents, collective, and its address when the registry has it. */
  readonly node: { identity: string; facts: unknown; classes: readonly string[]; agents: readonly string[]; collective: string; address: string | null };
  /** Every node with a verified registry record, by identity. */
  readonly nodes: ReadonlyArray<{ identity: string; address: string | null; facts: unknown; classes: readonly string[]; services: readonly ServiceEntry[] }>;
  /** Offered (passing or warning) instances of each service, by service name, sorted by identity. */
  readonly services: Readonly<Record<string, ReadonlyArray<{ identity: string; address: string | null; port: number; tags: readonly string[]; health: string }>>>;
  /** The key-value bucket: key -> value (UTF-8 text). */
  readonly kv: Readonly<Record<string, string>>;
}

/**
 * The verified registry records of the collective, kept from a watch on the
 * registry bucket. Only records signed by a trusted node key count: a bus
 * user cannot add an address to a service.
 */
export class Catalogue {
  readonly #records = new Map<string, { record: RegistrationMessage; stored: number; content: string }>();
  readonly #trust: () => TrustStore | undefined;
  readonly #clock: () => number;
  /** Entries ignored (not verified), for the log. */
  ignored = 0;

  constructor(trust: () => TrustStore | undefined, clock: () => number = Date.now) {
    this.#trust = trust;
    this.#clock = clock;
  }

  /**
   * Apply one registry change (`stored`: when the server stored it).
   * `changed` is false for a heartbeat that only refreshed a record (same
   * content but its time): templates need no render for it. `ignored` says
   * why an entry was not taken.
   */
  apply(identity: string, value: Uint8Array | undefined, stored: number = this.#clock()): { changed: boolean; ignored?: string } {
    if (value === undefined) return { changed: this.#records.delete(identity) };
    const trust = this.#trust();
    if (!trust) {
      this.ignored++;
      return { changed: false, ignored: 'no trusted issuers or node keys to verify registry records with (template_data.issuers, security.issuers)' };
    }
    const r = readRegistryEntry(value, identity, trust, this.#clock());
    if (r.kind === 'record') {
      const content = JSON.stringify({ ...r.record, time: 0 });
      const changed = this.#records.get(identity)?.content !== content;
      this.#records.set(identity, { record: r.record, stored, content });
      return { changed };
    }
    if (r.kind === 'gone') return { changed: this.#records.delete(identity) };
    this.ignored++;
    return { changed: false, ignored: r.reason };
  }

  /**
   * Forget records stored more than `maxAgeMs` ago: the bucket's max age
   * removes them on the server without telling watchers (a node that died).
   * True when any was removed.
   */
  expire(maxAgeMs: number): boolean {
    if (maxAgeMs <= 0) return false;
    const cutoff = this.#clock() - maxAgeMs;
    let removed = false;
    for (const [identity, { stored }] of this.#records) {
      if (stored < cutoff) {
        this.#records.delete(identity);
        removed = true;
      }
    }
    return removed;
  }

  records(): RegistrationMessage[] {
    return [...this.#records.values()].map((e) => e.record).sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  }
}

/** Build what templates see. */
export function templateData(own: NodeView, collective: string, records: readonly RegistrationMessage[], kv: ReadonlyMap<string, string>): TemplateData {
  const nodes = records.map((r) => ({ identity: r.identity, address: r.address ?? null, facts: r.facts, classes: r.classes, services: r.services ?? [] }));
  const services: Record<string, Array<{ identity: string; address: string | null; port: number; tags: readonly string[]; health: string }>> = {};
  for (const n of nodes) {
    for (const s of n.services) {
      if (!isServiceOffered(s.health)) continue;
      (services[s.name] ??= []).push({ identity: n.identity, address: n.address, port: s.port, tags: s.tags, health: s.health });
    }
  }
  const self = records.find((r) => r.identity === own.identity);
  return {
    node: { identity: own.identity, facts: own.facts, classes: own.classes, agents: own.agents, collective, address: self?.address ?? null },
    nodes,
    services,
    kv: Object.fromEntries([...kv.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
