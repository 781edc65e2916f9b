import { createDataFunctions, type Facts } from '@cohort/core';
import type { Client } from '@cohort/client';
import { withAgent } from '@cohort/client';
import type { Outcome } from '../exit.js';
import { groupFactValues, renderFactReport } from '../render/facts.js';
import { stringifyJson } from '../render/json.js';
import type { Session } from '../session.js';
import { discoveryNote } from './discovery-note.js';
import { noNodesMessage } from './discover.js';

/**
 * `cohort facts FACT` from the registry: the value of FACT in every matching
 * node's registered facts (exactly what rpcutil get_fact would reply),
 * counted, without asking the fleet. Returns undefined when the discovery
 * rules choose broadcast (no fresh registry, fstat filter, --dm broadcast):
 * the caller then asks the fleet.
 */
export async function factsFromRegistry(client: Client, session: Session, fact: string): Promise<Outcome | undefined> {
  // The live command calls rpcutil, so the same agent condition applies here.
  const decision = await client.planDiscovery(withAgent(session.filter, 'rpcutil'), session.discoveryMethod);
  discoveryNote(session)?.(decision);
  if (decision.method !== 'registry') return undefined;
  const registry = await client.registry();
  let current: Facts = {};
  const lookup = createDataFunctions(() => current);
  const replies = decision.identities.map((identity) => {
    current = registry.node(identity)?.view.facts ?? {};
    const found = lookup('fact', fact);
    return { sender: identity, statuscode: 0 as const, unexpected: false, data: { fact, value: found?.['exists'] === true ? found['value'] : null } };
  });
  const groups = groupFactValues(replies);
  const { io } = session;
  if (session.json) {
    const values = groups.map((g) => ({ value: g.value, count: g.nodes.length, nodes: g.nodes }));
    io.stdout.write(stringifyJson({ fact, values, source: 'registry', nodes: replies.length }, io.stdout.isTTY));
  } else if (replies.length > 0) {
    const lines = [
      ...renderFactReport(fact, groups, { verbose: session.verbose, width: io.stdout.columns ?? 80 }),
      `From the registry: ${replies.length} node(s); --live asks the nodes instead`,
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  if (replies.length === 0) io.stderr.write(`${noNodesMessage}\n`);
  return { kind: 'found', count: replies.length };
}
