// The client's side of pushed plugins over an in-memory store: push keeps
// the earlier releases, refuses a version pushed again with other content;
// rollback starts from the newest manifest that verifies (an untrusted
// manifest on top is skipped) and checks the earlier pack's digest; rm
// writes a signed removal that rollback can undo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner, generateKeyPair, openData, packDirectory, publicKeyHex, TrustStore, type PluginManifest } from '@cohort/core';
import { plugins } from '@cohort/client';
import { memoryPluginStore, type MemoryPluginStore } from './plugin-fakes.js';

const alice = generateKeyPair();
const eve = generateKeyPair();
const aliceSigner = createSigner(alice.privateKey, 'user=alice');
const eveSigner = createSigner(eve.privateKey, 'user=eve');
const trust = new TrustStore('caller', new Map([[publicKeyHex(alice.publicKey), 'user=alice']]), new Set());

function dir(version: string, body = ''): string {
  const d = mkdtempSync(join(tmpdir(), 'plugin-client-'));
  writeFileSync(join(d, 'plugin.yaml'), `name: hello\ntitle: Hello\nversion: ${version}\n`);
  writeFileSync(join(d, 'hello.json'), '{}');
  writeFileSync(join(d, 'hello.js'), `export default {}; // ${version} ${body}\n`);
  return d;
}

const latest = (store: MemoryPluginStore): PluginManifest => {
  const list = store.kv.get('hello') ?? [];
  return openData(list[list.length - 1] as Uint8Array).body.value as PluginManifest;
};

test('push records earlier releases and refuses a version pushed again with other content', async () => {
  const store = memoryPluginStore();
  await plugins.pushPlugin(store, packDirectory(dir('1.0.0')), aliceSigner, trust);
  const r2 = await plugins.pushPlugin(store, packDirectory(dir('2.0.0')), aliceSigner, trust, { rollout: { batch: 2, settle: 5 } });
  assert.equal(r2.replaced, '1.0.0');
  assert.deepEqual(latest(store).previous.map((p) => p.version), ['1.0.0']);
  assert.deepEqual(latest(store).rollout, { batch: 2, settle: 5 });
  assert.deepEqual([...store.objects.keys()].sort(), ['hello/1.0.0', 'hello/2.0.0']);
  await assert.rejects(plugins.pushPlugin(store, packDirectory(dir('1.0.0', 'changed')), aliceSigner, trust), /hello 1\.0\.0 was already pushed with other content/);
  // The same content again is fine (idempotent).
  await plugins.pushPlugin(store, packDirectory(dir('2.0.0')), aliceSigner, trust);
});

test('rollback skips an untrusted manifest on top, checks the earlier pack, and can undo rm', async () => {
  const store = memoryPluginStore();
  await plugins.pushPlugin(store, packDirectory(dir('1.0.0')), aliceSigner, trust);
  await plugins.pushPlugin(store, packDirectory(dir('2.0.0')), aliceSigner, trust);
  await plugins.pushPlugin(store, packDirectory(dir('9.0.0')), eveSigner, trust);
  assert.equal(plugins.readManifest('hello', (store.kv.get('hello') ?? []).at(-1) as Uint8Array, trust).verified, false);
  const back = await plugins.rollbackPlugin(store, 'hello', aliceSigner, trust);
  assert.equal(back.from, '2.0.0');
  assert.equal(latest(store).release?.version, '1.0.0');
  assert.deepEqual(latest(store).previous.map((p) => p.version), [], 'the release rolled back from leaves the list');
  await assert.rejects(plugins.rollbackPlugin(store, 'hello', aliceSigner, trust), /no earlier release to roll back to \(it runs 1\.0\.0\)/);
  const removed = await plugins.removePlugin(store, 'hello', aliceSigner, trust);
  assert.equal(removed.removed, '1.0.0');
  assert.equal(latest(store).release, null);
  assert.equal((await plugins.rollbackPlugin(store, 'hello', aliceSigner, trust)).manifest.release?.version, '1.0.0', 'rollback after rm restores the removed release');
  // Walking back further: 3.0.0 -> 2.0.0 -> 1.0.0; a changed earlier pack is not signed again.
  await plugins.pushPlugin(store, packDirectory(dir('2.0.0')), aliceSigner, trust);
  await plugins.pushPlugin(store, packDirectory(dir('3.0.0')), aliceSigner, trust);
  assert.equal((await plugins.rollbackPlugin(store, 'hello', aliceSigner, trust)).manifest.release?.version, '2.0.0');
  const bytes = store.objects.get('hello/1.0.0') as Uint8Array;
  store.objects.set('hello/1.0.0', new Uint8Array([...bytes.subarray(0, -1), 0x21]));
  await assert.rejects(plugins.rollbackPlugin(store, 'hello', aliceSigner, trust), /does not match its recorded digest/);
  assert.equal(latest(store).release?.version, '2.0.0', 'nothing was signed');
});
