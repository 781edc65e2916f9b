// `pnpm bench --scale`: N virtual nodes (default 50,000) spread evenly over a
// 3-server NATS cluster (one nats-server here holds at most ~19,900
// connections: the hard open-files limit is 20,000). (a) the raw nats.js
// floor with the same connections, the client on the first server; (b)
// `rpcutil ping` through the client library addressed to the known node list
// (no registry: 50,000 registrations would measure JetStream, not the RPC
// path), every node running cohortd's pipeline in cohort-sim.
import { Client } from '@cohort/client';
import { startNatsCluster } from '../harness.mjs';
import { simBin, simNodeFlags } from './fleet.mjs';
import { measureFloor, startRawResponders } from './floor.mjs';
import { loadAverage, median, rssKb, sleep, startReady } from './util.mjs';

/** Split n into `parts` near-equal counts. */
function split(n, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

/** cohort-sim processes: the nodes of each share go to one cluster member. */
async function startClusterSim(urls, n, perProcess, log) {
  const shares = split(n, urls.length);
  const sims = [];
  let first = 1;
  const t0 = performance.now();
  try {
    for (const [i, count] of shares.entries()) {
      const args = [...simNodeFlags, simBin, '--log-level', 'error', '--nats', urls[i], '--first', String(first), '--count', String(count), '--per-process', String(perProcess), '--no-registration'];
      sims.push(await startReady(process.execPath, args, { timeoutMs: 1200000 }));
      log(`  ${first + count - 1} virtual nodes connected (${Math.round((performance.now() - t0) / 1000)} s)`);
      first += count;
    }
  } catch (err) {
    await Promise.all(sims.map((s) => s.stop()));
    throw err;
  }
  const pids = sims.flatMap((s) => (s.line.split(' ')[3] ?? '').replace('pids=', '').split(',').map(Number).filter(Boolean));
  return { pids, readyMs: performance.now() - t0, stop: () => Promise.all(sims.map((s) => s.stop())) };
}

/** (b) at scale: `runs` pings to the known node list after `warmup`. */
async function measureKnownNodes(url, ids, { runs, warmup, timeoutS }) {
  const client = await Client.connect({ servers: url, callerid: 'user=bench' });
  try {
    const samples = [];
    let lost = 0;
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = performance.now();
      const stats = await client.rpc({ agent: 'rpcutil', action: 'ping', nodes: ids, timeout: timeoutS }).stats();
      const ms = performance.now() - t0;
      if (i >= warmup) {
        samples.push(ms);
        lost += ids.length - stats.responded;
      }
      await sleep(200);
    }
    return { samples, lost };
  } finally {
    await client.close();
  }
}

/** (a) at scale: raw responders spread like the virtual nodes, the client on the first server. */
async function measureRawFloor(urls, shares, o) {
  const raws = [];
  try {
    for (const [i, count] of shares.entries()) raws.push(await startRawResponders(urls[i], count, o.perProcess));
    await sleep(2000);
    o.log('scale: (a) floor ...');
    return await measureFloor(urls[0], shares.reduce((a, b) => a + b, 0), o);
  } finally {
    await Promise.all(raws.map((r) => r.stop()));
  }
}

/** A cluster member's connection count and memory (its monitoring endpoint). */
async function varz(monitorPort) {
  const body = await (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).json();
  return { connections: body.connections ?? 0, memMb: (body.mem ?? 0) / 2 ** 20 };
}

/**
 * @param {{ n: number, runs: number, warmup: number, perProcess: number, log: (s: string) => void }} o
 */
export async function measureClusterScale(o) {
  const load = loadAverage();
  o.log(`scale: N=${o.n} over a 3-server cluster; load ${load.toFixed(2)}`);
  const cluster = await startNatsCluster(3);
  try {
    const shares = split(o.n, 3);
    o.log('scale: starting the floor\'s raw responders ...');
    const floor = await measureRawFloor(cluster.urls, shares, o);
    o.log(`scale: floor ${median(floor.samples).toFixed(0)} ms (${floor.lost} lost); starting ${o.n} virtual nodes ...`);
    const sim = await startClusterSim(cluster.urls, o.n, o.perProcess, o.log);
    try {
      await sleep(2000);
      const ids = Array.from({ length: o.n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
      o.log('scale: (b) library, known node list ...');
      const lib = await measureKnownNodes(cluster.urls[0], ids, { ...o, timeoutS: 60 });
      const rss = sim.pids.reduce((sum, pid) => sum + rssKb(pid), 0);
      const servers = await Promise.all(cluster.members.map((m) => varz(m.monitorPort)));
      return {
        n: o.n,
        load,
        loadAfter: loadAverage(),
        runs: o.runs,
        floor: { median: median(floor.samples), lost: floor.lost },
        library: { median: median(lib.samples), lost: lib.lost },
        simReadyS: sim.readyMs / 1000,
        rssPerNodeKb: rss / o.n,
        servers,
      };
    } finally {
      await sim.stop();
    }
  } finally {
    await cluster.stop();
  }
}

/** The markdown for one scale run. */
export function renderScale(env, r) {
  const ratio = r.library.median / r.floor.median;
  return [
    `# Cohort scale benchmark (${env.date})`,
    '',
    `Machine: ${env.cpus} × ${env.cpuModel}, ${env.memGb} GB RAM; Node ${env.node}; ${env.natsServer}, 3 servers in a full-mesh cluster on loopback.`,
    `${r.n} virtual nodes (cohort-sim, cohortd's pipeline, unsigned, no registration) spread evenly over the 3 servers, ${env.perProcess} per process; the floor's raw nats.js responders the same way. The client is connected to the first server. Medians of ${r.runs} requests after warm-up. Load average ${r.load.toFixed(2)} before, ${r.loadAfter.toFixed(2)} after.`,
    '',
    '| N | (a) floor: raw nats.js scatter-gather | (b) library, `rpcutil ping` to the known node list | b/a | replies lost a/b | RSS per virtual node | nodes connected in | connections per server | nats-server memory |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${r.n} | ${r.floor.median.toFixed(0)} ms | ${r.library.median.toFixed(0)} ms | ${ratio.toFixed(2)} | ${r.floor.lost}/${r.library.lost} | ${r.rssPerNodeKb.toFixed(0)} kB | ${r.simReadyS.toFixed(0)} s | ${r.servers.map((s) => s.connections).join(' / ')} | ${r.servers.map((s) => `${s.memMb.toFixed(0)} MB`).join(' / ')} |`,
    '',
    `Target: all ${r.n} answering, none lost, within 2× the floor: ${r.library.lost === 0 && r.floor.lost === 0 ? 'none lost' : 'REPLIES LOST'}, b/a ${ratio.toFixed(2)} (${ratio <= 2 ? 'met' : 'MISSED'}).`,
    '',
  ].join('\n');
}
