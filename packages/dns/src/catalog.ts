import { isIP } from 'node:net';
import { isServiceOffered } from '@cohort/core';
import { isStale, staleAfterMs, type RegisteredNode } from '@cohort/client';
import { classLabel, nodeName, type Zone } from './names.js';

/** A node as DNS sees it: its name in the zone and its address. */
export interface Host {
  readonly identity: string;
  /** `<identity>.node.<collective>.<domain>`. */
  readonly name: string;
  readonly address: string;
  readonly family: 4 | 6;
}

/** A node offering a service: the host and the service's port. */
export interface ServiceHost extends Host {
  readonly port: number;
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
  readonly #arrays = new Map<string, readonly Host[]>();
  /** Bumped on every change (the SOA serial). */
  #revision = 1;

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
    if (isStale(node, now)) return;
    const identity = node.identity.toLowerCase();
    const host: Host = { identity: node.identity, name: nodeName(node.identity, this.zone), address: r.address!, family };
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
      const entry: ServiceHost = { ...host, port: s.port };
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

  /** Drop nodes whose record is older than their interval plus grace; returns their identities. */
  sweep(now: number): string[] {
    const gone: string[] = [];
    for (const [id, n] of this.#nodes) if (now - n.updatedAt > n.staleAfterMs) gone.push(id);
    for (const id of gone) this.remove(id);
    return gone;
  }

  /** Nodes offering `service` (with `tag`, when given). */
  service(service: string, tag?: string): readonly ServiceHost[] | undefined {
    return this.#members(tag === undefined ? `s:${service}` : `t:${tag}.${service}`) as readonly ServiceHost[] | undefined;
  }

  /** Nodes with a class whose label is `label`. */
  withClass(label: string): readonly Host[] | undefined {
    return this.#members(`c:${label}`);
  }

  #members(key: string): readonly Host[] | undefined {
    let array = this.#arrays.get(key);
    if (array) return array;
    const members = this.#index.get(key);
    if (!members) return undefined;
    array = [...members.values()];
    this.#arrays.set(key, array);
    return array;
  }

  /** The node named `identity` (lower case). */
  node(identity: string): Host | undefined {
    return this.#nodes.get(identity)?.host;
  }
}
