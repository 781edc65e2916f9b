#!/usr/bin/env node
// What Node's built-in modules cost an idle process in RSS, without Cohort:
// for every variant, `--per` bare node processes (cohortd.cjs' shebang V8
// flags) that require the variant's modules and then wait, started
// interleaved (A, B, A, B, ...); after `--settle` seconds, the median RSS per
// variant (/proc/PID/smaps_rollup). A variant is a label and the modules,
// comma-separated; `webcrypto` touches globalThis.crypto (Node's lazy global),
// as nats.js did. The cost of one module is the difference between two
// variants (its marginal cost depends on what else is loaded: crypto and net
// share stream).
//
//   node scripts/bench/builtin-rss.mjs [--per 3] [--settle 15] 'bare' 'nats stream,crypto,net,tls,dns' ...
//
// docs/performance.md, "Idle RSS: nats.js' built-in modules".
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cohortdBin } from '../harness.mjs';
import { loadAverage, median, shebangFlags, sleep } from './util.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { per: { type: 'string', default: '3' }, settle: { type: 'string', default: '15' } } });
const variants = (positionals.length > 0 ? positionals : ['bare']).map((spec) => {
  const [label, mods = ''] = spec.trim().split(/\s+/);
  return { label, mods: mods.split(',').filter(Boolean), rss: [] };
});
const flags = shebangFlags(cohortdBin);
const load0 = loadAverage();
const children = [];
try {
  for (let i = 0; i < Number(values.per); i++) {
    for (const v of variants) {
      const code = `${v.mods.map((m) => (m === 'webcrypto' ? 'globalThis.crypto.getRandomValues(new Uint8Array(8));' : `require(${JSON.stringify(m)});`)).join('')}setInterval(() => {}, 1e6);`;
      children.push({ v, child: spawn(process.execPath, [...flags, '-e', code], { stdio: 'ignore' }) });
    }
  }
  await sleep(Number(values.settle) * 1000);
  for (const { v, child } of children) v.rss.push(Number(/^Rss:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8'))[1]) / 1024);
} finally {
  for (const { child } of children) child.kill();
}
console.log(`${variants.length} variants x ${values.per} processes, node ${flags.join(' ')}, settled ${values.settle} s; load average ${load0} -> ${loadAverage()}`);
console.log('| variant | modules | RSS MB, median (min-max) |\n| --- | --- | --- |');
for (const v of variants) console.log(`| ${v.label} | ${v.mods.join(', ') || '(none)'} | ${median(v.rss).toFixed(2)} (${Math.min(...v.rss).toFixed(2)}-${Math.max(...v.rss).toFixed(2)}) |`);
