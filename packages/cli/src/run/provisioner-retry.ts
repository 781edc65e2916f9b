import { UsageError } from '@cohort/core';
import { resetForRetry } from '@cohort/provisioner';
import { bool, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openStateForCli } from './provisioner-connect.js';

/** `cohort provisioner retry NODE`: back to pending from the first step; running provisioners see the change at once. */
export async function runProvisionerRetry(argv: Args, io: CliIo): Promise<Outcome> {
  const node = str(argv, 'node');
  if (node === undefined || node === '') throw new UsageError('give the node: cohort provisioner retry NODE');
  const store = await openStateForCli(argv, io);
  try {
    const entry = await store.get(node);
    if (!entry) throw new UsageError(`${node} has no provisioning state in ${store.name} (cohort provisioner status lists the nodes); a node waiting in the provisioning collective is found by discovery anyway`);
    const r = entry.record;
    const now = Date.now();
    if (r.phase === 'running' && r.lease_until > now && !bool(argv, 'force')) {
      throw new UsageError(`${node} is being provisioned by ${r.owner ?? '?'} right now (at ${r.step ?? 'the start'}, claim until ${new Date(r.lease_until).toISOString()}); add --force to take it from it`);
    }
    const revision = await store.update(resetForRetry(r, now), entry.revision);
    if (revision === undefined) throw new UsageError(`${node}'s state changed while retrying; run the command again`);
    const was = r.phase === 'failed' || r.error ? `${r.phase}${r.error ? `: ${r.error}` : ''}` : r.phase;
    io.stdout.write(`${node} will be provisioned again from the first step (it was ${was})\n`);
    return { kind: 'done' };
  } finally {
    await store.close();
  }
}
