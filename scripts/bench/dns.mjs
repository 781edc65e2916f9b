// The DNS benchmark (`pnpm bench --dns`): a private JetStream nats-server
// whose registry bucket holds --nodes (default 10,000) signed records written
// directly (node keys certified by a throwaway issuer; `address`, `services`
// and classes as issue 18's contract says), `cohort dns` as a process, and a
// UDP load generator in this process (one socket, a fixed number of queries in
// flight, a mix of node, service, tag-SRV and class names). Measures queries/s
// and latency (p50/p99) at a few concurrencies, and the time from a registry
// write to the changed answer (a service turning critical, then passing
// again). Targets (issue 18): ≥ 20,000 q/s, p99 ≤ 2 ms, change ≤ 1 s.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import dnsPacket from 'dns-packet';
import { connect } from 'nats';
import { registryBucket, registryKey } from '@cohort/core';
import { cohortBin, freePort, startNatsServer } from '../harness.mjs';
import { loadAverage, median, sleep } from './util.mjs';

const { TestIssuer, registration, service } = await import('../../test/harness/signed-registry.ts');

function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 0) : 'n/a');
const collective = 'bench';
const services = 100;
const classes = 20;

function nodeRecord(i, health = 'passing') {
  return registration(`node${i}.bench.example`, {
    collective,
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    classes: [`role${i % classes}`],
    services: [service(`svc${i % services}`, 9000 + (i % services), [`t${i % 3}`], health)],
  });
}

/** The query mix: node A, service A, tag SRV, class A (class answers are cut to 512 bytes: TC). */
function queryMix(n) {
  const out = [];
  for (let k = 0; k < 1000; k++) {
    const i = (k * 7919) % n;
    const names = [
      [`node${i}.bench.example.node.${collective}.cohort`, 'A'],
      [`svc${k % services}.service.${collective}.cohort`, 'A'],
      [`t${k % 3}.svc${k % services}.service.${collective}.cohort`, 'SRV'],
      [`role${k % classes}.class.${collective}.cohort`, 'A'],
    ];
    const [name, type] = names[k % names.length];
    out.push(dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }));
  }
  return out;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks of 10 ms). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Closed-loop load: `concurrency` queries in flight for `seconds`; q/s, latencies (ms) and the server's CPU per query (µs). */
async function load(port, queries, concurrency, seconds, serverPid) {
  const sock = createSocket('udp4');
  const pending = new Map();
  const lat = [];
  let nextId = 1;
  let k = 0;
  let running = true;
  let lost = 0;
  let truncated = 0;
  let measuring = false;
  const send = () => {
    const id = nextId++ & 0xffff || nextId++ & 0xffff;
    const q = Buffer.from(queries[k++ % queries.length]);
    q.writeUInt16BE(id, 0);
    pending.set(id, performance.now());
    sock.send(q, port, '127.0.0.1');
  };
  sock.on('message', (m) => {
    const id = m.readUInt16BE(0);
    const t = pending.get(id);
    if (t === undefined) return;
    pending.delete(id);
    if (measuring) {
      lat.push(performance.now() - t);
      if (m.readUInt16BE(2) & 0x0200) truncated++;
    }
    if (running) send();
  });
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  const resend = setInterval(() => {
    const now = performance.now();
    for (const [id, t] of pending) if (now - t > 1000) {
      pending.delete(id);
      lost++;
      if (running) send();
    }
  }, 200);
  for (let i = 0; i < concurrency; i++) send();
  await sleep(1000); // warm-up
  measuring = true;
  const started = performance.now();
  const cpuBefore = cpuSeconds(serverPid);
  await sleep(seconds * 1000);
  measuring = false;
  const cpu = cpuSeconds(serverPid) - cpuBefore;
  const elapsed = (performance.now() - started) / 1000;
  running = false;
  clearInterval(resend);
  await sleep(200);
  sock.close();
  return { concurrency, cpuUs: lat.length ? (cpu * 1e6) / lat.length : NaN, qps: lat.length / elapsed, p50: median(lat), p99: percentile(lat, 99), max: Math.max(...lat), lost, truncatedShare: lat.length ? truncated / lat.length : 0 };
}

