import { UsageError } from '@cohort/core';
import { describeRetention } from '@cohort/client';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';

/** `cohort bus init`: create the registry bucket and the job stream. */
export async function runBusInit(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const rawTtl = argv['registry-ttl'];
  const ttl = rawTtl === undefined ? 180 : Number(rawTtl);
  if (!Number.isInteger(ttl) || ttl < 2) throw new UsageError(`--registry-ttl '${String(rawTtl)}' must be a whole number of seconds, 2 or more`);
  const retention = session.config.jobs;
  const bus = await session.openBus();
  try {
    if (!bus.setup) throw new UsageError('this bus cannot create streams (no JetStream)');
    const result = await bus.setup(session.collective, { registryTtlSeconds: ttl, retention });
    if (session.json) io.stdout.write(stringifyJson(result, io.stdout.isTTY));
    else {
      io.stdout.write(
        `registry bucket ${result.registry.bucket}: ${result.registry.created ? `created (records live ${ttl} s)` : 'already there, kept'}\n` +
          `job stream ${result.jobs.stream}: ${describeRetention(result.jobs.retention)}\n` +
          `checks: bucket ${result.checks.bucket}, definitions ${result.checks.definitions}, events stream ${result.checks.events}: ${result.checks.created.length > 0 ? `created ${result.checks.created.join(', ')}` : 'already there, kept'}\n`,
      );
    }
    return { kind: 'done' };
  } finally {
    await bus.close();
  }
}
