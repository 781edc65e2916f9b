// Waits until nodes appear in a collective's registry bucket (JetStream KV).
// Used by the fleet launcher, the simulator launcher and the benchmarks so a
// run starts only once registry discovery can see every node.
import { connect } from 'nats';

/** Registry keys escape ':' and '@' (see registryKey in packages/core/src/protocol/subjects.ts). */
export const registryKey = (identity) => identity.replace(/[:@]/g, (c) => (c === ':' ? '=3A' : '=40'));

/**
 * Poll `cohort_registry_<collective>` until every identity has a record.
 * @param {string} natsUrl
 * @param {string[]} identities
 * @param {{ timeoutMs?: number, collective?: string, onWait?: () => void }} [options] onWait may throw to abort (a node died)
 */
export async function waitForRegistry(natsUrl, identities, options = {}) {
  const collective = options.collective ?? 'cohort';
  const deadline = Date.now() + (options.timeoutMs ?? 30000);
  const nc = await connect({ servers: natsUrl, name: 'cohort registry wait' });
  try {
    const wanted = new Set(identities.map(registryKey));
    let missing = wanted.size;
    const stream = `KV_cohort_registry_${collective}`;
    const prefix = `$KV.cohort_registry_${collective}.`;
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
