// Node 20's generateKeyPairSync hands out KeyObjects that share a lock with
// the key-generation job that made them; exporting such a key (publicKeyHex)
// while a garbage collection finalises the job deadlocks the process for good
// (`pnpm bench` hung that way in its signed-registry row, 7 December 2026).
// core's generateKeyPair rebuilds the keys from DER, so they share nothing
// with the job. With the old generateKeyPair a child like this one hung in 5
// of 6 tries, after 6,000 to 11,000 keys (a 1 MB young generation makes the
// collections frequent); here it must finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../harness/index.js';

const keys = 30_000;

test(`generating and exporting ${keys} keys in a row never deadlocks`, { timeout: 240_000 }, async () => {
  const core = join(repoRoot, 'packages/core/dist/index.js');
  const script = `
    const { generateKeyPair, publicKeyHex } = await import(${JSON.stringify(core)});
    for (let i = 0; i < ${keys}; i++) publicKeyHex(generateKeyPair().publicKey);
    process.stdout.write('done');
  `;
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  // A deadlocked child never exits by itself: stop it after a generous deadline and fail, naming the hang.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 200_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(deadline);
  assert.equal(signal, null, `the key generator hung (killed after 200 s): ${err}`);
  assert.equal(code, 0, err);
  assert.equal(out, 'done');
});
