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
  readonly #records = new Map<string, RegistrationMessage>();
  readonly #trust: () => TrustStore | undefined;
  readonly #clock: () => number;
  /** Entries ignored (not verified), for the log. */
  ignored = 0;

  constructor(trust: () => TrustStore | undefined, clock: () => number = Date.now) {
    this.#trust = trust;
    this.#clock = clock;
  }

  /** Apply one registry change; returns why it was ignored, if it was. */
  apply(identity: string, value: Uint8Array | undefined): string | undefined {
    if (value === undefined) {
      this.#records.delete(identity);
      return undefined;
    }
    const trust = this.#trust();
    if (!trust) {
      this.ignored++;
      return 'no trusted issuers or node keys to verify registry records with (template_data.issuers, security.issuers)';
    }
    const r = readRegistryEntry(value, identity, trust, this.#clock());
    if (r.kind === 'record') this.#records.set(identity, r.record);
    else if (r.kind === 'gone') this.#records.delete(identity);
    else {
      this.ignored++;
      return r.reason;
    }
    return undefined;
  }

  records(): RegistrationMessage[] {
    return [...this.#records.values()].sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
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
