import type { AgentConfigSections } from '../config.js';
import type { NodeInfo } from '../node-info.js';

/** The node's `ca:` section as cohortd loaded it: typed, frozen, defaults from its spec (`ca/config.ts`, beside the agent). */
export type CaSettings = AgentConfigSections['ca'];

/** Read the node's `ca.*` settings. */
export function readCaSettings(node: Pick<NodeInfo, 'section'>): CaSettings {
  return node.section('ca');
}
