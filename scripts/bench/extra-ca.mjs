#!/usr/bin/env node
// What NODE_EXTRA_CA_CERTS costs `cohort` and `cohortd`, and what deferring it
// (the launchers, @cohort/core/deferred-extra-ca) buys: interleaved rounds of
//   `node -e 0`                 with the variable as the environment has it, and without it
//   `cohort --help`             launcher (bin/cohort) vs `node bin/cohort.cjs`
//   `cohort rpc rpcutil ping --nodes FILE` against real daemons, launcher vs direct,
//                               wall time and COHORT_TIMING's "requests published"
//                               (the first request on the wire, ms since the process started)
// and the idle RSS of daemons started through the cohortd launcher vs
// `node <its V8 flags> bin/cohortd.cjs` (which reads the file at start).
// Both sides keep NODE_EXTRA_CA_CERTS as the environment has it; set it first
// (e.g. NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt) to see its tax.
// --tls: the bus speaks TLS with a certificate from a private CA (made with
// openssl) that only NODE_EXTRA_CA_CERTS names: the file becomes that bundle
// plus the private CA, so every run pays for reading it (at start, or on
// the first TLS connection).
//
//   node scripts/bench/extra-ca.mjs [--nodes 10] [--rounds 15] [--tls]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cohortBin, cohortdBin, cohortdLauncher, cohortLauncher, startNatsServer, syntheticNodes, waitForRegistry } from '../harness.mjs';
import { writeDaemonConfig } from './real-fleet.mjs';
import { benchIssuer } from './trust.mjs';
import { anonKb, loadAverage, median, rssKb, shebangFlags, sleep } from './util.mjs';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '10' }, rounds: { type: 'string', default: '15' }, tls: { type: 'boolean', default: false } } });
const n = Number(values.nodes);
const rounds = Number(values.rounds);
const dir = mkdtempSync(join(tmpdir(), 'cohort-extra-ca-bench-'));

/** --tls: a private CA, a server certificate for 127.0.0.1, and NODE_EXTRA_CA_CERTS = the environment's file + the CA. */
function privateCa() {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=bench private CA', '-days', '2');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  // nats.js upgrades its socket without the host, so Node checks an IP URL's certificate against "localhost".
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  writeFileSync(join(dir, 'nats.conf'), `tls { cert_file: "${join(dir, 'server.pem')}", key_file: "${join(dir, 'server.key')}" }\n`);
  const bundle = join(dir, 'extra-ca-bundle.pem');
  writeFileSync(bundle, `${process.env.NODE_EXTRA_CA_CERTS ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8') : ''}${readFileSync(join(dir, 'ca.pem'), 'utf8')}`);
  process.env.NODE_EXTRA_CA_CERTS = bundle;
}
if (values.tls) privateCa();
const extraCa = process.env.NODE_EXTRA_CA_CERTS;

/** Wall ms of one run (and its stderr); throws unless it exits 0. */
function timed(cmd, args, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, COHORT_CONFIG: '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stderr: r.stderr };
}

const published = (stderr) => Number(/timing:\s+([\d.]+) ms\s+\([^)]*\)\s+requests published/.exec(stderr)?.[1] ?? NaN);

