// The plugin pack and its signed manifest: deterministic packing, every
// path, size and sha256 checked on unpack (path traversal, absolute paths,
// dot files, links refused), digest mismatches refused, the meta file's
// rules, and manifests verified against trusted callers only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSigner,
  generateKeyPair,
  packDirectory,
  packFiles,
  packMagic,
  parsePluginMeta,
  PluginKind,
  pluginManifestProblem,
  publicKeyHex,
  sealDataBytes,
  sha256Hex,
  TrustStore,
  unpack,
  verifyPack,
  compareSemver,
  type PluginManifest,
} from '@cohort/core';
import { plugins } from '@cohort/client';
import { matchesFilter } from '../../packages/server/src/plugin-sync/filter.js';

const enc = new TextEncoder();
const meta = (version = '1.0.0', extra = '') => `name: hello\ntitle: Hello\ndescription: says hello\nversion: ${version}\nstate: enabled\nconfig: { greeting: hi }\n${extra}`;

function pluginDir(version = '1.0.0'): string {
  const dir = mkdtempSync(join(tmpdir(), 'plugin-pack-'));
  writeFileSync(join(dir, 'plugin.yaml'), meta(version));
  writeFileSync(join(dir, 'hello.json'), '{"metadata":{"name":"hello"}}');
  writeFileSync(join(dir, 'hello.js'), 'export default { name: "hello", actions: {} };\n');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'helper.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'lib', 'helper.sh'), 0o750);
  writeFileSync(join(dir, '.hidden'), 'left out');
  return dir;
}

/** A pack with a hand-written header (what an attacker could store). */
function rawPack(files: Array<{ path: string; data: string; mode?: number; sha256?: string }>): Uint8Array {
  const header = { format: 1, name: 'hello', version: '1.0.0', files: files.map((f) => ({ path: f.path, size: enc.encode(f.data).byteLength, sha256: f.sha256 ?? sha256Hex(f.data), mode: f.mode ?? 0o644 })) };
  return enc.encode(packMagic + JSON.stringify(header) + '\n' + files.map((f) => f.data).join(''));
}

test('packing is deterministic and unpacks to the same files, modes normalised, dot files left out', () => {
  const a = packDirectory(pluginDir());
  const b = packDirectory(pluginDir());
  assert.equal(a.digest, b.digest);
  assert.deepEqual(a.header.files.map((f) => [f.path, f.mode]), [['hello.js', 0o644], ['hello.json', 0o644], ['lib/helper.sh', 0o755], ['plugin.yaml', 0o644]]);
  const u = unpack(a.bytes);
  assert.equal(u.meta.version, '1.0.0');
  assert.deepEqual(u.meta.config, { greeting: 'hi' });
  assert.equal(new TextDecoder().decode(u.files.find((f) => f.path === 'lib/helper.sh')?.data), '#!/bin/sh\necho hi\n');
  assert.notEqual(packDirectory(pluginDir('1.0.1')).digest, a.digest);
});

test('path traversal, absolute paths, dot files and links are refused', () => {
  for (const path of ['../evil.js', 'lib/../../evil', '/etc/passwd', '.ssh/authorized_keys', 'a/b/c/d/e', 'a//b', 'a\\..\\b']) {
    assert.throws(() => unpack(rawPack([{ path: 'plugin.yaml', data: meta() }, { path, data: 'x' }].sort((x, y) => (x.path < y.path ? -1 : 1)))), /not allowed|not sorted/, path);
    assert.throws(() => packFiles([{ path: 'plugin.yaml', data: enc.encode(meta()), mode: 0o644 }, { path, data: enc.encode('x'), mode: 0o644 }]), /not allowed/, path);
  }
  const dir = pluginDir();
  symlinkSync('/etc/passwd', join(dir, 'passwd'));
  assert.throws(() => packDirectory(dir), /symbolic link/);
});

test('a file whose bytes do not match its sha256, trailing bytes, or duplicate paths are refused', () => {
  assert.throws(() => unpack(rawPack([{ path: 'plugin.yaml', data: meta(), sha256: sha256Hex('other') }])), /sha256 .* does not match/);
  const ok = rawPack([{ path: 'plugin.yaml', data: meta() }]);
  assert.doesNotThrow(() => unpack(ok));
  assert.throws(() => unpack(new Uint8Array([...ok, 0x41])), /header accounts for/);
  assert.throws(() => unpack(rawPack([{ path: 'plugin.yaml', data: meta() }, { path: 'plugin.yaml', data: meta() }])), /not sorted and unique/);
  assert.throws(() => unpack(enc.encode('PK\x03\x04 zip')), /bad magic/);
  assert.throws(() => unpack(rawPack([{ path: 'x.js', data: 'x', mode: 0o4755 }])), /mode/);
});

