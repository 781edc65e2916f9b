// A node's plugin sync with a fake plugins bus (the real one is exercised in
// test/integration/plugin-push.test.ts): versions swapped in the agent
// registry (a request holding the old version finishes on it; the old
// version is disposed of after its deadline), state disabled unloads, debug
// logs the agent's debug lines, and a bad DDL, a name taken by another agent,
// a digest mismatch and an unsigned delete never change what runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner, generateKeyPair, loadDdlFile, packDirectory, PluginKind, pluginObjectName, publicKeyHex, sealDataBytes, TrustStore, type AuditRecord, type PluginManifest } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { AgentRegistry } from '../../packages/server/src/registry.js';
import { PluginSync } from '../../packages/server/src/plugin-sync/index.js';
import type { PluginsBus } from '../../packages/server/src/bus/plugins.js';
import type { WatchedEntry } from '../../packages/server/src/bus/mine-watch.js';
import { until } from '../harness/wait.js';

const alice = generateKeyPair();
const signer = createSigner(alice.privateKey, 'user=alice');
const trust = new TrustStore('caller', new Map([[publicKeyHex(alice.publicKey), 'user=alice']]), new Set());

function ddl(name: string, actions: string[]): string {
  return JSON.stringify({
    metadata: { name, description: 'd', author: 'a', license: 'MIT', version: '1.0.0', url: 'https://example.com', timeout: 2 },
    actions: actions.map((action) => ({ action, description: 'd', display: 'always', input: {}, output: { v: { description: 'v', display_as: 'V', type: 'string' } } })),
  });
}

let n = 0;
function plugin(version: string, options: { state?: string; name?: string; actions?: string[]; body?: string } = {}): string {
  const name = options.name ?? 'hello';
  const dir = mkdtempSync(join(tmpdir(), `plugin-sync-${n++}-`));
  writeFileSync(join(dir, 'plugin.yaml'), `name: ${name}\ntitle: T\nversion: ${version}\nstate: ${options.state ?? 'enabled'}\n`);
  writeFileSync(join(dir, `${name}.json`), ddl(name, options.actions ?? ['greet']));
  writeFileSync(
    join(dir, `${name}.js`),
    `globalThis.disposed ??= []; export default { name: '${name}', actions: { greet(_i, { log }) { log.debug('greeting at ${version}'); return { v: '${version}' }; } }, dispose() { globalThis.disposed.push('${version}'); } };\n`,
  );
  return dir;
}

function fixture(options: { trust?: () => TrustStore } = {}) {
  const objects = new Map<string, Uint8Array>();
  let onEntry: ((e: WatchedEntry) => void) | undefined;
  const bus: PluginsBus = {
    watchManifests: async (_c, cb) => {
      onEntry = cb;
      return { stop: () => undefined };
    },
    fetch: async (_c, object) => objects.get(object),
    claim: async () => true,
    release: async () => undefined,
  };
  const lines: string[] = [];
  const logger = {
    child: () => logger,
    error: (m: string) => lines.push(`error ${m}`),
    warn: (m: string) => lines.push(`warn ${m}`),
    info: (m: string) => lines.push(`info ${m}`),
    debug: (m: string) => lines.push(`debug ${m}`),
  } as unknown as Logger;
  const audits: AuditRecord[] = [];
  const registry = new AgentRegistry();
  let changes = 0;
  const dir = mkdtempSync(join(tmpdir(), 'plugin-sync-root-'));
  const sync = new PluginSync({
    identity: 'n1',
    collective: 'cohort',
    dir,
    filter: null,
    bus,
    trust: options.trust ?? (() => trust),
    policies: undefined,
    audit: { write: (r) => (audits.push(r as AuditRecord), true), close: () => undefined },
    view: () => ({ identity: 'n1', facts: {}, classes: [], agents: [] }),
    registry,
    node: {} as never,
    log: logger,
    onChange: () => changes++,
  });
  /** Push a plugin directory as `cohort plugin push` would (pack, object, signed manifest). */
  const push = (pluginDir: string, tamper = false): void => {
    const packed = packDirectory(pluginDir);
    const object = pluginObjectName(packed.meta.name, packed.meta.version);
    const bytes = new Uint8Array(packed.bytes);
    if (tamper) bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 1;
    objects.set(object, bytes);
    const manifest: PluginManifest = {
      name: packed.meta.name,
      release: { version: packed.meta.version, digest: packed.digest, size: packed.bytes.byteLength, object, files: packed.header.files, meta: packed.meta, pushed_at: Date.now() },
      previous: [],
      rollout: null,
    };
    onEntry?.({ key: packed.meta.name, value: sealDataBytes(PluginKind.Manifest, manifest, signer) });
  };
  // As the processor calls an action: with the hosted agent's own logger.
  const greet = async (): Promise<unknown> => {
    const hosted = registry.get('hello');
    return hosted?.actions.get('greet')?.handler({}, { log: hosted.log } as never);
  };
  return { sync, registry, push, greet, lines, audits, dir, changes: () => changes, remove: (name: string) => onEntry?.({ key: name, value: undefined }) };
}

