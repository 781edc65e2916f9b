import { resolve } from 'node:path';
import { mineValuesSpec, UsageError } from '@cohort/core';
import { mine, parseDuration } from '@cohort/client';
import { str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openSession } from '../session.js';
import { mineKvOf, mineTrust } from './mine-common.js';
import { stopSignal } from './stop-signal.js';

/** `cohort mine export NAME --dir DIR`: runs until SIGINT/SIGTERM. */
export async function runMineExport(argv: Args, io: CliIo): Promise<Outcome> {
  const fn = str(argv, 'name') ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(fn)) throw new UsageError(`mine function name '${fn}' is not valid: 1 to 64 letters, digits, _ or -`);
  const dirArg = str(argv, 'dir');
  if (dirArg === undefined) throw new UsageError('--dir is required: the directory to keep one file per node in');
  const maxAgeArg = str(argv, 'max-age');
  const maxAgeMs = maxAgeArg === undefined ? undefined : parseDuration(maxAgeArg, 'ms', '--max-age');
  const session = await openSession(argv, io, { keepsRunning: true });
  // Long-lived: a value delivered again (the watch restarting after a reconnect) costs a hash, not a check.
  const trust = mineTrust(argv, session).rememberSignatures();
  const dir = resolve(dirArg);
  const mirror = new mine.MineMirror({ dir, fn, trust, maxAgeMs, warn: (m) => io.stderr.write(`cohort mine export: ${m}\n`) });
  const bus = await session.openBus();
  try {
    // Created (as the nodes create it) when no node has written yet, so the mirror is live from the first value.
    const spec = mineValuesSpec(session.collective);
    const kv = await mineKvOf(bus)(spec.name, true, spec.maxAgeSeconds);
    if (mine.isKvMissing(kv)) throw new UsageError(`cannot read the mine: ${kv.missing}`);
    const { stopped } = stopSignal();
    const watch = await kv.watch(`${fn}.>`, (e) => mirror.apply(e), true);
    mirror.prune();
    io.stderr.write(`mirroring ${fn} into ${dir}: ${mirror.size} node(s); stop with Ctrl-C or SIGTERM\n`);
    const signal = await stopped;
    await watch.stop();
    io.stderr.write(`${signal}: stopped mirroring (${mirror.writes} file(s) written)\n`);
  } finally {
    mirror.stop();
    await bus.close();
  }
  return { kind: 'done' };
}