const nats = await startNatsServer({ jetstream: true, ...(values.tls ? { args: ['-c', join(dir, 'nats.conf')] } : {}) });
const natsUrl = values.tls ? `tls://127.0.0.1:${nats.port}` : nats.url;
const daemonFlags = shebangFlags(cohortdBin);
const children = [];
try {
  const nodes = syntheticNodes(n);
  // Half the daemons through the launcher, half as `node <flags> cohortd.cjs` (node reads the file at start).
  nodes.forEach((node, i) => {
    const config = writeDaemonConfig(natsUrl, node, dir, { nodeKeys: true });
    const viaLauncher = i % 2 === 0;
    children.push({ viaLauncher, child: spawn(viaLauncher ? cohortdLauncher : process.execPath, viaLauncher ? ['--config', config] : [...daemonFlags, cohortdBin, '--config', config], { stdio: 'ignore' }) });
  });
  const list = join(dir, 'nodes.txt');
  writeFileSync(list, `${nodes.map((x) => x.identity).join('\n')}\n`);
  const ping = ['rpc', 'rpcutil', 'ping', '--nodes', list, '--issuer', benchIssuer().publicFile];
  const env = { COHORT_NATS: natsUrl };
  if (!values.tls) await waitForRegistry(natsUrl, nodes.map((x) => x.identity), { timeoutMs: 300000 });
  else {
    // This process did not start with the bundle: wait until the CLI (which does) gets every reply.
    const deadline = Date.now() + 120000;
    for (;;) {
      const r = spawnSync(cohortLauncher, ping, { env: { ...process.env, ...env, COHORT_CONFIG: '' }, encoding: 'utf8' });
      if (r.status === 0) break;
      if (Date.now() > deadline) throw new Error(`the daemons did not all answer over TLS within 120 s: ${r.stderr}`);
      await sleep(500);
    }
  }
  const variants = { launcher: [cohortLauncher, []], direct: [process.execPath, [cohortBin]] };
  for (const [cmd, pre] of Object.values(variants)) timed(cmd, [...pre, ...ping], env); // warm the page cache and code cache
  const load0 = loadAverage();
  const s = { node: [], nodeBare: [], help: { launcher: [], direct: [] }, ping: { launcher: [], direct: [] }, firstRequest: { launcher: [], direct: [] } };
  for (let i = 0; i < rounds; i++) {
    s.node.push(timed(process.execPath, ['-e', '0']).ms);
    s.nodeBare.push(timed(process.execPath, ['-e', '0'], { NODE_EXTRA_CA_CERTS: undefined }).ms);
    // Alternate which variant goes first, so neither always runs right after the other.
    const order = i % 2 ? ['direct', 'launcher'] : ['launcher', 'direct'];
    for (const v of order) {
      const [cmd, pre] = variants[v];
      s.help[v].push(timed(cmd, [...pre, '--help']).ms);
      s.ping[v].push(timed(cmd, [...pre, ...ping], env).ms);
      s.firstRequest[v].push(published(timed(cmd, [...pre, ...ping], { ...env, COHORT_TIMING: '1' }).stderr));
    }
  }
  const load1 = loadAverage();
  await sleep(5000);
  const rss = (launcher) => {
    const group = children.filter((c) => c.viaLauncher === launcher);
    return { rss: median(group.map((c) => rssKb(c.child.pid))) / 1024, anon: median(group.map((c) => anonKb(c.child.pid))) / 1024, count: group.length };
  };
  const fmt = (xs) => `${median(xs).toFixed(1)} ms`;
  const out = [
    `NODE_EXTRA_CA_CERTS=${extraCa ?? '(unset)'}${values.tls ? ' (the environment\'s file + a private CA); a TLS bus' : ''}; ${n} real daemons; ${rounds} interleaved rounds, medians; load average ${load0.toFixed(2)} at the start, ${load1.toFixed(2)} at the end; Node ${process.version}`,
    '',
    `\`node -e 0\`: ${fmt(s.node)} as the environment has it, ${fmt(s.nodeBare)} without NODE_EXTRA_CA_CERTS`,
    '',
    '| | launcher (bin/cohort) | `node bin/cohort.cjs` |',
    '|---|---|---|',
    `| \`cohort --help\` | ${fmt(s.help.launcher)} | ${fmt(s.help.direct)} |`,
    `| \`cohort rpc rpcutil ping --nodes FILE\` (${n} daemons) | ${fmt(s.ping.launcher)} | ${fmt(s.ping.direct)} |`,
    `| first request on the wire (COHORT_TIMING "requests published") | ${fmt(s.firstRequest.launcher)} | ${fmt(s.firstRequest.direct)} |`,
    '',
    `idle cohortd RSS (median, private in brackets): launcher ${rss(true).rss.toFixed(1)} MB (${rss(true).anon.toFixed(1)} MB) of ${rss(true).count}; \`node <flags> cohortd.cjs\` ${rss(false).rss.toFixed(1)} MB (${rss(false).anon.toFixed(1)} MB) of ${rss(false).count}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  for (const { child } of children) child.kill('SIGTERM');
  await Promise.all(children.map(({ child }) => (child.exitCode !== null ? undefined : new Promise((r) => child.once('exit', r)))));
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
}
