import { isIP } from 'node:net';
import { isServiceOffered } from '@cohort/core';
import { isStale, staleAfterMs, type RegisteredNode } from '@cohort/client';
import { classLabel, nodeName, type Zone } from './names.js';
import type { Encoded } from './records.js';

/** A node as DNS sees it: its name in the zone and its address. */
export interface Host {
  readonly identity: string;
  /** `<identity>.node.<collective>.<domain>`. */
  readonly name: string;
  readonly address: string;
  readonly family: 4 | 6;
  /** Its records in wire form, filled by the answers' RecordCache (a new host object comes with every record change). */
  wire?: Encoded;
}

/** A node offering a service: the host and the service's port. */
export interface ServiceHost extends Host {
  readonly port: number;
}

/** The members of an index key, whole and by address family. */
interface Members {
  readonly all: readonly Host[];
  readonly 4: readonly Host[];
  readonly 6: readonly Host[];
}

interface Indexed {
  readonly host: Host;
  readonly updatedAt: number;
  /** Stale after this age (interval + grace). */
  readonly staleAfterMs: number;
  /** Index keys it is filed under: `s:<service>`, `t:<tag>.<service>`, `c:<class label>`. */
  readonly keys: readonly string[];
}

/**
 * The in-memory view the DNS server answers from: verified registry records
 * indexed by service, tag and class. Only nodes with an `address` are
 * answerable; a service is filed only while it is offered (passing or
 * warning). Updated one node at a time (set/remove) as the registry watch
 * delivers changes; sweep() drops nodes whose record went stale (the node
 * missed its heartbeat interval plus grace: it is gone).
 */
export class Catalog {
  readonly zone: Zone;
  readonly #nodes = new Map<string, Indexed>();
  readonly #index = new Map<string, Map<string, ServiceHost | Host>>();
  /** The members of an index key as an array, made on first lookup after a change (queries far outnumber changes). */
  readonly #arrays = new Map<string, Members>();
  /** Bumped on every change (the SOA serial). */
  #revision = 1;
  /** The registry bucket's max age (ms; 0: none): a record older than this has expired on the server, which sends no delete. */
  maxAgeMs = 0;

  constructor(zone: Zone) {
    this.zone = zone;
  }

  get revision(): number {
    return this.#revision;
  }

  /** Nodes answerable now. */
  get size(): number {
    return this.#nodes.size;
  }

  /** File (or re-file) a node from its verified record; a record without a usable address removes it. */
  set(node: RegisteredNode, now: number): void {
    this.remove(node.identity);
    const r = node.record;
    const family = r.address === undefined ? 0 : isIP(r.address);
    if (family !== 4 && family !== 6) return;
    if (isStale(node, now) || (this.maxAgeMs > 0 && now - node.updatedAt >= this.maxAgeMs)) return;
    const identity = node.identity.toLowerCase();
    // `wire` is declared from the start so every host has one shape (the answers read it on every query).
    const host: Host = { identity: node.identity, name: nodeName(node.identity, this.zone), address: r.address!, family, wire: undefined };
    const keys: string[] = [];
    const file = (key: string, entry: Host) => {
      let members = this.#index.get(key);
      if (!members) this.#index.set(key, (members = new Map()));
      members.set(identity, entry);
      this.#arrays.delete(key);
      keys.push(key);
    };
    for (const s of r.services ?? []) {
      if (!isServiceOffered(s.health)) continue;
      const entry: ServiceHost = { identity: host.identity, name: host.name, address: host.address, family, wire: undefined, port: s.port };
      file(`s:${s.name}`, entry);
      for (const tag of s.tags) file(`t:${tag}.${s.name}`, entry);
    }
    for (const cls of r.classes) file(`c:${classLabel(cls)}`, host);
    this.#nodes.set(identity, { host, updatedAt: node.updatedAt, staleAfterMs: staleAfterMs(node), keys });
    this.#revision++;
  }

  /** Forget a node (gone, deregistered, no longer verifiable). */
  remove(identity: string): void {
    const id = identity.toLowerCase();
    const known = this.#nodes.get(id);
    if (!known) return;
    for (const key of known.keys) {
      const members = this.#index.get(key);
      members?.delete(id);
      this.#arrays.delete(key);
      if (members?.size === 0) this.#index.delete(key);
    }
    this.#nodes.delete(id);
    this.#revision++;
  }

  /** Drop nodes whose record is older than their interval plus grace, or than the bucket's max age, whichever is smaller; returns their identities. */
  sweep(now: number): string[] {
    const gone: string[] = [];
    for (const [id, n] of this.#nodes) if (now - n.updatedAt > n.staleAfterMs || (this.maxAgeMs > 0 && now - n.updatedAt >= this.maxAgeMs)) gone.push(id);
    for (const id of gone) this.remove(id);
    return gone;
  }

  /** Nodes offering `service` (with `tag`, when given); only those with an IPv4 or IPv6 address with `family`. Undefined: no such name. */
  service(service: string, tag?: string, family?: 4 | 6): readonly ServiceHost[] | undefined {
    return this.#members(tag === undefined ? `s:${service}` : `t:${tag}.${service}`, family) as readonly ServiceHost[] | undefined;
  }

  /** Nodes with a class whose label is `label` (of `family`, when given). */
  withClass(label: string, family?: 4 | 6): readonly Host[] | undefined {
    return this.#members(`c:${label}`, family);
  }

  #members(key: string, family: 4 | 6 | undefined): readonly Host[] | undefined {
    let m = this.#arrays.get(key);
    if (!m) {
      const members = this.#index.get(key);
      if (!members) return undefined;
      const all = [...members.values()];
      m = { all, 4: all.filter((h) => h.family === 4), 6: all.filter((h) => h.family === 6) };
      this.#arrays.set(key, m);
    }
    return family === undefined ? m.all : m[family];
  }

  /** The node named `identity` (lower case). */
  node(identity: string): Host | undefined {
    return this.#nodes.get(identity)?.host;
  }
}
