// Plugins pushed to a signed fleet of three real cohortd processes with
// plugin_sync on: a JS agent pushed with the real `cohort plugin push` is
// served by every node within 10 s, then v2, by the same processes (pids
// unchanged, the action reports the daemon's own pid); `plugin ls` shows the
// versions; rollback; a tampered object, an untrusted signer and a trusted
// caller without plugin#push are refused (the nodes keep serving what they
// ran, say why in `plugin ls` and their audit logs); rm unloads it; an
// external sh agent pushed as a plugin keeps its execute bit and answers; a
// `--batch 1` rollout is seen (in the nodes' registry records) updating one
// node at a time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from 'nats';
import {
  generateKeyPair,
  issueCertificate,
  loadSigner,
  openData,
  packDirectory,
  PluginKind,
  pluginManifestsBucket,
  pluginObjectName,
  pluginObjectsBucket,
  publicKeyHex,
  readPrivateKey,
  sealDataBytes,
  writeCertificate,
  writeKeyPair,
  type AuditRecord,
  type PluginManifest,
  type RegistrationMessage,
} from '@cohort/core';
import { Client } from '@cohort/client';
import { cohort, startFleet, startNatsServer, until, type CliResult, type Fleet, type NatsServer } from '../harness/index.js';

const identities = ['p1', 'p2', 'p3'];
const sysinfoExample = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'agents', 'external', 'sysinfo');
const policies = {
  'rpcutil.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
  'hello.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
  'sysinfo.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
  // bob is certified (trusted) but may not push plugins.
  'plugin.policy': 'policy default deny\nallow\tuser=operator\tpush\t*\t*\n',
};

interface LsRow {
  name: string;
  desired: string | null | undefined;
  unverified?: string;
  nodes: Array<{ identity: string; running?: { version: string; digest: string }; error?: { version: string; reason: string }; drift: boolean }>;
}

