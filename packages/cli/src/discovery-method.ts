import { UsageError } from '@cohort/core';
import type { DiscoveryMethod } from '@cohort/client';

/** The discovery method and where static identities come from, from `--dm` and `--nodes`. */
export interface DiscoveryChoice {
  /** auto, broadcast or registry (flatfile/stdin appear as `nodesSource`). */
  method: DiscoveryMethod;
  /** `--nodes` argument to read identities from (`-` is standard input); undefined: discover. */
  nodesSource: string | undefined;
}

/**
 * Resolve `--dm` with `--nodes`: `flatfile` needs `--nodes FILE`, `stdin`
 * reads `--nodes -` (implied), `broadcast`/`registry` cannot be combined with
 * `--nodes`; `--nodes` alone implies flatfile (or stdin for `-`); neither
 * means auto. Throws UsageError (exit 2) for contradictions.
 */
export function resolveDiscoveryChoice(dm: string | undefined, nodes: string | undefined): DiscoveryChoice {
  switch (dm) {
    case undefined:
      return { method: 'auto', nodesSource: nodes };
    case 'flatfile':
      if (nodes === undefined || nodes === '-') throw new UsageError('--dm flatfile reads identities from a file: give it with --nodes FILE (or use --dm stdin)');
      return { method: 'auto', nodesSource: nodes };
    case 'stdin':
      if (nodes !== undefined && nodes !== '-') throw new UsageError(`--dm stdin reads identities from standard input; drop --nodes ${nodes} (or use --dm flatfile)`);
      return { method: 'auto', nodesSource: '-' };
    case 'broadcast':
    case 'registry':
      if (nodes !== undefined) throw new UsageError(`--nodes names the nodes directly, so there is nothing to discover with --dm ${dm}; drop one of them`);
      return { method: dm, nodesSource: undefined };
    default:
      throw new UsageError(`--dm '${dm}' is not a discovery method: use broadcast, registry, flatfile or stdin`);
  }
}
