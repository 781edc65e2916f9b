// The datasource program alone, started the way Checkmk starts it (its fetcher is Python:
// subprocess.Popen(cmdline, shell=True), checkmk-spawn.mjs), with each read's wall time and CPU:
//   node scripts/bench/mine-cat.mjs [READS=1000] [BEFORE_SCRIPT]
// A mirror directory of 1,000 files (written by mirrorFile as MineMirror writes them: on /dev/shm when there
// is one, so with the boot id `-`), each a check_mk-agent-sized output (~24 KB), and a second directory of the
// same files with the real boot id (as a mirror on a disk, or before session 8, wrote them). Each of READS rounds
// reads one random host in every way below, in a fresh random order, so load hits every row alike: the script
// as the Checkmk rule runs it, the same with `exec` in front, the script sourced by Checkmk's shell (`set -- ARGS; . cohort-mine-cat`), the
// script on boot-id files, BEFORE_SCRIPT (an older cohort-mine-cat) on boot-id files, and the floors: the
// shell alone (`true`), `/bin/true`, and `LC_ALL=C exec cat FILE` (a shell and cat, no script). Prints
// p50/p90/p99 of wall time and of CPU per read (user + system of the shell and all it ran) and the load
// average, as a markdown table.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mine } from '@cohort/client';
import { repoRoot } from '../harness.mjs';
import { checkmkSpawn, havePython, shq } from './checkmk-spawn.mjs';

const reads = Number(process.argv[2] ?? 1000);
const before = process.argv[3];
if (!havePython()) throw new Error('mine-cat.mjs needs python3 (it starts each read as Checkmk does)');
const catBin = join(repoRoot, 'packages/cli/bin/cohort-mine-cat');
const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'cohort-bench-cat-'));
const dir = join(root, 'mirror');
const bootDir = join(root, 'boot-id');
mkdirSync(dir);
mkdirSync(bootDir);
const boot = mine.readBootClock();
// As the mirror writes them there (the boot id `-` on tmpfs).
const mirrorBoot = mine.mirrorBootClock(dir)();
const ram = mine.diesWithBoot(dir);
const sections = ['<<<check_mk>>>', 'Version: 2.2.0p1', 'AgentOS: linux', '<<<df>>>'];
for (let i = 0; i < 400; i++) sections.push(`/dev/mapper/vg-lv${i} ext4 ${1000000 + i} ${500000 + i} ${500000 - i} ${50 + (i % 40)}% /srv/${i}`);
const output = `${sections.join('\n')}\n`;
const ids = Array.from({ length: 1000 }, (_, i) => `host-${String(i + 1).padStart(4, '0')}`);
const now = Date.now();
for (const id of ids) {
  const v = { function: 'check_mk', identity: id, time: now - 5000, interval: 60, duration_ms: 100, statuscode: 0, statusmsg: 'OK', source: 'config', output };
  writeFileSync(join(dir, id), mine.mirrorFile(v, 'fresh', v.time + 120_000, mirrorBoot));
  writeFileSync(join(bootDir, id), mine.mirrorFile(v, 'fresh', v.time + 120_000, boot));
}

const rows = {
  'cohort-mine-cat --max-age 3m (the Checkmk rule)': (id) => [`${shq(catBin)} --dir ${shq(dir)} --max-age 3m ${shq(id)}`, output],
  'exec cohort-mine-cat --max-age 3m (the rule with exec: the shell does not fork)': (id) => [`exec ${shq(catBin)} --dir ${shq(dir)} --max-age 3m ${shq(id)}`, output],
  'set -- ... ; . cohort-mine-cat (sourced by the rule\'s shell)': (id) => [`set -- --dir ${shq(dir)} --max-age 3m ${shq(id)}; . ${shq(catBin)}`, output],
  'cohort-mine-cat --max-age 3m, file with the boot id': (id) => [`${shq(catBin)} --dir ${shq(bootDir)} --max-age 3m ${shq(id)}`, output],
  ...(before ? { [`before: ${before} --max-age 3m, file with the boot id`]: (id) => [`${shq(before)} --dir ${shq(bootDir)} --max-age 3m ${shq(id)}`, output] } : {}),
  'floor: LC_ALL=C exec cat FILE (a shell and cat)': (id) => [`LC_ALL=C exec cat ${shq(join(dir, id))}`, null],
  'floor: /bin/true': () => ['/bin/true', null],
  'floor: true (the shell alone)': () => ['true', null],
};
const rounds = Array.from({ length: reads }, () => {
  const id = ids[Math.floor(Math.random() * ids.length)];
  const row = Object.entries(rows).map(([name, cmd]) => [name, ...cmd(id)]);
  for (let i = row.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [row[i], row[j]] = [row[j], row[i]];
  }
  return row;
});
const l0 = loadavg();
const r = await checkmkSpawn(rounds);
const l1 = loadavg();
rmSync(root, { recursive: true, force: true });

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const f = (x) => x.toFixed(2);
const la = (l) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`${reads} rounds, every row once per round in random order; ${output.length} bytes of output; mirror dir on ${ram ? 'tmpfs (boot id -)' : 'a disk (boot id written)'}`);
console.log(`load average (1/5/15 min) before ${la(l0)}, after ${la(l1)}\n`);
console.log('| started as Checkmk does (sh -c) | wall p50 | p90 | p99 | CPU p50 | p90 | p99 | mean |');
console.log('|---|---|---|---|---|---|---|---|');
for (const name of Object.keys(rows)) {
  const x = r[name];
  if (x.failed) throw new Error(`${name}: ${x.failed} failed: ${x.stderr}`);
  const w = x.wall_ms;
  const c = x.cpu_ms;
  console.log(`| ${name} | ${f(pct(w, 50))} | ${f(pct(w, 90))} | ${f(pct(w, 99))} | ${f(pct(c, 50))} | ${f(pct(c, 90))} | ${f(pct(c, 99))} | ${f(c.reduce((a, b) => a + b, 0) / c.length)} |`);
}
