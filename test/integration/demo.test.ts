// The README's demo: a private nats-server, the example fleet and a scripted
// tour of real commands. It must finish, with every command exiting as expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../harness/index.js';

test('scripts/demo.mjs runs its tour against a real fleet and cleans up', async () => {
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'scripts/demo.mjs')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, COHORT_NATS: '', COHORT_CONFIG: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, out });
    });
  });
  assert.equal(code, 0, out);
  assert.match(out, /^web1\s+time=/m);
  assert.match(out, /Summary of Value:/);
  assert.match(out, /Finished processing 2 \/ 2 hosts/);
  assert.match(out, /input 'seconds'/);
  assert.match(out, /Inventory for db1/);
  // The pushed example plugin answers on all five nodes.
  assert.equal(out.match(/Greeting: hello operator/g)?.length, 5, out);
});
