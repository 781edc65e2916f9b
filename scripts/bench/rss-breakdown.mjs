#!/usr/bin/env node
// Where an idle cohortd's resident memory goes, and what a flag or an
// environment variable changes about it. One private nats-server; for every
// variant given, `--per` real daemons (registered, certified node keys, the
// bench's facts and classes, as in real-fleet.mjs), started interleaved
// (A, B, C, A, B, C, ...) so that load touches all alike; after `--settle`
// seconds, per daemon: RSS, Pss, private and anonymous memory (from
// /proc/PID/smaps_rollup) and a breakdown by mapping (from /proc/PID/smaps):
// the node binary, shared libraries, the malloc [heap], anonymous mappings
// (V8's heap and code, glibc's thread arenas, thread stacks) and the rest;
// then `rpcutil daemon_stats` (the V8 heap in use). Medians per variant.
//
//   node scripts/bench/rss-breakdown.mjs [--per 3] [--settle 15] [--keep-ca] [--smaps] [--hold S] \
//     [--variant 'LABEL [VAR=value ...] [!VAR ...] [--node-flag ...] [!--shebang-flag ...] [bin=PATH]'] ...
//
// A variant's words: VAR=value sets an environment variable, !VAR drops one
// the shebang sets, --flag adds a node flag after the shebang's, !--flag
// drops one of the shebang's, bin=PATH runs another cohortd executable (with
// its own shebang). Without --variant: the tree's bin/cohortd.cjs as is
// ('base'). The daemons run as `VARS node FLAGS BIN` with the variables and
// flags of BIN's shebang line, which is what executing BIN does.
// NODE_EXTRA_CA_CERTS is removed from every daemon's environment unless
// --keep-ca (it costs every node ~2 MB; the packaged launchers drop it).
// --smaps: also print the largest mappings of the first daemon of each variant.
// --hold S: keep the daemons running S seconds after printing (their pids are
// printed), e.g. to take a heap snapshot (a variant with
// --heapsnapshot-signal=SIGUSR2; the file lands in the printed directory).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@cohort/client';
import { cohortdBin, startNatsServer, syntheticNodes, waitForRegistry } from '../harness.mjs';
import { writeDaemonConfig } from './real-fleet.mjs';
import { benchNodeTrust, removeBenchIssuer } from './trust.mjs';
import { loadAverage, median, shebangFlags, shebangWords, sleep } from './util.mjs';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', multiple: true },
    per: { type: 'string', default: '3' },
    settle: { type: 'string', default: '15' },
    'keep-ca': { type: 'boolean' },
    smaps: { type: 'boolean' },
    hold: { type: 'string', default: '0' },
  },
});
const per = Number(values.per);
const settleS = Number(values.settle);
if (!Number.isInteger(per) || per < 1) throw new Error(`--per must be a whole number of at least 1 (got '${values.per}')`);
if (!Number.isFinite(settleS) || settleS < 0) throw new Error(`--settle must be a number of seconds (got '${values.settle}')`);

/** The environment variables its shebang line sets. */
const shebangEnv = (bin) => Object.fromEntries(shebangWords(bin).filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));

/** 'LABEL VAR=v --flag !--flag bin=PATH' → { label, env, flags, bin }. */
function parseVariant(spec) {
  const [label, ...words] = spec.trim().split(/\s+/);
  let bin = cohortdBin;
  const env = {};
  const add = [];
  const drop = new Set();
  const dropEnv = new Set();
  for (const w of words) {
    if (w.startsWith('bin=')) bin = resolve(w.slice(4));
    else if (w.startsWith('!--')) drop.add(w.slice(1));
    else if (/^![A-Z_][A-Z0-9_]*$/.test(w)) dropEnv.add(w.slice(1));
    else if (w.startsWith('-')) add.push(w);
    else if (/^[A-Z_][A-Z0-9_]*=/.test(w)) env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
    else throw new Error(`variant '${spec}': '${w}' is neither VAR=value, !VAR, --flag, !--flag nor bin=PATH`);
  }
  const own = shebangFlags(bin);
  const ownEnv = shebangEnv(bin);
  for (const f of drop) if (!own.includes(f)) throw new Error(`variant '${spec}': ${f} is not on ${bin}'s shebang line (${own.join(' ')})`);
  for (const v of dropEnv) if (!(v in ownEnv)) throw new Error(`variant '${spec}': ${v} is not set on ${bin}'s shebang line`);
  for (const v of dropEnv) delete ownEnv[v];
  return { label, env: { ...ownEnv, ...env }, bin, flags: [...own.filter((f) => !drop.has(f)), ...add] };
}

