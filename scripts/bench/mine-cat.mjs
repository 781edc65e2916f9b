// The datasource program alone (`node scripts/bench/mine-cat.mjs [READS] [BEFORE_SCRIPT]`):
// a mirror directory of 1,000 files (written by MineMirror's mirrorFile, on /dev/shm when there is one),
// each a check_mk-agent-sized output (~20 KB), and READS reads of random hosts, each followed by the
// same read through BEFORE_SCRIPT (an older cohort-mine-cat, to compare at the same load), `/bin/sh -c true`
// and `/bin/true`, all spawned the same way (spawnSync); then the same reads the way Checkmk runs a datasource
// program (Python, subprocess with shell=True: checkmk-spawn.mjs), with each read's CPU. Prints p50/p90/p99 per
// command and the load average.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mine } from '@cohort/client';
import { repoRoot } from '../harness.mjs';
import { checkmkSpawn, havePython, shq } from './checkmk-spawn.mjs';

const reads = Number(process.argv[2] ?? 500);
const before = process.argv[3];
const catBin = join(repoRoot, 'packages/cli/bin/cohort-mine-cat');
const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'cohort-bench-cat-'));
const boot = mine.readBootClock();
const sections = ['<<<check_mk>>>', 'Version: 2.2.0p1', 'AgentOS: linux', '<<<df>>>'];
for (let i = 0; i < 400; i++) sections.push(`/dev/mapper/vg-lv${i} ext4 ${1000000 + i} ${500000 + i} ${500000 - i} ${50 + (i % 40)}% /srv/${i}`);
const output = `${sections.join('\n')}\n`;
const ids = Array.from({ length: 1000 }, (_, i) => `host-${String(i + 1).padStart(4, '0')}`);
const now = Date.now();
for (const id of ids) {
  const v = { function: 'check_mk', identity: id, time: now - 5000, interval: 60, duration_ms: 100, statuscode: 0, statusmsg: 'OK', source: 'config', output };
  writeFileSync(join(dir, id), mine.mirrorFile(v, 'fresh', v.time + 120_000, boot));
}
const commands = {
  'cohort-mine-cat --max-age 3m': (id) => [catBin, ['--dir', dir, '--max-age', '3m', id]],
  'cohort-mine-cat': (id) => [catBin, ['--dir', dir, id]],
  ...(before ? { [`before: ${before} --max-age 3m`]: (id) => [before, ['--dir', dir, '--max-age', '3m', id]] } : {}),
  '/bin/sh -c true': () => ['/bin/sh', ['-c', 'true']],
  '/bin/true': () => ['/bin/true', []],
};
const t = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const loadBefore = loadavg()[0];
for (let i = 0; i < reads; i++) {
  const id = ids[Math.floor(Math.random() * ids.length)];
  for (const [name, cmd] of Object.entries(commands)) {
    const [file, args] = cmd(id);
    const t0 = performance.now();
    const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    t[name].push(performance.now() - t0);
    if (r.status !== 0 || (args.length > 2 && r.stdout !== output)) throw new Error(`${name} ${id}: exit ${r.status}: ${r.stderr}`);
  }
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
console.log(`${reads} reads each, interleaved; ${output.length} bytes of output; load average ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
for (const [name, xs] of Object.entries(t)) console.log(`${name.padEnd(60)} p50 ${pct(xs, 50).toFixed(2)}  p90 ${pct(xs, 90).toFixed(2)}  p99 ${pct(xs, 99).toFixed(2)} ms`);
if (havePython()) {
  const rounds = Array.from({ length: reads }, () => {
    const id = ids[Math.floor(Math.random() * ids.length)];
    return [
      ['cohort-mine-cat --max-age 3m', `${shq(catBin)} --dir ${shq(dir)} --max-age 3m ${shq(id)}`, output],
      ['/bin/true', '/bin/true', null],
      ['true (the shell alone)', 'true', null],
    ];
  });
  const l0 = loadavg()[0];
  const r = await checkmkSpawn(rounds);
  console.log(`\nAs Checkmk runs a datasource program (Python subprocess.Popen(cmdline, shell=True)); load average ${l0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
  for (const [name, x] of Object.entries(r)) {
    if (x.failed) throw new Error(`${name}: ${x.failed} failed: ${x.stderr}`);
    console.log(`${name.padEnd(60)} p50 ${pct(x.wall_ms, 50).toFixed(2)}  p90 ${pct(x.wall_ms, 90).toFixed(2)}  p99 ${pct(x.wall_ms, 99).toFixed(2)} ms; CPU p50 ${pct(x.cpu_ms, 50).toFixed(2)} ms, mean ${(x.cpu_ms.reduce((a, b) => a + b, 0) / x.cpu_ms.length).toFixed(2)} ms`);
  }
}
rmSync(dir, { recursive: true, force: true });
