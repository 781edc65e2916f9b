import { spawn } from 'node:child_process';
import { connect, createInbox } from 'nats';
import { startNatsServer } from '../lib/nats-server.mjs';
import { waitForRegistry } from '../lib/registry.mjs';
import { encode, newRequestId, ProtocolTag, emptyFilter, broadcastSubject, nodeSubject } from '@cohort/core';
const n = Number(process.argv[2] ?? 1000);
const nats = await startNatsServer({ jetstream: true });
const sim = spawn(process.execPath, ['/work/main/packages/server/bin/cohort-sim.js', '--nats', nats.url, '--count', String(n), '--per-process', '5000', '--interval', '600', '--ttl', '1800'], { stdio: ['ignore', 'pipe', 'ignore'] });
await new Promise((resolve) => sim.stdout.on('data', (d) => { if (String(d).startsWith('ready')) resolve(); }));
const ids = Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
await waitForRegistry(nats.url, ids);
const nc = await connect({ servers: nats.url });
async function once(direct) {
  const id = newRequestId();
  const inbox = `cohort.reply.x.${id}`;
  const req = { protocol: ProtocolTag.Request, id, sender: 'b', callerid: 'user=b', collective: 'cohort', agent: 'rpcutil', action: 'ping', data: {}, filter: { ...emptyFilter(), agent: ['rpcutil'] }, ttl: 60, time: Date.now(), reply_to: inbox };
  let got = 0, done; const fin = new Promise((r) => (done = r));
  const sub = nc.subscribe(inbox, { callback: () => { if (++got === n) done(); } });
  await nc.flush();
  const t0 = performance.now();
  const bytes = encode(req);
  if (direct) for (const i of ids) nc.publish(nodeSubject('cohort', i), bytes); else nc.publish(broadcastSubject('cohort', 'rpcutil'), bytes);
  await fin; sub.unsubscribe();
  return performance.now() - t0;
}
for (const direct of [true, false, true, false]) {
  const xs = []; for (let i = 0; i < 23; i++) { const ms = await once(direct); if (i >= 3) xs.push(ms); await new Promise((r) => setTimeout(r, 20)); }
  xs.sort((a, b) => a - b); console.log(direct ? 'direct   ' : 'broadcast', 'median', xs[10].toFixed(1), 'min', xs[0].toFixed(1));
}
await nc.close(); sim.kill('SIGTERM'); await new Promise((r) => sim.once('exit', r)); await nats.stop();
