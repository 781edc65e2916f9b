import type { Filter } from '@cohort/core';
import type { Client } from '@cohort/client';
import type { DiscoveredNode } from '@cohort/client';
import type { Session } from '../session.js';
import { discoveryNote } from './discovery-note.js';

/** The filter to discover with: `--nodes` replaces the identity filter (those nodes, if they match the rest). */
export function discoveryFilter(session: Session): Filter {
  return session.nodes ? { ...session.filter, identity: [...session.nodes] } : session.filter;
}

/**
 * Run discovery, handing each node to `onNode` as it answers; returns all
 * nodes and the time taken. With `registry`, the discovery rules may answer
 * from the registry instead (every node at once, elapsed 0); `cohort ping`
 * always asks the fleet.
 */
export async function discoverNodes(
  client: Client,
  session: Session,
  onNode: (node: DiscoveredNode) => void,
  options: { registry?: boolean } = {},
): Promise<{ nodes: DiscoveredNode[]; discovery_ms: number }> {
  if (session.nodes && session.nodes.length === 0) return { nodes: [], discovery_ms: 0 };
  if (options.registry && !session.nodes) {
    const t0 = performance.now();
    const decision = await client.planDiscovery(session.filter, session.discoveryMethod);
    discoveryNote(session)?.(decision);
    if (decision.method === 'registry') {
      const nodes = decision.identities.map((identity) => ({ identity, elapsed_ms: 0 }));
      for (const node of nodes) onNode(node);
      return { nodes, discovery_ms: performance.now() - t0 };
    }
  }
  const run = client.discoverStream(discoveryFilter(session), { timeout: session.discoveryTimeout, window: session.discoveryWindow });
  const nodes: DiscoveredNode[] = [];
  for await (const node of run) {
    nodes.push(node);
    onNode(node);
  }
  const { discovery_ms } = await run.done;
  return { nodes, discovery_ms };
}

export const noNodesMessage = 'No nodes matched the filter';

/** The no-nodes line, plus the hint about unsigned requests when they went unsigned. */
export function noNodesText(session: Pick<Session, 'unsignedHint'>, message: string = noNodesMessage): string {
  return session.unsignedHint ? `${message}\n${session.unsignedHint}` : message;
}

/**
 * After a call to discovered nodes: when some did not reply and the requests
 * went unsigned, the hint (nodes in signed mode ignore unsigned requests
 * silently, so "No response from" alone would not say why); else ''.
 */
export function noReplyHint(session: Pick<Session, 'unsignedHint'>, stats: { discovered: number; no_response: readonly string[] }): string {
  return stats.discovered > 0 && stats.no_response.length > 0 && session.unsignedHint ? `${session.unsignedHint}\n` : '';
}