/** { field: kB } of /proc/PID/smaps_rollup. */
function rollup(pid) {
  const out = {};
  for (const m of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').matchAll(/^(\w+):\s+(\d+) kB/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** The kind of a mapping from its smaps header line's path. */
function kind(path, nodePath) {
  if (!path) return 'anon';
  if (path === nodePath) return 'node binary';
  if (path === '[heap]') return 'malloc [heap]';
  if (path.startsWith('[stack')) return 'main stack';
  if (path.startsWith('[')) return path; // [vdso], [vvar], [anon:...]
  if (/\.so(\.|$)/.test(path)) return 'shared libs';
  return 'other files';
}

/** Per-mapping smaps: [{ start, kB fields, path, kind }]. */
function mappings(pid) {
  const nodePath = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  const realNode = (() => {
    try {
      return readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => l.includes('/node'))?.split(/\s+/).slice(5).join(' ') ?? nodePath;
    } catch {
      return nodePath;
    }
  })();
  const out = [];
  let cur;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = { range: `${head[1]}-${head[2]}`, perms: head[3], path: head[4], sizeKb: (parseInt(head[2], 16) - parseInt(head[1], 16)) / 1024, kind: kind(head[4], realNode) };
      out.push(cur);
      continue;
    }
    const f = /^(\w+):\s+(\d+) kB/.exec(line);
    if (f && cur) cur[f[1]] = Number(f[2]);
  }
  return out;
}

/** Breakdown of one daemon: totals from smaps_rollup, and per kind { rss, priv, anon }. */
function breakdown(pid) {
  const r = rollup(pid);
  const maps = mappings(pid);
  const kinds = {};
  for (const m of maps) {
    const k = (kinds[m.kind] ??= { rss: 0, priv: 0, anon: 0, n: 0 });
    k.rss += m.Rss ?? 0;
    k.priv += (m.Private_Clean ?? 0) + (m.Private_Dirty ?? 0);
    k.anon += m.Anonymous ?? 0;
    k.n++;
  }
  const threads = readFileSync(`/proc/${pid}/status`, 'utf8').match(/Threads:\s+(\d+)/)[1];
  return { rss: r.Rss, pss: r.Pss, priv: (r.Private_Clean ?? 0) + (r.Private_Dirty ?? 0), anon: r.Anonymous, fileRss: r.Rss - r.Anonymous, kinds, threads: Number(threads), maps };
}

