import { isEmptyFilter, parseMineDuration, plainIdentities, UsageError } from '@cohort/core';
import { checks, type Registry } from '@cohort/client';
import { list, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { eventLine } from '../render/checks.js';
import { openSession } from '../session.js';
import { checkNamesArg, registeredFor } from './checks.js';
import { nodeDataTrust } from './mine-common.js';
import { stopSignal } from './stop-signal.js';

/** `cohort events watch [filters] [--check NAME] [--since D] [--count N] [--json]`: runs until stopped. */
export async function runEventsWatch(argv: Args, io: CliIo): Promise<Outcome> {
  const names = checkNamesArg(argv);
  const states = checks.parseStateSelectors(list(argv, 'state'));
  if (states.has('stale')) throw new UsageError('--state stale does not apply to events: staleness is judged when reading states (cohort checks --state stale)');
  const sinceArg = str(argv, 'since');
  const sinceAgo = sinceArg === undefined ? undefined : parseMineDuration(sinceArg);
  if (typeof sinceAgo === 'string') throw new UsageError(`--since ${sinceAgo}`);
  const sinceMs = sinceAgo === undefined ? undefined : Date.now() - sinceAgo;
  const countArg = str(argv, 'count');
  const count = countArg === undefined ? undefined : Number(countArg);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new UsageError(`--count '${countArg}' must be a whole number of events of at least 1`);
  const session = await openSession(argv, io, { keepsRunning: true });
  const trust = nodeDataTrust(argv, session, 'check events');
  const bus = await session.openBus();
  let registry: Registry | undefined;
  let seen = 0;
  let refused = 0;
  try {
    registry = await registeredFor(bus, session, trust);
    const filter = session.filter;
    const plain = plainIdentities(filter);
    const plainSet = plain === undefined ? undefined : new Set(plain);
    const wanted = new Set(names);
    const accept = (identity: string, check: string): boolean => {
      if (wanted.size > 0 && !wanted.has(check)) return false;
      if (isEmptyFilter(filter)) return true;
      if (plainSet !== undefined) return plainSet.has(identity);
      // The registry is kept current by its watch: a node that registers later is matched too.
      return checks.registryTargets(filter, registry?.nodes() ?? [], [identity], 'cohort events watch').includes(identity);
    };
    // Fails early (UsageError) for filters the registry cannot answer, before anything is watched.
    if (!isEmptyFilter(filter) && plainSet === undefined) checks.registryTargets(filter, registry?.nodes() ?? [], [], 'cohort events watch');
    const signal = stopSignal();
    const follow = await checks.watchCheckEvents(bus, {
      collective: session.collective,
      trust,
      identity: plain !== undefined && plain.length === 1 ? plain[0] : undefined,
      sinceMs,
      accept,
      onEvent: (e) => {
        if (states.size > 0 && !states.has(e.state)) return;
        io.stdout.write(session.json ? `${JSON.stringify(e)}\n` : eventLine(e));
        seen++;
        if (count !== undefined && seen >= count) signal.stop('count');
      },
      onRefused: (subject, reason) => {
        refused++;
        if (session.verbose) io.stderr.write(`cohort: ignored an event on ${subject}: ${reason}\n`);
      },
    });
    if ('missing' in follow) {
      signal.stop('missing');
      throw new Error(checks.noCheckEvents(follow.missing));
    }
    io.stderr.write(`watching check events of collective ${session.collective}${sinceArg !== undefined ? ` (from ${sinceArg} ago)` : ''}; stop with Ctrl-C\n`);
    const why = await signal.stopped;
    await follow.stop();
    if (why !== 'count') io.stderr.write(`${why}: stopped after ${seen} event(s)${refused > 0 ? `, ${refused} ignored (did not verify)` : ''}\n`);
    else if (refused > 0) io.stderr.write(`cohort: ${refused} event(s) ignored (did not verify)\n`);
  } finally {
    await registry?.close();
    await bus.close();
  }
  return { kind: 'done' };
}
