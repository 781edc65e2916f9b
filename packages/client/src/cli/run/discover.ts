import type { Filter } from '@cohort/core';
import type { Client } from '../../client.js';
import type { DiscoveredNode } from '../../discovery/broadcast.js';
import type { Session } from '../session.js';

/** The filter to discover with: `--nodes` replaces the identity filter (those nodes, if they match the rest). */
export function discoveryFilter(session: Session): Filter {
  return session.nodes ? { ...session.filter, identity: [...session.nodes] } : session.filter;
}

/** Run discovery, handing each node to `onNode` as it answers; returns all nodes and the time taken. */
export async function discoverNodes(
  client: Client,
  session: Session,
  onNode: (node: DiscoveredNode) => void,
): Promise<{ nodes: DiscoveredNode[]; discovery_ms: number }> {
  if (session.nodes && session.nodes.length === 0) return { nodes: [], discovery_ms: 0 };
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