test('verifyPack refuses a pack whose digest differs from the signed manifest, even if internally consistent', () => {
  const good = packDirectory(pluginDir());
  const release = { version: '1.0.0', digest: good.digest, size: good.bytes.byteLength, files: good.header.files };
  assert.equal(verifyPack(good.bytes, 'hello', release).meta.name, 'hello');
  // Same size, one byte changed inside a file: the whole-pack digest no longer matches.
  const tampered = new Uint8Array(good.bytes);
  tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 0x20;
  assert.throws(() => verifyPack(tampered, 'hello', release), /digest mismatch/);
  // Another valid pack (a rebuilt one) under the same manifest: refused too.
  const other = packDirectory(pluginDir('1.0.1'));
  assert.throws(() => verifyPack(other.bytes, 'hello', { ...release, size: other.bytes.byteLength }), /digest mismatch/);
  // The right digest but files other than those listed.
  assert.throws(() => verifyPack(good.bytes, 'hello', { ...release, files: good.header.files.slice(1) }), /not the ones the signed manifest lists/);
  assert.throws(() => verifyPack(good.bytes, 'other', release), /manifest names other/);
});

test('plugin.yaml: semver version, known state and keys, a template inside the directory', () => {
  assert.equal(parsePluginMeta('name: a\ntitle: A\nversion: 2.0.0-rc.1\n').state, 'enabled');
  assert.throws(() => parsePluginMeta('name: a\ntitle: A\nversion: 2.0\n'), /semantic version/);
  assert.throws(() => parsePluginMeta('name: a\ntitle: A\nversion: 2.0.0\nstate: on\n'), /state must be one of enabled, disabled, debug/);
  assert.throws(() => parsePluginMeta('name: A-b\ntitle: A\nversion: 2.0.0\n'), /name must be/);
  assert.throws(() => parsePluginMeta('name: a\ntitle: A\nversion: 2.0.0\ncolour: red\n'), /unknown key\(s\) 'colour'/);
  assert.throws(() => parsePluginMeta('name: a\ntitle: A\nversion: 2.0.0\nresults_template: ../x.html\n'), /results_template/);
  assert.throws(() => packFiles([{ path: 'plugin.yaml', data: enc.encode(meta('1.0.0', 'results_template: results.html\n')), mode: 0o644 }]), /not a file in the plugin directory/);
  assert.ok(compareSemver('1.10.0', '1.9.0') > 0 && compareSemver('1.0.0-rc.1', '1.0.0') < 0);
});

test('manifests verify only for trusted callers; the fleet view marks drift and refusals', () => {
  const alice = generateKeyPair();
  const mallory = generateKeyPair();
  const trust = new TrustStore('caller', new Map([[publicKeyHex(alice.publicKey), 'user=alice']]), new Set());
  const packed = packDirectory(pluginDir());
  const manifest: PluginManifest = {
    name: 'hello',
    release: { version: '1.0.0', digest: packed.digest, size: packed.bytes.byteLength, object: 'hello/1.0.0', files: packed.header.files, meta: packed.meta, pushed_at: 1 },
    previous: [],
    rollout: null,
  };
  assert.equal(pluginManifestProblem(manifest), undefined);
  assert.match(pluginManifestProblem({ ...manifest, release: { ...manifest.release, files: [{ path: '../x', sha256: packed.digest }] } }) ?? '', /not allowed/);
  const good = plugins.readManifest('hello', sealDataBytes(PluginKind.Manifest, manifest, createSigner(alice.privateKey, 'user=alice')), trust);
  assert.equal(good.verified, true);
  const bad = plugins.readManifest('hello', sealDataBytes(PluginKind.Manifest, manifest, createSigner(mallory.privateKey, 'user=mallory')), trust);
  assert.equal(bad.verified, false);
  assert.match(bad.verified ? '' : bad.reason, /not trusted|untrusted|unknown/i);
  assert.equal(plugins.readManifest('other', sealDataBytes(PluginKind.Manifest, manifest, createSigner(alice.privateKey, 'user=alice')), trust).verified, false);
  const rows = plugins.pluginFleet([good], [
    { identity: 'n1', plugins: [{ name: 'hello', version: '1.0.0', state: 'enabled', digest: packed.digest }] },
    { identity: 'n2', plugins: [{ name: 'hello', version: '0.9.0', state: 'enabled', digest: 'f'.repeat(64) }], plugin_errors: [{ name: 'hello', version: '1.0.0', reason: 'digest mismatch' }] },
    { identity: 'n3' },
  ]);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0]?.nodes.map((n) => [n.identity, n.drift, n.error?.reason]), [['n1', false, undefined], ['n2', true, 'digest mismatch']]);
});

test('plugin_sync_filter: names and globs', () => {
  assert.equal(matchesFilter('hello', null), true);
  assert.equal(matchesFilter('web_cache', ['web_*']), true);
  assert.equal(matchesFilter('webcache', ['web_*', 'hello']), false);
  assert.equal(matchesFilter('hello', ['web_*', 'hello']), true);
});