/** Ask `name` A once over UDP; the addresses. */
function askOnce(port, name) {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => (sock.close(), resolve([])), 500);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve((dnsPacket.decode(m).answers ?? []).map((a) => a.data));
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

/** @param {{ n: number, seconds: number, concurrencies: number[], changes: number, log: (s: string) => void }} o */
export async function benchDns(o) {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-bench-dns-'));
  const nats = await startNatsServer({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  let child;
  try {
    const kv = await nc.jetstream().views.kv(registryBucket(collective), { history: 1 });
    const issuer = new TestIssuer(dir);
    o.log(`signing and writing ${o.n} registry records ...`);
    const writeStarted = Date.now();
    for (let start = 0; start < o.n; start += 200) {
      const batch = [];
      for (let i = start; i < Math.min(o.n, start + 200); i++) batch.push(kv.put(registryKey(`node${i}.bench.example`), issuer.seal(nodeRecord(i))));
      let timer;
      const stalled = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`writing records ${start}.. stalled for 30 s (nats-server busy?)`)), 30_000)));
      await Promise.race([Promise.all(batch), stalled]).finally(() => clearTimeout(timer));
    }
    o.log(`written in ${((Date.now() - writeStarted) / 1000).toFixed(1)} s; starting cohort dns ...`);
    const clientConfig = join(dir, 'client.yaml');
    writeFileSync(clientConfig, `collective: ${collective}\n`);
    const port = await freePort();
    let log = '';
    const loadStarted = Date.now();
    // COHORT_BENCH_DNS_PROFILE=DIR: a CPU profile of cohort dns (written when it stops).
    const profile = process.env.COHORT_BENCH_DNS_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.COHORT_BENCH_DNS_PROFILE] : [];
    child = spawn(process.execPath, [...profile, cohortBin, 'dns', '--listen', `127.0.0.1:${port}`, '-T', collective, '--issuer', issuer.publicFile, '--nats', nats.url, '--log-level', 'warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', COHORT_CONFIG: clientConfig },
    });
    child.stderr.on('data', (d) => (log += d));
    const probe = `node${o.n - 1}.bench.example.node.${collective}.cohort`;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`cohort dns exited: ${log}`);
      if ((await askOnce(port, probe)).length > 0) break;
      await sleep(50);
    }
    const readyS = (Date.now() - loadStarted) / 1000;
    o.log(`answering after ${readyS.toFixed(1)} s (process start, ${o.n} records read and verified)`);
    const queries = queryMix(o.n);
    const runs = [];
    for (const c of o.concurrencies) {
      o.log(`load: ${c} in flight for ${o.seconds} s ...`);
      runs.push({ ...(await load(port, queries, c, o.seconds, child.pid)), load: loadAverage() });
    }
    o.log('floor: a bare node:dgram echo server under the same load ...');
    const floor = await echoFloor(queries, o);
    o.log(`registry change -> answer, ${o.changes} times ...`);
    const changeMs = [];
    const target = 7;
    const name = `svc${target % services}.service.${collective}.cohort`;
    for (let k = 0; k < o.changes; k++) {
      const critical = k % 2 === 0;
      const t0 = performance.now();
      await kv.put(registryKey(`node${target}.bench.example`), issuer.seal(nodeRecord(target, critical ? 'critical' : 'passing')));
      for (;;) {
        // The service has many nodes and a UDP answer holds a few: ask over TCP for every SRV target.
        const present = (await askSrvTargets(port, name)).includes(`node${target}.bench.example.node.${collective}.cohort`);
        if (present !== critical) break;
        if (performance.now() - t0 > 10_000) throw new Error('a change did not show within 10 s');
        await sleep(2);
      }
      changeMs.push(performance.now() - t0);
      await sleep(50);
    }
    return { n: o.n, readyS, runs, floor, change: { count: changeMs.length, p50: median(changeMs), p99: percentile(changeMs, 99), max: Math.max(...changeMs) }, seconds: o.seconds };
  } finally {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    }
    await nc.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The floor: a Node UDP server that sends each query back unchanged (no DNS work), under the same generator. */