const variants = (values.variant?.length ? values.variant : ['base']).map(parseVariant);
const nats = await startNatsServer({ jetstream: true });
const dir = mkdtempSync(join(tmpdir(), 'cohort-rss-breakdown-'));
const children = [];
try {
  const daemons = [];
  const nodes = syntheticNodes(variants.length * per);
  nodes.forEach((node, i) => {
    const v = variants[i % variants.length];
    const env = { ...process.env, ...v.env };
    if (!values['keep-ca']) delete env.NODE_EXTRA_CA_CERTS;
    const child = spawn(process.execPath, [...v.flags, v.bin, '--config', writeDaemonConfig(nats.url, node, dir, { nodeKeys: true })], { stdio: 'ignore', env, cwd: dir });
    children.push(child);
    daemons.push({ identity: node.identity, v: i % variants.length, pid: child.pid });
  });
  const exited = () => {
    const gone = children.findIndex((c) => c.exitCode !== null);
    if (gone >= 0) throw new Error(`a cohortd of variant '${variants[daemons[gone].v].label}' exited with ${children[gone].exitCode} while starting`);
  };
  await waitForRegistry(nats.url, nodes.map((n) => n.identity), { timeoutMs: 300000, onWait: exited });
  const load0 = loadAverage();
  await sleep(settleS * 1000);
  const load1 = loadAverage();
  for (const d of daemons) d.mem = breakdown(d.pid);
  // After the memory figures: a request allocates.
  const client = await Client.connect({ servers: nats.url, callerid: 'user=bench', nodeTrust: benchNodeTrust() });
  try {
    for await (const r of client.rpc({ agent: 'rpcutil', action: 'daemon_stats', nodes: daemons.map((d) => d.identity), timeout: 20 })) {
      const d = daemons.find((x) => x.identity === r.sender);
      if (d && r.data) d.heapUsed = r.data.heap_used / 1024;
    }
  } finally {
    await client.close();
  }

  const mb = (kb) => (kb / 1024).toFixed(1);
  console.log(`${variants.length} variants x ${per} daemons, settled ${settleS} s after registering; load average ${load0} -> ${load1}; NODE_EXTRA_CA_CERTS ${values['keep-ca'] ? 'kept' : 'removed'}`);
  console.log('medians in MB (min-max of RSS)');
  console.log('| variant | RSS | Pss | private | anon | file-backed | node binary | shared libs | [heap] | anon maps | V8 heap used | threads |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  variants.forEach((v, i) => {
    const ds = daemons.filter((d) => d.v === i);
    const med = (f) => median(ds.map(f));
    const rss = ds.map((d) => d.mem.rss);
    console.log(
      `| ${v.label} | ${mb(med((d) => d.mem.rss))} (${mb(Math.min(...rss))}-${mb(Math.max(...rss))}) | ${mb(med((d) => d.mem.pss))} | ${mb(med((d) => d.mem.priv))} | ${mb(med((d) => d.mem.anon))} | ${mb(med((d) => d.mem.fileRss))} | ${mb(med((d) => d.mem.kinds['node binary']?.rss ?? 0))} | ${mb(med((d) => d.mem.kinds['shared libs']?.rss ?? 0))} | ${mb(med((d) => d.mem.kinds['malloc [heap]']?.rss ?? 0))} | ${mb(med((d) => d.mem.kinds.anon?.rss ?? 0))} | ${mb(med((d) => d.heapUsed ?? NaN))} | ${med((d) => d.mem.threads)} |`,
    );
  });
  for (const [i, v] of variants.entries()) console.log(`${v.label}: ${Object.entries(v.env).map(([k, x]) => `${k}=${x} `).join('')}node ${v.flags.join(' ')} ${v.bin}`);
  if (values.smaps) {
    for (const [i, v] of variants.entries()) {
      const d = daemons.find((x) => x.v === i);
      console.log(`\n${v.label} (pid ${d.pid}): by kind (RSS / private / anon kB, mappings)`);
      for (const [k, x] of Object.entries(d.mem.kinds).sort((a, b) => b[1].rss - a[1].rss)) console.log(`  ${k.padEnd(16)} ${String(x.rss).padStart(7)} ${String(x.priv).padStart(7)} ${String(x.anon).padStart(7)}  (${x.n})`);
      console.log('  largest mappings (RSS kB, size kB, perms, path):');
      for (const m of [...d.mem.maps].sort((a, b) => (b.Rss ?? 0) - (a.Rss ?? 0)).slice(0, 25)) console.log(`  ${String(m.Rss).padStart(7)} ${String(Math.round(m.sizeKb)).padStart(8)} ${m.perms} ${m.path || '(anon)'}`);
    }
  }
  if (Number(values.hold) > 0) {
    console.log(`holding ${values.hold} s; cwd ${dir}; pids ${daemons.map((d) => `${variants[d.v].label}:${d.pid}`).join(' ')}`);
    await sleep(Number(values.hold) * 1000);
  }
} finally {
  await Promise.all(
    children.map(
      (c) =>
        new Promise((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          c.once('exit', done);
          c.kill('SIGTERM');
        }),
    ),
  );
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
  removeBenchIssuer();
}
