// Waits until nodes appear in a collective's registry bucket (JetStream KV).
// Used by the fleet launcher, the simulator launcher and the benchmarks so a
// run starts only once registry discovery can see every node. Bucket and key
// names come from core (registryBucket, registryKey), as the nodes write them.
import { connect } from 'nats';
import { registryBucket, registryKey } from '@cohort/core';

export { registryKey };

export interface RegistryWaitOptions {
  timeoutMs?: number;
  collective?: string;
  /** Called between polls; may throw to abort (a node died). */
  onWait?: () => void;
}

/** Poll the collective's registry bucket until every identity has a record. */
export async function waitForRegistry(natsUrl: string, identities: string[], options: RegistryWaitOptions = {}): Promise<void> {
  const bucket = registryBucket(options.collective ?? 'cohort');
  const deadline = Date.now() + (options.timeoutMs ?? 30000);
  const nc = await connect({ servers: natsUrl, name: 'cohort registry wait' });
  try {
    const wanted = new Set(identities.map(registryKey));
    let missing = wanted.size;
    // A key-value bucket is the stream KV_<bucket>; its keys are the subjects $KV.<bucket>.<key>.
    const stream = `KV_${bucket}`;
    const prefix = `$KV.${bucket}.`;
    const jsm = await nc.jetstreamManager();
    for (;;) {
      try {
        // The stream's per-subject counts: no consumer is created (a consumer per poll would
        // linger on the server and announce its deletion seconds later, in someone's test).
        const info = await jsm.streams.info(stream, { subjects_filter: '>' });
        const present = Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
        missing = wanted.size - present.filter((key) => wanted.has(key)).length;
        if (missing === 0) return;
      } catch {
        // No bucket yet: the first node has not registered.
      }
      options.onWait?.();
      if (Date.now() > deadline) throw new Error(`${missing} of ${wanted.size} node(s) not in the registry after ${options.timeoutMs ?? 30000} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await nc.close();
  }
}
