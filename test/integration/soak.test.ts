// The soak script (scripts/soak.mjs, `pnpm soak`) in miniature, so it cannot
// rot: a short run with a small simulated fleet must pass and print its
// table; and its verdict must catch memory that keeps growing or lag that
// keeps rising (synthetic series), and accept a flat one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../harness/index.js';
import { judge, slope, type SoakSample } from '../../scripts/soak.mjs';

const MiB = 1024 * 1024;
const series = (n: number, rss: (i: number) => number, p99: (i: number) => number = () => 10): SoakSample[] =>
  Array.from({ length: n }, (_, i) => ({ t: i * 10, rss: rss(i), p99: p99(i) }));

test('the verdict: flat memory passes, steady growth and doubling fail, rising lag fails', () => {
  assert.equal(slope([0, 1, 2], [1, 3, 5]), 2);
  assert.deepEqual(judge('flat', series(60, (i) => 100 * MiB + (i % 3) * MiB), 2).problems, []);
  // 1 MiB every 10 s = 6 MiB/min: under 2x by the end, but the fit over the second half catches it.
  const leak = judge('leak', series(60, (i) => 200 * MiB + i * MiB), 2);
  assert.equal(leak.problems.length, 1, leak.problems.join('; '));
  assert.match(leak.problems[0] ?? '', /leak: RSS rises 6\.00 MiB\/min/);
  assert.match(judge('double', series(4, (i) => (i < 3 ? 100 : 250) * MiB), 2).problems.join(), /over twice/);
  assert.match(judge('lag', series(20, () => 100 * MiB, (i) => (i < 15 ? 10 : 500)), 2).problems.join(), /event-loop lag p99 500 ms/);
});

test('a short soak run (12 s, 20 virtual nodes) passes and reports every process', { timeout: 180_000 }, async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts/soak.mjs'), '--minutes', '0.2', '--nodes', '20', '--interval', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `soak exited ${code}:\n${out}\n${err}`);
  const rows = out.split('\n').filter((l) => /^\| \d+ \|/.test(l));
  assert.ok(rows.length >= 3, `expected a row every 3 s:\n${out}`);
  for (const row of rows) {
    const cells = row.split('|').map((c) => c.trim()).filter(Boolean);
    assert.equal(cells.length, 12, row);
    assert.equal(cells[4], '0', `no reply lost: ${row}`);
    for (const i of [5, 8, 10]) assert.ok(Number(cells[i]) > 10, `RSS in MiB in column ${i}: ${row}`);
    assert.ok(Number(cells[6]) > 1, `cohortd's heap in MiB in column 6: ${row}`);
    for (const i of [7, 9, 11]) assert.match(cells[i] ?? '', /^\d+\.\d\/\d+\.\d$/, `event-loop lag p99/max in column ${i}: ${row}`);
  }
  assert.match(out, /21 nodes \(1 cohortd \+ 20 virtual\)/);
  assert.match(out, /requests \d+, replies \d+, lost 0/);
  assert.match(out, /soak: PASS/);
});
