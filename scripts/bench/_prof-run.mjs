import { spawn } from 'node:child_process';
import { startNatsServer } from '/work/main/scripts/lib/nats-server.mjs';
import { waitForRegistry } from '/work/main/scripts/lib/registry.mjs';
import { Client } from '@cohort/client';
const n = Number(process.argv[2] ?? 1000);
const mode = process.argv[3] ?? 'registry';
const nats = await startNatsServer({ jetstream: true });
const sim = spawn(process.execPath, ['/work/main/packages/server/bin/cohort-sim.js', '--nats', nats.url, '--count', String(n), '--per-process', '5000', '--interval', '600', '--ttl', '1800'], { stdio: ['ignore', 'pipe', 'ignore'] });
await new Promise((resolve) => sim.stdout.on('data', (d) => { if (String(d).startsWith('ready')) resolve(); }));
await waitForRegistry(nats.url, Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`));
const client = await Client.connect({ servers: nats.url, callerid: 'user=bench', discoveryMethod: mode });
const times = [];
const cpu0 = process.cpuUsage();
for (let i = 0; i < 40; i++) {
  const t0 = performance.now();
  const call = client.rpc({ agent: 'rpcutil', action: 'ping' });
  for await (const _ of call); const s = await call.stats();
  times.push(performance.now() - t0);
  if (s.responded !== n) console.log('lost', n - s.responded);
  await new Promise((r) => setTimeout(r, 20));
}
const cpu = process.cpuUsage(cpu0);
times.sort((a, b) => a - b);
console.log('median', times[20].toFixed(1), 'min', times[0].toFixed(1), 'client cpu ms', ((cpu.user + cpu.system) / 1000).toFixed(0));
await client.close();
sim.kill('SIGTERM');
await new Promise((r) => sim.once('exit', r));
await nats.stop();
