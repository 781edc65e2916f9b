import type { Agent } from './define.js';
import { nrpe } from './nrpe/index.js';
import { puppetral } from './puppetral/index.js';
import { rpcutil } from './rpcutil/index.js';

/**
 * Agents bundled with Cohort, loaded by every node (subject to their activation
 * checks). Their DDLs live in the repository's top-level `ddl/` directory.
 */
export const builtinAgents: readonly Agent[] = Object.freeze([rpcutil, nrpe, puppetral]);
