#!/usr/bin/env node
// Instructions per request of one real cohortd, counted by valgrind's
// callgrind (no hardware counters needed, and the count does not depend on
// the load of the machine, unlike CPU time): is a request that arrives after
// a pause more work, or the same work run slower (cold caches)?
//
//   node scripts/bench/daemon-instructions.mjs [--gap 0,300] [--requests 100] [--out DIR]
//
// One private nats-server, one daemon (this tree's bin/cohortd.js with its
// shebang's V8 flags) under `valgrind --tool=callgrind`, and the client
// library sending `rpcutil ping` to it: a warm-up of --requests calls, then
// for each gap (ms between calls) the counters are zeroed, the calls made
// and the counters dumped (`callgrind_control`); last, the same for a quiet
// window as long as the longest section, for what the daemon does unasked.
// Prints instructions per request for each section; the dumps stay in --out
// (callgrind_annotate FILE). Slow: the daemon runs ~30-50× slower.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@cohort/client';
import { cohortdBin, startNatsServer, syntheticNodes, waitForRegistry } from '../harness.mjs';
import { writeDaemonConfig } from './real-fleet.mjs';
import { benchNodeTrust, removeBenchIssuer } from './trust.mjs';
import { sleep } from './util.mjs';

const { values } = parseArgs({ options: { gap: { type: 'string', default: '0,300' }, requests: { type: 'string', default: '100' }, out: { type: 'string' } } });
const requests = Number(values.requests);
if (!Number.isInteger(requests) || requests < 1) throw new Error(`--requests must be a whole number of at least 1 (got '${values.requests}')`);
const gaps = values.gap.split(',').map((g) => {
  const v = Number(g);
  if (g.trim() === '' || !Number.isFinite(v) || v < 0) throw new Error(`--gap must be milliseconds of at least 0, or a comma-separated list of them (got '${values.gap}')`);
  return v;
});
try {
  execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
} catch {
  throw new Error('callgrind_control is missing: install valgrind (apt-get install -y valgrind)');
}
const out = resolve(values.out ?? mkdtempSync(join(tmpdir(), 'cohort-callgrind-')));
mkdirSync(out, { recursive: true });

const flags = readFileSync(cohortdBin, 'utf8').split('\n')[0].split(/\s+/).filter((w) => w.startsWith('--'));
const nats = await startNatsServer({ jetstream: true });
const dir = mkdtempSync(join(tmpdir(), 'cohort-daemon-instructions-'));
const [node] = syntheticNodes(1);
// --smc-check=all-non-file: V8 writes machine code (Sparkplug, IC stubs) into anonymous memory at run time.
const child = spawn('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${join(out, 'callgrind.out.%p')}`, process.execPath, ...flags, cohortdBin, '--config', writeDaemonConfig(nats.url, node, dir, { nodeKeys: true })], { stdio: ['ignore', 'ignore', 'ignore'] });
const control = (...args) => execFileSync('callgrind_control', [...args, String(child.pid)], { stdio: 'ignore' });
/** Instructions in the dump labelled `label` (its `summary:` line). */
const dumped = (label) => {
  for (const f of readdirSync(out)) {
    const text = readFileSync(join(out, f), 'utf8');
    if (text.includes(`Trigger: dump ${label}\n`)) return Number(/^summary: (\d+)/m.exec(text)?.[1]);
  }
  throw new Error(`no callgrind dump labelled ${label} in ${out}`);
};
try {
  await waitForRegistry(nats.url, [node.identity], { timeoutMs: 600000 });
  const client = await Client.connect({ servers: nats.url, callerid: 'user=bench', nodeTrust: benchNodeTrust() });
  const ping = async (gapMs) => {
    for (let i = 0; i < requests; i++) {
      const stats = await client.rpc({ agent: 'rpcutil', action: 'ping', nodes: [node.identity], timeout: 60 }).stats();
      if (stats.responded !== 1) throw new Error('the daemon did not reply');
      if (gapMs > 0) await sleep(gapMs);
    }
  };
  await ping(0); // warm-up
  await sleep(20000); // start-up GCs (V8's memory reducer)
  const rows = [];
  let longest = 0;
  for (const gapMs of gaps) {
    control('--zero');
    const t0 = performance.now();
    await ping(gapMs);
    const seconds = (performance.now() - t0) / 1000;
    longest = Math.max(longest, seconds);
    control(`--dump=gap${gapMs}`);
    rows.push({ gapMs, seconds, instructions: dumped(`gap${gapMs}`) });
  }
  control('--zero');
  await sleep(longest * 1000);
  control('--dump=quiet');
  const quietPerSecond = dumped('quiet') / longest;
  await client.close();
  console.log(`one cohortd under callgrind, ${requests} pings per gap; quiet: ${(quietPerSecond / 1000).toFixed(0)} k instructions/s; dumps in ${out}`);
  console.log('| gap | section | instructions per request | less the quiet rate |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) {
    const per = r.instructions / requests;
    console.log(`| ${r.gapMs} ms | ${r.seconds.toFixed(1)} s | ${(per / 1000).toFixed(0)} k | ${((r.instructions - quietPerSecond * r.seconds) / requests / 1000).toFixed(0)} k |`);
  }
} finally {
  const exited = new Promise((done) => child.once('exit', done));
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
  removeBenchIssuer();
}
