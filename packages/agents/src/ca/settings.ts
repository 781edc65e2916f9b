import type { AgentConfigSections, NodeInfo } from '../node-info.js';

/** The node's `ca:` section as cohortd loaded it: typed, frozen, defaults from its spec (packages/core/src/config/server/ca.ts). */
export type CaSettings = AgentConfigSections['ca'];

/** Read the node's `ca.*` settings. */
export function readCaSettings(node: Pick<NodeInfo, 'section'>): CaSettings {
  return node.section('ca');
}
