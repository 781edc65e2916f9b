import { isEmptyFilter, plainIdentities, type Filter } from '@cohort/core';
import { registryTargets } from '../discovery/registry-targets.js';
import type { RegisteredNode } from '../discovery/registry-record.js';

/**
 * The nodes `mine get` reports on (see registryTargets): no filter, every
 * node holding a value; plain identities as given (one holding no value is
 * reported missing); other filters evaluated on the registry. Throws
 * UsageError for filters that need node-side data (fstat()).
 */
export function mineTargets(filter: Filter, registered: readonly RegisteredNode[], holders: Iterable<string>): string[] {
  return registryTargets(filter, registered, holders, 'mine get');
}

/**
 * True when {@link mineTargets} consults the registry for `filter`: not for
 * no filter or plain identities, so `mine get NAME` (and `-I web1`) need not
 * read and verify the registry at all.
 */
export function mineNeedsRegistry(filter: Filter): boolean {
  return !isEmptyFilter(filter) && plainIdentities(filter) === undefined;
}
