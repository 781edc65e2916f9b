// The provisioning lock and token check: persisted, expiring, one owner at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError } from '../../packages/agents/src/errors.ts';
import { LockStore } from '../../packages/agents/src/provision/lock-store.ts';
import { checkToken } from '../../packages/agents/src/provision/token.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cohort-provision-lock-'));
}

test('lock: taken, renewed by its owner, refused to another until it expires', async () => {
  const dir = tempDir();
  let now = 1_000_000;
  const store = new LockStore(join(dir, 'lock.json'), () => now);
  try {
    assert.equal(await store.current(), undefined);
    assert.deepEqual(await store.lock('a', 60), { owner: 'a', expires: 1_000_060 });
    await assert.rejects(store.lock('b', 60), (err: unknown) => err instanceof AgentError && err.status === 1 && /^locked by a until 1970-01-12T13:47:40Z$/.test(err.message));
    now += 30;
    assert.deepEqual(await store.lock('a', 60), { owner: 'a', expires: 1_000_090 }, 'renewed');
    assert.equal(statSync(join(dir, 'lock.json')).mode & 0o777, 0o600);
    now += 90;
    assert.equal(await store.current(), undefined, 'expired');
    assert.deepEqual(await store.lock('b', 10), { owner: 'b', expires: now + 10 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lock: survives a new store (a daemon restart); unlock by owner, or by force', async () => {
  const dir = tempDir();
  const file = join(dir, 'lock.json');
  try {
    await new LockStore(file).lock('a', 600);
    const again = new LockStore(file);
    assert.equal((await again.current())?.owner, 'a');
    await assert.rejects(again.unlock('b', false), /locked by a .*force=true/);
    await again.unlock('b', true);
    assert.equal(await again.current(), undefined);
    await again.unlock('anyone', false); // nothing to unlock is fine (idempotent)
    await assert.rejects(again.lock('a', 0), (err: unknown) => err instanceof AgentError && err.status === 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lock: a torn or foreign file counts as unlocked', async () => {
  const dir = tempDir();
  const file = join(dir, 'lock.json');
  try {
    writeFileSync(file, '{"owner": "a", "exp');
    assert.equal(await new LockStore(file).current(), undefined);
    writeFileSync(file, '[1,2]');
    assert.equal(await new LockStore(file).current(), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('token: nothing to check without one; otherwise exact match or "invalid provisioning token"', () => {
  checkToken(null, undefined);
  checkToken(null, 'anything');
  checkToken('s3cret', 's3cret');
  for (const given of [undefined, null, '', 's3cre', 's3cret ', 'S3CRET']) {
    assert.throws(() => checkToken('s3cret', given), (err: unknown) => err instanceof AgentError && err.status === 1 && err.message === 'invalid provisioning token');
  }
});
