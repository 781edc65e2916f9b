// Finding 8 of the security review (issue 12): fstat() in a filter ran
// before authorization, synchronously: three requests naming a 2 GB sparse
// file blocked a node for 14 s (it hashed the file), /proc/kmsg would hang
// it, and `fstat(p).mode` was an existence oracle for root-only paths. Now
// fstat is evaluated only for authorized requests, asynchronously, inside
// security.fstat_paths only (never /dev, /proc, /sys), md5 only for regular
// files up to security.fstat_max_digest_bytes. Bounded here: a 1 MiB digest
// cap and a 64 MiB sparse file. Real nats-server with the shipped secure
// example, a real cohortd node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cohort } from '../harness/index.js';
import { missingOpenssl, startSecureFleet, touchAgentDir, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;

before(async () => {
  if (skip) return;
  env = await startSecureFleet([{ identity: 'web1', role: 'web' }], {
    operators: ['operator', 'mallory'],
    security: { fstat_max_digest_bytes: 1024 * 1024 },
  });
});
after(async () => {
  await env?.stop();
});

const zerosMd5 = (bytes: number) => createHash('md5').update(Buffer.alloc(bytes)).digest('hex');

/** Senders that answered `rpcutil ping` with `-S expr`, as `user` (config). */
async function pingWith(expr: string, user = 'operator'): Promise<{ code: number; senders: string[]; statuses: number[] }> {
  const r = await cohort(['rpc', 'rpcutil', 'ping', '-S', expr, '--json', '-t', '3', '--dt', '2'], { env: { ...env.env, COHORT_CONFIG: env.clientConfigOf(user) } });
  const doc = JSON.parse(r.stdout || '{"replies":[]}') as { replies: Array<{ sender: string; statuscode: number }> };
  return { code: r.code, senders: doc.replies.map((x) => x.sender), statuses: doc.replies.map((x) => x.statuscode) };
}

describe('finding 8: fstat() in filters after authorization, asynchronous, bounded', { skip }, () => {
  test('a big sparse file is not hashed, /dev is out of bounds, and the node keeps answering meanwhile', async () => {
    const sparse = join(env.dir, 'sparse.img');
    const fd = openSync(sparse, 'w');
    ftruncateSync(fd, 64 * 1024 * 1024);
    closeSync(fd);
    const small = join(env.dir, 'small.img');
    writeFileSync(small, Buffer.alloc(1024));

    // The requests that used to block the node, in parallel with a plain ping.
    const [a, b, c, plain] = await Promise.all([
      pingWith(`fstat('${sparse}').md5=${zerosMd5(64 * 1024 * 1024)}`),
      pingWith(`fstat('${sparse}').md5=${zerosMd5(64 * 1024 * 1024)}`),
      pingWith(`fstat('/dev/zero').type=chardev`),
      pingWith('role=web'),
    ]);
    assert.deepEqual(plain.senders, ['web1']);
    assert.deepEqual(a.senders, [], 'no md5 above fstat_max_digest_bytes: the term does not match');
    assert.deepEqual(b.senders, []);
    assert.deepEqual(c.senders, [], '/dev is never looked at');
    // Within the limits fstat works as documented.
    assert.deepEqual((await pingWith(`fstat('${small}').md5=${zerosMd5(1024)}`)).senders, ['web1']);
    assert.deepEqual((await pingWith(`fstat('${sparse}').size=${64 * 1024 * 1024} and fstat('${sparse}').type=file`)).senders, ['web1']);
  });

  test('an unauthorized caller learns nothing about files: the same denial whether the path exists or not', async () => {
    const exists = join(env.dir, 'small.img');
    const missing = join(env.dir, 'no-such-file');
    // Addressed directly (no discovery): the node itself decides about the filter.
    const nodesFile = join(env.dir, 'web1.txt');
    writeFileSync(nodesFile, 'web1\n');
    const ask = async (path: string) => {
      const r = await cohort(['rpc', 'touch', 'touch', `path=${join(env.dir, 'never')}`, '-S', `fstat('${path}').present=true`, '--nodes', nodesFile, '--ddl-dir', touchAgentDir, '--json', '-t', '3'], {
        env: { ...env.env, COHORT_CONFIG: env.clientConfigOf('mallory') },
      });
      return (JSON.parse(r.stdout || '{"replies":[]}') as { replies: Array<{ sender: string; statuscode: number; statusmsg: string }> }).replies.map((x) => [x.sender, x.statuscode, x.statusmsg.replace(/\(request [0-9a-f]+\)/, '')]);
    };
    const [yes, no] = await Promise.all([ask(exists), ask(missing)]);
    assert.deepEqual(yes, no, 'identical answers');
    assert.equal(yes[0]?.[1], 1, 'denied by policy, before fstat ran');
    // The operator, who may run touch, does get the filter evaluated.
    assert.deepEqual((await pingWith(`fstat('${exists}').present=true`)).senders, ['web1']);
    assert.deepEqual((await pingWith(`fstat('${missing}').present=true`)).senders, []);
  });
});
