import { provisioningAgents, type Agent } from '@cohort/agents';
import type { Facts } from '@cohort/core';
import type { ServerConfig } from '@cohort/agents';

/** The collective every node in provisioning mode joins (and only it). */
export const provisioningCollective = 'provisioning';

/** How a node runs, given its config: in provisioning mode or as configured. */
export interface NodeMode {
  /** The config with provisioning mode applied (collectives `[provisioning]`, no plugin directories). */
  readonly config: ServerConfig;
  /** The bundled agents to host. */
  readonly builtin: readonly Agent[];
  /** Facts the daemon adds to the node's own (`cohort.provisioned`). */
  readonly facts: Facts;
}

/**
 * Apply `provisioning.enabled`: a bootstrap node joins only the
 * `provisioning` collective and hosts only rpcutil and provision (no custom
 * agents); every node reports the fact `cohort.provisioned` (false in
 * provisioning mode). A node not in provisioning mode is left as configured.
 */
export function nodeMode(config: ServerConfig, builtin: readonly Agent[]): NodeMode {
  const enabled = config.provisioning.enabled;
  const facts: Facts = { cohort: { provisioned: !enabled } };
  if (!enabled) return { config, builtin, facts };
  return {
    config: Object.freeze({ ...config, collectives: Object.freeze([provisioningCollective]), plugin_dirs: Object.freeze([]) }),
    builtin: provisioningAgents,
    facts,
  };
}
