import { UsageError } from '@cohort/core';
import { describeRetention, kv, type BusSetupItem, type BusSetupResult } from '@cohort/client';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';

/** `cohort bus init`: create every stream and bucket of the collective (existing ones are kept). */
export async function runBusInit(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const rawTtl = argv['registry-ttl'];
  const ttl = rawTtl === undefined ? 180 : Number(rawTtl);
  if (!Number.isInteger(ttl) || ttl < 2) throw new UsageError(`--registry-ttl '${String(rawTtl)}' must be a whole number of seconds, 2 or more`);
  const retention = session.config.jobs;
  const kvConfig = session.config.kv;
  const kvSettings = kv.checkKvCreate({ history: kvConfig.history, replicas: kvConfig.replicas });
  const kvBucket = kv.kvBucketName(session.collective, kvConfig.bucket);
  const bus = await session.openBus();
  try {
    if (!bus.setup) throw new UsageError('this bus cannot create streams (no JetStream)');
    const result = await bus.setup(session.collective, { registryTtlSeconds: ttl, retention, kv: kvSettings, kvBucket });
    if (session.json) io.stdout.write(stringifyJson(result, io.stdout.isTTY));
    else io.stdout.write(result.items.map((item) => `${describeItem(item)}: ${status(item, result, ttl)}\n`).join(''));
    return { kind: 'done' };
  } finally {
    await bus.close();
  }
}

function describeItem(item: BusSetupItem): string {
  const kind = item.kind === 'stream' ? 'stream' : item.kind === 'objects' ? 'object store' : 'bucket';
  return `${item.what} ${kind} ${item.name}`;
}

function status(item: BusSetupItem, result: BusSetupResult, ttl: number): string {
  if (item.name === result.jobs.stream) return `${item.status === 'created' ? 'created' : 'already there'}, ${describeRetention(result.jobs.retention)}`;
  if (item.status === 'kept') return 'already there, kept';
  return item.name === result.registry.bucket ? `created (records live ${ttl} s)` : 'created';
}
