import { spawn } from 'node:child_process';
import { connect } from 'nats';
import { startNatsServer } from '../lib/nats-server.mjs';
import { waitForRegistry } from '../lib/registry.mjs';
import { encode, newRequestId, ProtocolTag, emptyFilter, nodeSubject } from '@cohort/core';
const n = Number(process.argv[2] ?? 1000), reps = Number(process.argv[3] ?? 300);
const nats = await startNatsServer({ jetstream: true });
const nc = await connect({ servers: nats.url });
const ids = Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
const sim = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/simprof', 'packages/server/bin/cohort-sim.js', '--nats', nats.url, '--count', String(n), '--per-process', '5000', '--interval', '600', '--ttl', '1800', '--no-registration'], { stdio: ['ignore', 'pipe', 'ignore'] });
await new Promise((r) => sim.stdout.on('data', (d) => String(d).startsWith('ready') && r()));
for (let k = 0; k < reps; k++) {
  const id = newRequestId(); const inbox = `cohort.reply.x.${id}`;
  let got = 0, done; const fin = new Promise((r) => (done = r));
  const sub = nc.subscribe(inbox, { callback: () => { if (++got === n) done(); } });
  await nc.flush();
  const bytes = encode({ protocol: ProtocolTag.Request, id, sender: 'b', callerid: 'user=b', collective: 'cohort', agent: 'rpcutil', action: 'ping', data: {}, filter: { ...emptyFilter(), agent: ['rpcutil'] }, ttl: 60, time: Date.now(), reply_to: inbox });
  for (const i of ids) nc.publish(nodeSubject('cohort', i), bytes);
  await fin; sub.unsubscribe();
}
await nc.close(); sim.kill('SIGTERM'); await new Promise((r) => sim.once('exit', r)); await nats.stop();