/** A plugin directory for agent `hello` at `version`; its greet action says which version answered and from which process. */
function writeHello(root: string, version: string, state = 'enabled'): string {
  const dir = join(root, `hello-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'plugin.yaml'), `name: hello\ntitle: Hello\ndescription: Greets, saying its version\nversion: ${version}\nstate: ${state}\nconfig:\n  greeting: hello\n`);
  writeFileSync(
    join(dir, 'hello.json'),
    JSON.stringify({
      metadata: { name: 'hello', description: 'Greets', author: 'test', license: 'Apache-2.0', version, url: 'https://example.com', timeout: 5 },
      actions: [
        {
          action: 'greet',
          description: 'Say hello',
          display: 'always',
          input: { name: { prompt: 'Name', description: 'who', type: 'string', optional: false, validation: '^[a-z]+$', maxlength: 32 } },
          output: {
            greeting: { description: 'the greeting', display_as: 'Greeting', type: 'string' },
            version: { description: 'plugin version', display_as: 'Version', type: 'string' },
            pid: { description: 'daemon pid', display_as: 'PID', type: 'integer' },
          },
        },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'hello.js'),
    `export default { name: 'hello', actions: { greet({ name }, { log }) { log.debug('greeting ' + name); return { greeting: 'hello ' + name + ' from ${version}', version: '${version}', pid: process.pid }; } } };\n`,
  );
  return dir;
}

describe('plugins pushed to a signed fleet of three nodes', () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  let client: Client;
  let pids: Map<string, number>;
  let v1: string;
  let v2: string;
  const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => cohort([...args, '--connect-timeout', '30'], { nats: nats.url, env: { ...fleet.clientEnv, ...extra }, timeoutMs: 120_000 });
  const log = () => identities.map((id) => `--- ${id}\n${fleet.nodes.get(id)?.log().slice(-3000) ?? ''}`).join('\n');

  /**
   * Which version each node answers hello greet with, asked in-process with
   * the operator's key (a poll costs one round trip, not a CLI start); only
   * replies from the fleet's own pids count.
   */
  const served = async (): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for await (const reply of client.rpc<{ version?: string; pid?: number }>({ agent: 'hello', action: 'greet', data: { name: 'world' }, nodes: identities, timeout: 3 })) {
      if (reply.statuscode !== 0) continue;
      assert.equal(reply.data.pid, pids.get(reply.sender), `${reply.sender} answered from its own daemon process`);
      out.set(reply.sender, reply.data.version ?? '?');
    }
    return out;
  };
  const allServe = async (_dir: string, version: string): Promise<boolean> => {
    const s = await served();
    return identities.every((id) => s.get(id) === version);
  };
  const ls = async (): Promise<LsRow[]> => {
    const r = await run(['plugin', 'ls', '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return JSON.parse(r.stdout) as LsRow[];
  };
  const hello = async (): Promise<LsRow | undefined> => (await ls()).find((r) => r.name === 'hello');
  const audit = (id: string): AuditRecord[] => {
    const file = join(dir, id, 'audit.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord) : [];
  };
  const records = async (): Promise<RegistrationMessage[]> => {
    const kv = await nc.jetstream().views.kv('cohort_registry_cohort', { bindOnly: true });
    const out: RegistrationMessage[] = [];
    for (const id of identities) {
      const e = await kv.get(id);
      if (e?.operation === 'PUT') out.push(openData(e.value).body.value as RegistrationMessage);
    }
    return out;
  };
  const stillSamePids = () => {
    for (const id of identities) {
      const n = fleet.nodes.get(id);
      assert.equal(n?.process.exitCode, null, `${id} is still running`);
      assert.equal(n?.process.pid, pids.get(id), `${id} was not restarted`);
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-plugin-push-'));
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir,
      nodes: identities.map((identity) => ({ identity, facts: { role: 'web' }, classes: [] })),
      secure: { policies },
      registry: true,
      readyTimeoutMs: 300_000,
      logLevel: 'info',
      pluginDirs: [],
      config: { plugin_sync: true, registration: { interval: 30, ttl: 120 } },
    });
    pids = new Map(identities.map((id) => [id, fleet.nodes.get(id)?.process.pid ?? -1]));
    nc = await connect({ servers: nats.url });
    v1 = writeHello(dir, '1.0.0');
    v2 = writeHello(dir, '2.0.0');
    client = await Client.connect({ servers: nats.url, signer: loadSigner({ kind: 'caller', keyFile: join(dir, 'security', 'operator.key') }), ddlDirs: [v1] });
  });

  after(async () => {
    await client?.close();
    await nc?.close();
    await fleet?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('v1 pushed with cohort plugin push is served by every node within 10 s, same processes', async (t) => {
    const started = Date.now();
    const pushed = await run(['plugin', 'push', v1]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /pushed hello 1\.0\.0 \(enabled\) to collective cohort, signed by user=operator/);
    await until('every node serves hello 1.0.0', () => allServe(v1, '1.0.0'), { timeoutMs: 10_000, everyMs: 200, log });
    t.diagnostic(`push to every node serving 1.0.0: ${Date.now() - started} ms (the push command's run included)`);
    stillSamePids();
    // Installed under each node's plugins.d, beside its config.
    for (const id of identities) assert.equal(readdirSync(join(dir, id, 'plugins.d', 'hello')).filter((d) => d.startsWith('1.0.0-')).length, 1);
  });

  test('v2 (new output) replaces v1 on every node within 10 s, same processes; plugin ls shows the versions', async (t) => {
    const pushed = await run(['plugin', 'push', v2]);
    const pushedAt = Date.now();
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /pushed hello 2\.0\.0 \(enabled, was 1\.0\.0\)/);
    await until('every node serves hello 2.0.0', () => allServe(v2, '2.0.0'), { timeoutMs: 10_000, everyMs: 200, log });
    await until('the registry records show 2.0.0', async () => (await records()).filter((r) => r.plugins?.some((p) => p.version === '2.0.0')).length === 3, { timeoutMs: 20_000 });
    const activated = (await records()).map((r) => r.plugins?.find((p) => p.name === 'hello')?.since ?? 0);
    const manifests = await nc.jetstream().views.kv(pluginManifestsBucket('cohort'), { bindOnly: true });
    const signedAt = (openData((await manifests.get('hello'))?.value ?? new Uint8Array()).body.value as PluginManifest).release?.pushed_at ?? pushedAt;
    t.diagnostic(`manifest signed to the last of 3 nodes activating 2.0.0: ${Math.max(...activated) - signedAt} ms`);
    const rpc = await run(['rpc', 'hello', 'greet', 'name=world', '--ddl-dir', v2, '-I', 'p1', '-I', 'p2', '-I', 'p3']);
    assert.equal(rpc.code, 0, rpc.stderr);
    assert.equal(rpc.stdout.match(/hello world from 2\.0\.0/g)?.length, 3, rpc.stdout);
    stillSamePids();
    await until('plugin ls shows 2.0.0 on all three nodes', async () => (await hello())?.nodes.filter((n) => n.running?.version === '2.0.0' && !n.drift).length === 3, { timeoutMs: 20_000 });
    const row = await hello();
    assert.equal(row?.desired, '2.0.0');
    const text = await run(['plugin', 'ls']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^hello {2}desired 2\.0\.0 {2}signed by user=operator {2}3 node\(s\) on it {2}\(previous 1\.0\.0\)$/m);
    // Pushing 2.0.0 again with other content is refused by the CLI.
    writeFileSync(join(v2, 'hello.js'), readFileSync(join(v2, 'hello.js'), 'utf8') + '// changed\n');
    const again = await run(['plugin', 'push', v2]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /hello 2\.0\.0 was already pushed with other content.*bump version/);
  });

  test('rollback makes 1.0.0 desired again: served by every node, same processes', async () => {
    const r = await run(['plugin', 'rollback', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rolled hello back from 2\.0\.0 to 1\.0\.0, signed by user=operator/);
    await until('every node serves hello 1.0.0 again', () => allServe(v1, '1.0.0'), { timeoutMs: 10_000, everyMs: 200, log });
    stillSamePids();
    await until('plugin ls: desired 1.0.0, no drift', async () => {
      const row = await hello();
      return row?.desired === '1.0.0' && row.nodes.filter((n) => n.running?.version === '1.0.0' && !n.drift).length === 3;
    }, { timeoutMs: 20_000 });
  });

  test('a tampered object is refused: the nodes keep serving 1.0.0 and say why', async () => {
    // A genuine 3.0.0 manifest signed by the operator, but the object in the store holds other bytes.
    const v3 = writeHello(dir, '3.0.0');
    const packed = packDirectory(v3);
    const tampered = new Uint8Array(packed.bytes);
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] ?? 0) ^ 0x01;
    const os = await nc.jetstream().views.os(pluginObjectsBucket('cohort'));
    await os.putBlob({ name: pluginObjectName('hello', '3.0.0') }, tampered);
    const operator = loadSigner({ kind: 'caller', keyFile: join(dir, 'security', 'operator.key') });
    const kv = await nc.jetstream().views.kv(pluginManifestsBucket('cohort'), { bindOnly: true });
    const current = openData((await kv.get('hello'))?.value ?? new Uint8Array()).body.value as PluginManifest;
    const manifest: PluginManifest = {
      name: 'hello',
      release: { version: '3.0.0', digest: packed.digest, size: packed.bytes.byteLength, object: pluginObjectName('hello', '3.0.0'), files: packed.header.files, meta: packed.meta, pushed_at: Date.now() },
      previous: current.release ? [{ version: current.release.version, digest: current.release.digest, size: current.release.size, object: current.release.object, pushed_at: current.release.pushed_at }] : [],
      rollout: null,
    };
    await kv.put('hello', sealDataBytes(PluginKind.Manifest, manifest, operator));
    await until('every node refuses 3.0.0 with a digest mismatch', async () => (await hello())?.nodes.filter((n) => n.error?.version === '3.0.0' && /digest mismatch/.test(n.error.reason)).length === 3, { timeoutMs: 20_000, log });
    assert.ok(await allServe(v1, '1.0.0'), 'still serving 1.0.0');
    const text = await run(['plugin', 'ls']);
    assert.equal(text.code, 1, 'ls exits 1 while nodes refuse or drift');
    assert.match(text.stdout, /p1 {2}runs 1\.0\.0 \(enabled, [0-9a-f]{12}\) {2}DRIFT {2}REFUSED 3\.0\.0: digest mismatch/);
    for (const id of identities) {
      assert.ok(audit(id).some((a) => a.request_id === 'plugin-manifest:hello' && a.outcome === 'refused' && /digest mismatch/.test(a.reason ?? '')), `${id} audited the refusal`);
      assert.match(fleet.nodes.get(id)?.log() ?? '', /refusing hello 3\.0\.0: .*digest mismatch.*still running 1\.0\.0/);
      assert.equal(readdirSync(join(dir, id, 'plugins.d', 'hello')).some((d) => d.startsWith('3.0.0-')), false, `${id} installed nothing of 3.0.0`);
    }
    stillSamePids();
  });

  test('a plugin signed by an untrusted key, or by a trusted caller without plugin#push, is refused; the reason shows in plugin ls', async () => {
    const v4 = writeHello(dir, '4.0.0');
    const eve = generateKeyPair();
    const { keyFile: eveKey } = writeKeyPair(join(dir, 'security', 'eve'), eve, { overwrite: true });
    const pushed = await run(['plugin', 'push', v4], { COHORT_KEY: eveKey });
    assert.equal(pushed.code, 0, pushed.stderr);
    await until('every node refuses eve\'s 4.0.0', async () => (await hello())?.nodes.filter((n) => n.error?.version === '4.0.0' && /user=eve/.test(n.error.reason)).length === 3, { timeoutMs: 20_000, log });
    const row = await hello();
    assert.match(row?.unverified ?? '', /.+/, 'the client does not trust the manifest either');
    const text = await run(['plugin', 'ls']);
    assert.match(text.stdout, /hello {2}desired \? \(manifest by user=eve NOT TRUSTED: .+\)/);
    assert.match(text.stdout, /REFUSED 4\.0\.0: manifest signed by user=eve refused: /);
    assert.ok(await allServe(v1, '1.0.0'), 'still serving 1.0.0');

    const issuer = readPrivateKey(join(dir, 'security', 'issuer.key'));
    const bob = generateKeyPair();
    const { keyFile: bobKey } = writeKeyPair(join(dir, 'security', 'bob'), bob, { overwrite: true });
    writeCertificate(join(dir, 'security', 'bob.cert'), issueCertificate(issuer, { kind: 'caller', subject: 'user=bob', publicKey: publicKeyHex(bob.publicKey), expiresAt: Date.now() + 3_600_000 }));
    const v5 = writeHello(dir, '5.0.0');
    assert.equal((await run(['plugin', 'push', v5], { COHORT_KEY: bobKey })).code, 0);
    await until('every node denies bob', async () => (await hello())?.nodes.filter((n) => n.error?.version === '5.0.0' && /user=bob may not push plugins here/.test(n.error.reason)).length === 3, { timeoutMs: 20_000, log });
    for (const id of identities) assert.ok(audit(id).some((a) => a.request_id === 'plugin-manifest:hello' && a.outcome === 'denied' && a.callerid === 'user=bob'), `${id} audited bob's denial`);
    assert.ok(await allServe(v1, '1.0.0'), 'still serving 1.0.0');
    stillSamePids();
  });

  test('rm removes the plugin from every node', async () => {
    const r = await run(['plugin', 'rm', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    await until('no node serves hello', async () => (await served()).size === 0 && (await records()).every((rec) => !rec.agents.includes('hello') && !rec.plugins), { timeoutMs: 20_000, log });
    for (const id of identities) assert.equal(existsSync(join(dir, id, 'plugins.d', 'hello')), false, `${id} deleted the files`);
    const row = await hello();
    assert.equal(row?.desired, null);
    stillSamePids();
  });

  test('an external agent (the POSIX sh example) pushed as a plugin keeps its execute bit and answers cohort rpc on every node', async () => {
    const plugin = join(dir, 'sysinfo-1.0.0');
    mkdirSync(plugin, { recursive: true });
    for (const f of ['sysinfo.json', 'sysinfo.sh']) copyFileSync(join(sysinfoExample, f), join(plugin, f));
    assert.ok(statSync(join(plugin, 'sysinfo.sh')).mode & 0o100, 'the example is executable');
    writeFileSync(join(plugin, 'plugin.yaml'), 'name: sysinfo\ntitle: System info\ndescription: The sh example agent\nversion: 1.0.0\nstate: enabled\n');
    const pushed = await run(['plugin', 'push', plugin]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const echo = () => run(['rpc', 'sysinfo', 'echo', 'message=pushed in sh', '--ddl-dir', plugin, '-I', 'p1', '-I', 'p2', '-I', 'p3', '--json']);
    await until('every node answers sysinfo echo', async () => {
      const r = await echo();
      if (r.code !== 0) return false;
      const { replies } = JSON.parse(r.stdout) as { replies: Array<{ sender: string; statuscode: number; data: { message?: string; length?: number } }> };
      return replies.filter((x) => x.statuscode === 0 && x.data.message === 'pushed in sh' && x.data.length === 12).length === 3;
    }, { timeoutMs: 20_000, everyMs: 500, log });
    for (const id of identities) {
      const installed = readdirSync(join(dir, id, 'plugins.d', 'sysinfo')).find((d) => d.startsWith('1.0.0-')) ?? '';
      assert.ok(statSync(join(dir, id, 'plugins.d', 'sysinfo', installed, 'sysinfo.sh')).mode & 0o100, `${id} installed the executable with its execute bit`);
    }
    const rm = await run(['plugin', 'rm', 'sysinfo']);
    assert.equal(rm.code, 0, rm.stderr);
    stillSamePids();
  });

  test('--batch 1: the nodes update one at a time (slot intervals from the registry records never overlap)', async () => {
    const r = await run(['plugin', 'push', v2, '--batch', '1', '--settle', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /staged: at most 1 node\(s\) at once, 2 s apart/);
    await until('all three ran the staged rollout to the end', async () => {
      const recs = await records();
      return recs.length === 3 && recs.every((rec) => rec.plugins?.some((p) => p.name === 'hello' && p.version === '2.0.0' && p.released_at !== undefined));
    }, { timeoutMs: 60_000, log });
    const slots = (await records())
      .map((rec) => ({ id: rec.identity, p: rec.plugins?.find((p) => p.name === 'hello') }))
      .map(({ id, p }) => ({ id, claimed: p?.claimed_at ?? NaN, since: p?.since ?? NaN, released: p?.released_at ?? NaN }))
      .sort((a, b) => a.claimed - b.claimed);
    for (const s of slots) assert.ok(s.claimed <= s.since && s.since <= s.released, `${s.id}: claimed, activated, released in order`);
    // At most one node held the slot at any time: each claim comes after the previous holder gave it back.
    for (let i = 1; i < slots.length; i++) {
      const prev = slots[i - 1] as (typeof slots)[number];
      const cur = slots[i] as (typeof slots)[number];
      assert.ok(cur.claimed >= prev.released, `${cur.id} took the slot (${cur.claimed}) only after ${prev.id} gave it back (${prev.released})`);
    }
    assert.ok(await allServe(v2, '2.0.0'));
    stillSamePids();
  });
});