test('versions are swapped in without a restart; a request holding the old version finishes on it; the old one is disposed of after its deadline', async () => {
  const f = fixture();
  await f.sync.start();
  f.push(plugin('1.0.0'));
  await until('1.0.0 loaded', async () => (await f.greet().catch(() => undefined)) !== undefined, { timeoutMs: 5000 });
  assert.deepEqual(await f.greet(), { v: '1.0.0' });
  const held = f.registry.get('hello');
  f.push(plugin('2.0.0'));
  await until('2.0.0 loaded', async () => JSON.stringify(await f.greet()) === '{"v":"2.0.0"}', { timeoutMs: 5000 });
  assert.deepEqual(await held?.actions.get('greet')?.handler({}, { log: { debug: () => undefined } } as never), { v: '1.0.0' }, 'the old version still answers a request that holds it');
  assert.deepEqual(f.sync.plugins().map((p) => [p.name, p.version, p.state]), [['hello', '2.0.0', 'enabled']]);
  await until('1.0.0 disposed of after its 2 s deadline', () => ((globalThis as { disposed?: string[] }).disposed ?? []).includes('1.0.0'), { timeoutMs: 5000 });
  assert.ok(f.audits.some((a) => a.outcome === 'allowed' && a.request_id === 'plugin-manifest:hello' && a.callerid === 'user=alice'));
  await f.sync.stop();
});

test('state disabled unloads the agent; debug logs its debug lines at info', async () => {
  const f = fixture();
  await f.sync.start();
  f.push(plugin('1.0.0', { state: 'debug' }));
  await until('debug loaded', () => f.registry.has('hello'), { timeoutMs: 5000 });
  await f.greet();
  assert.ok(f.lines.includes('info (debug) greeting at 1.0.0'), f.lines.join('\n'));
  f.push(plugin('1.1.0', { state: 'disabled' }));
  await until('disabled', () => !f.registry.has('hello'), { timeoutMs: 5000 });
  assert.deepEqual(f.sync.plugins().map((p) => [p.version, p.state]), [['1.1.0', 'disabled']]);
  await f.sync.stop();
});

test('a bad DDL, a taken name, a digest mismatch and an unsigned delete never change what runs', async () => {
  const f = fixture();
  const takenDir = mkdtempSync(join(tmpdir(), 'plugin-sync-taken-'));
  mkdirSync(takenDir, { recursive: true });
  writeFileSync(join(takenDir, 'taken.json'), ddl('taken', ['greet']));
  f.registry.add({ name: 'taken', actions: { greet: () => ({ v: 'builtin' }) } }, loadDdlFile(join(takenDir, 'taken.json')), 'builtin', console);
  await f.sync.start();
  f.push(plugin('1.0.0'));
  await until('1.0.0 loaded', () => f.registry.has('hello'), { timeoutMs: 5000 });

  f.push(plugin('2.0.0', { actions: ['greet', 'wave'] }));
  await until('bad DDL refused', () => f.sync.errors().some((e) => e.version === '2.0.0'), { timeoutMs: 5000 });
  assert.match(f.sync.errors()[0]?.reason ?? '', /actions in hello\.json not implemented in hello\.js: wave/);
  assert.deepEqual(await f.greet(), { v: '1.0.0' });

  f.push(plugin('3.0.0'), true);
  await until('tampered refused', () => f.sync.errors().some((e) => e.version === '3.0.0'), { timeoutMs: 5000 });
  assert.match(f.sync.errors()[0]?.reason ?? '', /digest mismatch/);
  assert.deepEqual(await f.greet(), { v: '1.0.0' });
  assert.ok(f.audits.some((a) => a.outcome === 'refused' && /digest mismatch/.test(a.reason ?? '')));

  f.push(plugin('1.0.0', { name: 'taken' }));
  await until('taken name refused', () => f.sync.errors().some((e) => e.name === 'taken'), { timeoutMs: 5000 });
  assert.match(f.sync.errors().find((e) => e.name === 'taken')?.reason ?? '', /an agent named 'taken' is already loaded \(builtin\)/);
  assert.equal(f.registry.get('taken')?.source, 'builtin');

  f.remove('hello');
  await until('unsigned delete noted', () => f.lines.some((l) => /deleted without a signature; keeping 1\.0\.0/.test(l)), { timeoutMs: 5000 });
  assert.deepEqual(await f.greet(), { v: '1.0.0' });
  await f.sync.stop();
});

test('a refused manifest is looked at again on refresh: once its signer is trusted it installs; the same refusal is audited once', async () => {
  let current = new TrustStore('caller', new Map(), new Set());
  const f = fixture({ trust: () => current });
  await f.sync.start();
  f.push(plugin('1.0.0'));
  await until('refused', () => f.sync.errors().length === 1, { timeoutMs: 5000 });
  f.sync.refresh();
  f.sync.refresh();
  // The refresh started looking at it again at once; stop() waits until that is done.
  await f.sync.stop();
  assert.equal(f.audits.filter((a) => a.outcome === 'refused').length, 1, 'the unchanged refusal is audited once');
  const g = fixture({ trust: () => current });
  await g.sync.start();
  g.push(plugin('1.0.0'));
  await until('refused', () => g.sync.errors().length === 1, { timeoutMs: 5000 });
  assert.equal(g.registry.has('hello'), false);
  current = trust;
  g.sync.refresh();
  await until('installed once trusted', () => g.registry.has('hello') && g.sync.errors().length === 0, { timeoutMs: 5000 });
  await g.sync.stop();
});
