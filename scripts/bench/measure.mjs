// (b) the client library with registry discovery, (c) the CLI as a user runs
// it, (d) broadcast discovery with the quiet window, and sequential requests/s.
import { spawnSync } from 'node:child_process';
import { Client } from '@cohort/client';
import { cohortLauncher } from '../harness.mjs';
import { sleep } from './util.mjs';
import { benchIssuer, benchNodeTrust } from './trust.mjs';

/** (b): `rpcutil ping` through Client with registry discovery; also client CPU per 1,000 replies. */
export async function measureLibrary(natsUrl, n, { runs, warmup }) {
  const client = await Client.connect({ servers: natsUrl, discoveryMethod: 'registry', callerid: 'user=bench', nodeTrust: benchNodeTrust() });
  try {
    const samples = [];
    let lost = 0;
    let cpuMicros = 0;
    let replies = 0;
    for (let i = 0; i < warmup + runs; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const call = client.rpc({ agent: 'rpcutil', action: 'ping', discoveryMethod: 'registry' });
      for await (const _ of call);
      const stats = await call.stats();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (i >= warmup) {
        samples.push(ms);
        lost += n - stats.responded + (stats.discovered === n ? 0 : Math.abs(n - stats.discovered));
        cpuMicros += cpu.user + cpu.system;
        replies += stats.responded;
      }
      await sleep(20);
    }
    return { samples, lost, cpuMsPer1000: replies ? cpuMicros / 1000 / (replies / 1000) : NaN };
  } finally {
    await client.close();
  }
}

/** Sequential requests per second (registry discovery) for `seconds`. */
export async function measureSequential(natsUrl, n, seconds) {
  const client = await Client.connect({ servers: natsUrl, discoveryMethod: 'registry', callerid: 'user=bench', nodeTrust: benchNodeTrust() });
  try {
    for (let i = 0; i < 5; i++) await (client.rpc({ agent: 'rpcutil', action: 'ping' })).stats();
    let count = 0;
    let lost = 0;
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    while (performance.now() < end) {
      const stats = await client.rpc({ agent: 'rpcutil', action: 'ping' }).stats();
      lost += n - stats.responded;
      count++;
    }
    return { perSecond: count / ((performance.now() - t0) / 1000), lost, count };
  } finally {
    await client.close();
  }
}

/** (c): `cohort rpc rpcutil ping` in a new process (the installed command: its launcher), wall time; output is read from a pipe. */
export function measureCli(natsUrl, n, { runs, warmup }) {
  const samples = [];
  let lost = 0;
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cohortLauncher, ['rpc', 'rpcutil', 'ping', '--issuer', benchIssuer().publicFile], {
      env: { ...process.env, COHORT_NATS: natsUrl, COHORT_CONFIG: '', NO_COLOR: '1' },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const ms = performance.now() - t0;
    const m = /Finished processing (\d+) \/ (\d+) hosts/.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error(`cohort rpc rpcutil ping exited ${r.status} at N=${n}: ${r.stderr.slice(0, 500)}`);
    if (i >= warmup) {
      samples.push(ms);
      lost += n - Number(m[1]);
    }
  }
  return { samples, lost };
}

/** (d): broadcast discovery with the default 2 s timeout and 300 ms quiet window. */
export async function measureBroadcast(natsUrl, n, { runs, warmup }) {
  const client = await Client.connect({ servers: natsUrl, callerid: 'user=bench' });
  try {
    const samples = [];
    let lost = 0;
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = performance.now();
      const found = await client.discover(undefined, { timeout: 2, window: 0.3 });
      const ms = performance.now() - t0;
      if (i >= warmup) {
        samples.push(ms);
        lost += n - new Set(found).size;
      }
      await sleep(20);
    }
    return { samples, lost };
  } finally {
    await client.close();
  }
}