async function echoFloor(queries, o) {
  const port = await freePort();
  const code = `const s=require('node:dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(${port},'127.0.0.1',()=>process.stdout.write('ready\\n'));`;
  const echo = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => echo.stdout.once('data', r));
  try {
    const runs = [];
    for (const c of o.concurrencies) runs.push(await load(port, queries, c, Math.min(o.seconds, 3), echo.pid));
    return runs;
  } finally {
    echo.kill();
  }
}

/** SRV targets of `name`, over TCP (every record), to see one node's presence among 100. */
async function askSrvTargets(port, name) {
  const { connect: tcpConnect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = tcpConnect(port, '127.0.0.1');
    const q = dnsPacket.streamEncode({ type: 'query', id: 8, questions: [{ type: 'SRV', name }] });
    let buf = Buffer.alloc(0);
    s.on('connect', () => s.write(q));
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.end();
        resolve((dnsPacket.streamDecode(buf).answers ?? []).map((a) => a.data.target));
      }
    });
    s.on('error', reject);
  });
}

export function renderDns(env, r) {
  const rows = r.runs.map((x) => `| ${x.concurrency} | ${Math.round(x.qps).toLocaleString('en')} | ${fmt(x.p50)} | ${fmt(x.p99)} | ${fmt(x.max)} | ${x.lost} | ${(x.truncatedShare * 100).toFixed(0)} % | ${fmt(x.cpuUs)} | ${x.load.toFixed(2)} |`);
  const bestCpu = Math.min(...r.runs.map((x) => x.cpuUs));
  return [
    `# DNS benchmark (cohort dns), ${env.date}`,
    '',
    `${env.cpus} × ${env.cpuModel}, ${env.memGb} GiB, Node ${env.node}, ${env.natsServer}; load average before: ${env.loadBefore.toFixed(2)} (the machine is shared: other work runs beside the benchmark).`,
    `${r.n.toLocaleString('en')} registered nodes (signed records written directly; ${services} services of ${r.n / services} nodes each, ${classes} classes), \`cohort dns\` as one process, the load generator (one UDP socket, Node) in another on the same 2 cores; ${r.seconds} s per row after 1 s of warm-up; a mix of node A, service A, tag SRV and class A queries (class answers hold ${r.n / classes} nodes: cut to 512 bytes with TC).`,
    `Ready (process start to the last node answered, ${r.n.toLocaleString('en')} records read and verified): ${r.readyS.toFixed(1)} s.`,
    '',
    '| in flight | queries/s | p50 ms | p99 ms | max ms | lost | truncated | server CPU µs/query | load average after |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '| measurement | result | target |',
    '|---|---|---|',
    `| best queries/s | ${Math.round(Math.max(...r.runs.map((x) => x.qps))).toLocaleString('en')} | ≥ 20,000 |`,
    `| floor: bare Node UDP echo server, same load (${r.floor.map((x) => x.concurrency).join('/')} in flight) | ${r.floor.map((x) => Math.round(x.qps).toLocaleString('en')).join(' / ')} q/s; CPU ${r.floor.map((x) => fmt(x.cpuUs)).join(' / ')} µs/query; p99 ${r.floor.map((x) => fmt(x.p99)).join(' / ')} ms | |`,
    `| server CPU per query (best row) → queries/s one free core sustains | ${fmt(bestCpu)} µs → ${Math.round(1e6 / bestCpu).toLocaleString('en')} | ≥ 20,000 |`,
    `| p99 at the lowest concurrency | ${fmt(r.runs[0].p99)} ms | ≤ 2 ms |`,
    `| registry write → changed answer (${r.change.count} changes: a service critical, then passing) | p50 ${fmt(r.change.p50)} ms, p99 ${fmt(r.change.p99)} ms, max ${fmt(r.change.max)} ms | ≤ 1 s |`,
    '',
  ].join('\n');
}
