import { errorMessage, registryBucket, UsageError } from '@cohort/core';
import { matchRegistry } from '@cohort/client';
import { NagiosState } from '@cohort/core';
import { str, type Args } from '../args.js';
import { parseDuration } from '@cohort/client';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { evaluateRegistry, formatRegistryCheck, unknownRegistryCheck, type RegistryCheckOptions } from '../render/registry-check.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';

function count(argv: Args, key: string): number | undefined {
  const raw = str(argv, key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${key} '${raw}' must be a whole number of nodes, 1 or more`);
  return n;
}

/** The check's thresholds from the flags (UsageError when malformed). */
export function checkOptions(argv: Args, expected: readonly string[] | undefined): RegistryCheckOptions {
  const stale = str(argv, 'stale');
  const warning = count(argv, 'warning');
  const options: RegistryCheckOptions = { critical: count(argv, 'critical') ?? 1 };
  if (warning !== undefined) options.warning = warning;
  if (stale !== undefined) options.staleAfterMs = parseDuration(stale, 's', '--stale') * 1000;
  if (expected) options.expected = expected;
  return options;
}

/**
 * `cohort registry check`: a Nagios plugin over the registry. Exit 0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for bad flags, NATS unreachable, no
 * registry), with perfdata.
 */
export async function runRegistryCheck(argv: Args, io: CliIo): Promise<Outcome> {
  const started = performance.now();
  const unknown = (reason: string): Outcome => {
    io.stdout.write(unknownRegistryCheck(reason));
    return { kind: 'nagios', state: NagiosState.UNKNOWN };
  };
  try {
    const session = await openSession(argv, io);
    const options = checkOptions(argv, session.nodes);
    const client = await session.connect();
    try {
      const registry = await client.registry();
      if (registry.unavailable !== undefined) return unknown(`cannot read the registry: ${registry.unavailable}`);
      const all = registry.nodes();
      const match = matchRegistry(all, session.filter);
      if (match.nodeData !== undefined) return unknown(`the filter needs node-side data (${match.nodeData}()), which the registry does not hold`);
      const chosen = new Set(match.identities);
      const result = evaluateRegistry(all.filter((n) => chosen.has(n.identity)), all, Date.now(), { ...options, ignored: registry.ignored(), verified: registry.verified });
      if (session.json) io.stdout.write(stringifyJson({ bucket: registryBucket(session.collective), ...result }, io.stdout.isTTY));
      else io.stdout.write(formatRegistryCheck(result, registryBucket(session.collective), performance.now() - started));
      return { kind: 'nagios', state: result.state };
    } finally {
      await client.close();
    }
  } catch (err) {
    return unknown(errorMessage(err));
  }
}
