import type { Client } from '@cohort/client';
import { matchRegistry, unverifiable } from '@cohort/client';
import { recordAgeMs } from '@cohort/client';
import type { RegisteredNode } from '@cohort/client';
import { withAgent } from '@cohort/client';
import type { Outcome } from '../exit.js';
import { renderInventory } from '../render/inventory.js';
import { stringifyJson } from '../render/json.js';
import type { Session } from '../session.js';

/** The inventory a registry record holds, shaped like rpcutil inventory's reply (minus what only the node knows). */
export function registryInventory(node: RegisteredNode, now: number): Record<string, unknown> {
  const r = node.record;
  return {
    agents: [...r.agents],
    facts: r.facts,
    classes: [...r.classes],
    version: r.version,
    main_collective: r.collectives[0] ?? '',
    collectives: [...r.collectives],
    started: new Date(r.started_at).toISOString(),
    registered: `${new Date(node.updatedAt).toISOString()} (${Math.round(recordAgeMs(node, now) / 1000)} s ago, refreshed every ${r.interval} s)`,
  };
}

/**
 * `cohort inventory IDENTITY` from the registry. Returns undefined when the
 * live node must be asked instead: --dm broadcast, no registry, the node is
 * not registered, or the filter needs node-side data. With --dm registry a
 * node that is not registered is reported (exit 1) instead of asked.
 */
export async function inventoryFromRegistry(client: Client, session: Session, identity: string): Promise<Outcome | undefined> {
  if (session.discoveryMethod === 'broadcast') return undefined;
  const { io } = session;
  const note = (text: string): void => void (session.verbose && io.stderr.write(`${text}\n`));
  const registry = await client.registry();
  // Only a record verified against the trusted node keys stands in for the node's own answer.
  const node = registry.unavailable === undefined && registry.verified ? registry.node(identity) : undefined;
  if (node === undefined) {
    const why = registry.unavailable ?? (registry.verified ? `${identity} is not in the registry` : `the registry is not used: ${unverifiable}`);
    if (session.discoveryMethod !== 'registry') {
      note(`asking ${identity} itself: ${why}`);
      return undefined;
    }
    io.stderr.write(`${why} (--dm registry); drop --dm registry or use --live to ask the node\n`);
    return { kind: 'rpc', stats: { discovered: 1, responded: 0, failed: 0 } };
  }
  const match = matchRegistry([node], withAgent(session.filter, 'rpcutil'));
  if (match.nodeData !== undefined) {
    note(`asking ${identity} itself: the filter needs node-side data (${match.nodeData}())`);
    return undefined;
  }
  if (match.identities.length === 0) {
    io.stderr.write(`${identity} is registered but does not match the filter\n`);
    return { kind: 'rpc', stats: { discovered: 1, responded: 0, failed: 0 } };
  }
  note(`inventory of ${identity} from the registry; --live asks the node`);
  const now = Date.now();
  const data = registryInventory(node, now);
  if (session.json) {
    const doc = { sender: identity, source: 'registry', statuscode: 0, statusmsg: 'OK', data, updated_at: node.updatedAt, age_ms: recordAgeMs(node, now) };
    io.stdout.write(stringifyJson(doc, io.stdout.isTTY));
  } else {
    io.stdout.write(`${renderInventory(identity, data, io.stdout.columns ?? 80).join('\n')}\n`);
  }
  return { kind: 'found', count: 1 };
}
