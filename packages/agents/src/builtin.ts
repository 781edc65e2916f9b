import type { Agent } from './define.js';
import { ca } from './ca/index.js';
import { nrpe } from './nrpe/index.js';
import { provision } from './provision/index.js';
import { puppetral } from './puppetral/index.js';
import { rpcutil } from './rpcutil/index.js';

/**
 * Agents bundled with Cohort, loaded by every node (subject to their activation
 * checks). Their DDLs live in the repository's top-level `ddl/` directory.
 */
export const builtinAgents: readonly Agent[] = Object.freeze([rpcutil, nrpe, puppetral, ca]);

/**
 * The only agents a node in provisioning mode (provisioning.enabled) hosts:
 * rpcutil for discovery and inventory, provision for the provisioner.
 */
export const provisioningAgents: readonly Agent[] = Object.freeze([rpcutil, provision]);
