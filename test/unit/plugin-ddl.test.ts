// The DDL of an agent that exists only as a pushed plugin (cohort rpc without
// a local DDL), over an in-memory store: found from a trusted manifest and a
// matching pack; an untrusted signer's manifest and a changed pack are
// refused with the reason; a local DDL always wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner, generateKeyPair, packDirectory, publicKeyHex, TrustStore } from '@cohort/core';
import { createDdlSource, plugins } from '@cohort/client';
import { repoRoot } from '../harness/index.js';
import { memoryPluginStore } from './plugin-fakes.js';

const alice = generateKeyPair();
const eve = generateKeyPair();
const aliceSigner = createSigner(alice.privateKey, 'user=alice');
const eveSigner = createSigner(eve.privateKey, 'user=eve');
const trust = new TrustStore('caller', new Map([[publicKeyHex(alice.publicKey), 'user=alice']]), new Set());
const hello = join(repoRoot, 'examples/plugins/hello');

test("a trusted push's DDL is found and used by a DDL source without a local one", async () => {
  const store = memoryPluginStore();
  assert.equal(await plugins.pushedDdl(store, 'hello', trust), undefined, 'nothing pushed');
  await plugins.pushPlugin(store, packDirectory(hello), aliceSigner, trust);
  const found = await plugins.pushedDdl(store, 'hello', trust);
  assert.ok(found && 'ddl' in found, JSON.stringify(found));
  assert.deepEqual([found.plugin, found.version, found.signer, found.ddl.metadata.name], ['hello', '1.0.0', 'user=alice', 'hello']);
  assert.deepEqual(found.ddl.actions.map((a) => a.action), ['greet']);
  assert.equal(await plugins.pushedDdl(store, 'other', trust), undefined, 'no plugin holds other.json');
  const empty = mkdtempSync(join(tmpdir(), 'plugin-ddl-'));
  assert.equal(createDdlSource([empty]).has('hello'), false);
  const source = createDdlSource([empty], [found.ddl]);
  assert.equal(source.has('hello'), true);
  assert.equal(source.get('hello'), found.ddl);
  // A local DDL of the same agent wins over the pushed one.
  const local = mkdtempSync(join(tmpdir(), 'plugin-ddl-'));
  writeFileSync(join(local, 'hello.json'), readFileSync(join(hello, 'hello.json'), 'utf8').replace('"Say hello"', '"Say hello, locally"'));
  assert.equal(createDdlSource([local], [found.ddl]).get('hello').actions[0]?.description, 'Say hello, locally');
});

test("an untrusted signer's manifest and a changed pack are refused with the reason", async () => {
  const store = memoryPluginStore();
  await plugins.pushPlugin(store, packDirectory(hello), eveSigner, trust);
  const untrusted = await plugins.pushedDdl(store, 'hello', trust);
  assert.ok(untrusted && 'refused' in untrusted);
  assert.match(untrusted.refused, /the manifest of plugin 'hello' does not verify/);

  const tampered = memoryPluginStore();
  await plugins.pushPlugin(tampered, packDirectory(hello), aliceSigner, trust);
  const changed = mkdtempSync(join(tmpdir(), 'plugin-ddl-'));
  cpSync(hello, changed, { recursive: true });
  writeFileSync(join(changed, 'hello.json'), readFileSync(join(hello, 'hello.json'), 'utf8').replace('"Say hello"', '"Say hallo"'));
  tampered.objects.set('hello/1.0.0', packDirectory(changed).bytes);
  const refused = await plugins.pushedDdl(tampered, 'hello', trust);
  assert.ok(refused && 'refused' in refused, JSON.stringify(refused));
  assert.match(refused.refused, /plugin hello 1\.0\.0 \(signed by user=alice\): .*(bytes|digest)/);
});
