// CPU per reply: raw responders vs cohort-sim, N nodes in one process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'nats';
import { startNatsServer } from '../lib/nats-server.mjs';
import { waitForRegistry } from '../lib/registry.mjs';
import { encode, newRequestId, ProtocolTag, emptyFilter, nodeSubject } from '@cohort/core';
const n = Number(process.argv[2] ?? 1000);
const cpuOf = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const nats = await startNatsServer({ jetstream: true });
const nc = await connect({ servers: nats.url });
const ids = Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
async function run(label, pid, send, reps = 100) {
  const c0 = cpuOf(pid), s0 = cpuOf(nats.process.pid), t0 = performance.now();
  for (let k = 0; k < reps; k++) {
    const id = newRequestId(); const inbox = `cohort.reply.x.${id}`;
    let got = 0, done; const fin = new Promise((r) => (done = r));
    const sub = nc.subscribe(inbox, { callback: () => { if (++got === n) done(); } });
    await nc.flush(); send(id, inbox); await fin; sub.unsubscribe();
  }
  const wall = (performance.now() - t0) / reps;
  console.log(label.padEnd(10), 'node-side cpu µs/reply', ((cpuOf(pid) - c0) * 1000 / (reps * n)).toFixed(1), ' nats-server µs/reply', ((cpuOf(nats.process.pid) - s0) * 1000 / (reps * n)).toFixed(1), ' wall ms/req', wall.toFixed(1));
}
const raw = spawn(process.execPath, ['scripts/bench/raw-responder.mjs', '--nats', nats.url, '--count', String(n), '--subject', 'bench.ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
await new Promise((r) => raw.stdout.on('data', (d) => String(d).startsWith('ready') && r()));
await run('raw', raw.pid, (id, inbox) => nc.publish('bench.ping', new Uint8Array(0), { reply: inbox }), 20);
await run('raw', raw.pid, (id, inbox) => nc.publish('bench.ping', new Uint8Array(0), { reply: inbox }));
const big = new Uint8Array(450).fill(65);
await run('raw450', raw.pid, (id, inbox) => nc.publish('bench.ping', big, { reply: inbox }));
await run('raw', raw.pid, (id, inbox) => nc.publish('bench.ping', new Uint8Array(0), { reply: inbox }));
await run('raw450', raw.pid, (id, inbox) => nc.publish('bench.ping', big, { reply: inbox }));
raw.kill('SIGTERM'); await new Promise((r) => raw.once('exit', r));
const sim = spawn(process.execPath, [...(process.env.SIMFLAGS ? process.env.SIMFLAGS.split(' ') : []), 'packages/server/bin/cohort-sim.js', '--nats', nats.url, '--count', String(n), '--per-process', '5000', '--interval', '600', '--ttl', '1800'], { stdio: ['ignore', 'pipe', 'ignore'] });
await new Promise((r) => sim.stdout.on('data', (d) => String(d).startsWith('ready') && r()));
await waitForRegistry(nats.url, ids);
const send = (id, inbox) => { const bytes = encode({ protocol: ProtocolTag.Request, id, sender: 'b', callerid: 'user=b', collective: 'cohort', agent: 'rpcutil', action: 'ping', data: {}, filter: { ...emptyFilter(), agent: ['rpcutil'] }, ttl: 60, time: Date.now(), reply_to: inbox }); for (const i of ids) nc.publish(nodeSubject('cohort', i), bytes); };
await run('sim', sim.pid, send, 20);
await run('sim', sim.pid, send);
const sendB = (id, inbox) => { const bytes = encode({ protocol: ProtocolTag.Request, id, sender: 'b', callerid: 'user=b', collective: 'cohort', agent: 'rpcutil', action: 'ping', data: {}, filter: { ...emptyFilter(), agent: ['rpcutil'] }, ttl: 60, time: Date.now(), reply_to: inbox }); nc.publish('cohort.broadcast.agent.rpcutil', bytes); };

await nc.close(); sim.kill('SIGTERM'); await new Promise((r) => sim.once('exit', r)); await nats.stop();
