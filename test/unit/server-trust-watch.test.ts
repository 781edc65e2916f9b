import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync, type watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, publicKeyPem, readPublicKeyHex, TrustStore } from '@cohort/core';
import { trustContentHash, WatchedTrust } from '@cohort/server';

/** Wait until `check` holds; the kernel's notification arrives asynchronously. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function keyFile(file: string): string {
  writeFileSync(file, publicKeyPem(generateKeyPair().publicKey));
  return readPublicKeyHex(file);
}

test('a trusted key overwritten in place is reloaded by content: the old key is gone, the new one trusted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-trust-'));
  const file = join(dir, 'alice.pub');
  const oldKey = keyFile(file);
  const watched = new WatchedTrust({ sources: { keysDir: dir, files: [] }, load: () => TrustStore.load({ kind: 'caller', keysDir: dir }) });
  try {
    assert.equal(typeof watched.get().identify(oldKey, undefined, Date.now()), 'object');
    // Same name, same directory: the directory's mtime does not change.
    const newKey = keyFile(file);
    await until(() => typeof watched.get().identify(oldKey, undefined, Date.now()) === 'string', 'the old key to be refused');
    const who = watched.get().identify(newKey, undefined, Date.now());
    assert.equal(typeof who === 'object' ? who.subject : who, 'user=alice');
    assert.ok(watched.reloads >= 1);
    // On a machine whose inotify instances are used up, the on-use content check did it.
    if (watched.unwatched.length > 0) t.diagnostic(`the kernel refused watches on ${watched.unwatched.join(', ')}: the fallback check reloaded`);
  } finally {
    watched.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an issuer file replaced by rename is reloaded, and watched again afterwards', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-trust-'));
  const issuer = join(dir, 'issuer.pub');
  keyFile(issuer);
  let loads = 0;
  const watched = new WatchedTrust({ sources: { keysDir: null, files: [issuer] }, load: () => (loads++, readPublicKeyHex(issuer)) });
  try {
    const first = watched.get();
    const next = keyFile(join(dir, 'new.tmp'));
    renameSync(join(dir, 'new.tmp'), issuer);
    await until(() => watched.get() === next, 'the renamed issuer');
    assert.notEqual(first, next);
    const third = keyFile(issuer); // in place, on the new inode
    await until(() => watched.get() === third, 'the issuer written in place after the rename');
    assert.ok(loads >= 3);
    if (watched.unwatched.length === 0) assert.ok(watched.watched.includes(issuer) && watched.watched.includes(dir), watched.watched.join(' '));
    else t.diagnostic(`the kernel refused watches on ${watched.unwatched.join(', ')}: the fallback check reloaded`);
  } finally {
    watched.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rewriting the same content does not reload; the hash covers names and contents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-trust-'));
  try {
    writeFileSync(join(dir, 'a.pub'), 'x');
    const before = trustContentHash({ keysDir: dir, files: [] });
    writeFileSync(join(dir, 'a.pub'), 'x');
    assert.equal(trustContentHash({ keysDir: dir, files: [] }), before);
    renameSync(join(dir, 'a.pub'), join(dir, 'b.pub'));
    assert.notEqual(trustContentHash({ keysDir: dir, files: [] }), before);
    writeFileSync(join(dir, 'b.pub'), 'y');
    writeFileSync(join(dir, 'ignored.txt'), 'z');
    const now = trustContentHash({ keysDir: dir, files: [] });
    writeFileSync(join(dir, 'ignored.txt'), 'zz');
    assert.equal(trustContentHash({ keysDir: dir, files: [] }), now, 'only .pub files count');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when the kernel refuses every watch, the content is checked on use, at most once per interval, and nothing else runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-trust-'));
  const file = join(dir, 'alice.pub');
  const oldKey = keyFile(file);
  let now = 1_000_000;
  let loads = 0;
  const refused: string[] = [];
  const failing = (() => {
    throw Object.assign(new Error('EMFILE: too many open files, watch'), { code: 'EMFILE' });
  }) as unknown as typeof watch;
  const watched = new WatchedTrust({
    sources: { keysDir: dir, files: [] },
    load: () => (loads++, TrustStore.load({ kind: 'caller', keysDir: dir })),
    watch: failing,
    now: () => now,
    fallbackIntervalMs: 2000,
    onWatchError: (path) => refused.push(path),
  });
  try {
    assert.deepEqual(refused, [dir, file], 'each refused path is reported once');
    const newKey = keyFile(file);
    now += 1999;
    assert.equal(typeof watched.get().identify(oldKey, undefined, now), 'object', 'not checked again within the interval');
    now += 1;
    assert.equal(typeof watched.get().identify(oldKey, undefined, now), 'string', 'the old key is refused after the interval');
    assert.equal(typeof watched.get().identify(newKey, undefined, now), 'object');
    assert.equal(loads, 2);
    now += 5000;
    watched.get();
    assert.equal(loads, 2, 'unchanged content is not reloaded');
    assert.deepEqual(refused, [dir, file], 'a path refused again is not reported again');
  } finally {
    watched.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
