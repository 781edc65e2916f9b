#!/usr/bin/env node
// One read of a key-value bucket's current values, the two ways the client can
// do it (`node scripts/bench/kv-read.mjs [--values 1000] [--bytes 1200] [--rounds 20]`):
// "watch" opens the bucket with nats.js (bind, status) and runs one kv.watch
// up to its initializedFn, as the client did before; "latest" is the client's
// one-request read (packages/client/src/bus/kv-latest.ts) that `mine get` and
// `checks` use now. A private nats-server, a bucket of --values values of
// --bytes random bytes; the two take turns, the first of each round
// alternating. Prints wall ms and this process's CPU ms per read, p50 and p99.
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { connectBus } from '@cohort/client';
import { startNatsServer } from '../harness.mjs';
import { loadAverage, median } from './util.mjs';

const { values: o } = parseArgs({ options: { values: { type: 'string', default: '1000' }, bytes: { type: 'string', default: '1200' }, rounds: { type: 'string', default: '20' } } });
const n = Number(o.values);
const rounds = Number(o.rounds);
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const nats = await startNatsServer({ jetstream: true });
const bus = await connectBus({ servers: [nats.url] });
const kv = await bus.mineKv('bench', true);
for (let i = 0; i < n; i++) await kv.put(`role.node-${String(i).padStart(5, '0')}`, randomBytes(Number(o.bytes)));
const ways = {
  async watch() {
    const k = await bus.mineKv('bench', false);
    let count = 0;
    await k.watch('role.>', () => count++, false);
    return count;
  },
  async latest() {
    let count = 0;
    await bus.mineKv.latest('bench', 'role.>', () => count++);
    return count;
  },
};
const t = { watch: { wall: [], cpu: [] }, latest: { wall: [], cpu: [] } };
const load0 = loadAverage();
for (let r = 0; r < rounds + 2; r++) {
  for (const name of r % 2 ? ['latest', 'watch'] : ['watch', 'latest']) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const count = await ways[name]();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (count !== n) throw new Error(`${name} read ${count} values of ${n}`);
    if (r < 2) continue; // warm-up
    t[name].wall.push(wall);
    t[name].cpu.push((c.user + c.system) / 1000);
  }
}
console.log(`${n} values of ${o.bytes} bytes, ${rounds} rounds; load ${load0} → ${loadAverage()}`);
console.log('| read | wall p50 | wall p99 | CPU p50 | CPU p99 |\n| --- | --- | --- | --- | --- |');
for (const [name, x] of Object.entries(t)) console.log(`| ${name} | ${median(x.wall).toFixed(1)} ms | ${percentile(x.wall, 99).toFixed(1)} ms | ${median(x.cpu).toFixed(1)} ms | ${percentile(x.cpu, 99).toFixed(1)} ms |`);
await bus.close();
await nats.stop();
