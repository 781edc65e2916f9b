// The mine on a real fleet: five cohortd processes in signed mode on a
// JetStream nats-server, each mining from its config file and its own drop-in
// directory (mine.d beside its config). Shows functions changed live (same
// pid, the new interval in the values), fleet-wide definitions accepted from
// a trusted and authorized caller and refused (and audited) otherwise, stale
// values after SIGKILL, command functions (output cap, timeout), `mine get`
// text/JSON/exit codes, the export mirror under 20 concurrent readers, and
// check_mk-agent sections read back byte for byte through cohort-mine-cat.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect, type NatsConnection } from 'nats';
import {
  generateKeyPair,
  issueCertificate,
  mineBucket,
  mineKey,
  openData,
  publicKeyHex,
  readPrivateKey,
  writeCertificate,
  writeKeyPair,
  type AuditRecord,
  type MineValue,
} from '@cohort/core';
import { cohort, cohortBin, repoRoot, startFleet, startNatsServer, until as waitUntil, WaitTimeout, type CliResult, type Fleet, type NatsServer } from '../harness/index.js';

const catBin = join(repoRoot, 'packages/cli/bin/cohort-mine-cat');
const agentScript = join(repoRoot, 'test/fixtures/mine/check_mk_agent');
const identities = ['n1', 'n2', 'n3', 'n4', 'n5'];
const roles: Record<string, string> = { n1: 'web', n2: 'web', n3: 'db', n4: 'db', n5: 'cache' };

// Operator may do anything; mallory is trusted (certified) but may not call rpcutil.
const policies = {
  'rpcutil.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
  'mine.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
};

/** Wait until `check` resolves true, polling every `everyMs`; false after a generous deadline. */
async function until(check: () => Promise<boolean> | boolean, ms = 180_000, everyMs = 250): Promise<boolean> {
  try {
    await waitUntil('the condition', check, { timeoutMs: ms, everyMs });
    return true;
  } catch (err) {
    if (err instanceof WaitTimeout) return check();
    throw err;
  }
}

interface GetJson {
  function: string;
  values: Array<{ identity: string; state: string; time: number | null; age_s: number | null; stale: boolean; statuscode: number | null; statusmsg: string; interval: number | null; data?: Record<string, unknown>; output?: string }>;
  stats: { matched: number; fresh: number; stale: number; missing: number; failed: number };
}

describe('the mine on a signed fleet of five nodes', () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  let env: Record<string, string>;
  // The machine running this may be loaded: generous connection and process timeouts.
  const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
    cohort([...args, '--connect-timeout', '30'], { nats: nats.url, env: { ...env, ...extra }, timeoutMs: 180_000 });
  const getJson = async (args: string[], extra: Record<string, string> = {}): Promise<{ r: CliResult; j: GetJson }> => {
    const r = await run(['mine', 'get', ...args, '--json'], extra);
    return { r, j: JSON.parse(r.stdout || '{"values":[],"stats":{}}') as GetJson };
  };
  const configOf = (id: string) => join(dir, id, 'server.yaml');
  const audit = (id: string): AuditRecord[] => {
    const file = join(dir, id, 'audit.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord) : [];
  };
  /** Every value of `fn` from `id` written from now on, decoded (the CLI verifies; here we look at timing). */
  const watchValues = async (fn: string, id: string): Promise<{ values: MineValue[]; stop(): void }> => {
    const kv = await nc.jetstream().views.kv(mineBucket('cohort'), { bindOnly: true });
    const values: MineValue[] = [];
    const it = await kv.watch({ key: mineKey(fn, id), include: 'updates' as never });
    void (async () => {
      for await (const e of it) if (e.operation === 'PUT') values.push(openData(e.value).body.value as MineValue);
    })();
    return { values, stop: () => it.stop() };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-mine-'));
    for (const id of identities) {
      mkdirSync(join(dir, id, 'mine.d'), { recursive: true });
      // Each node's check_mk function names its own host (so outputs differ per node).
      writeFileSync(join(dir, id, 'mine.d', 'cmk.yaml'), yaml.dump({ check_mk: { command: [agentScript, id], interval: '3s', timeout: '30s' } }));
    }
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir,
      nodes: identities.map((identity) => ({ identity, facts: { role: roles[identity] }, classes: [] })),
      secure: { policies },
      registry: true,
      readyTimeoutMs: 300_000,
      logLevel: 'info',
      config: {
        mine: {
          role: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'role' }, interval: '3s' },
          gen: { command: ['/bin/sh', '-c', 'g=$(date +%s%N); i=0; while [ $i -lt 300 ]; do echo "line $i $g"; i=$((i+1)); done; printf "end %s" "$g"'], interval: '3s', timeout: '30s' },
        },
        mine_dir: 'mine.d',
      },
    });
    env = fleet.clientEnv;
    nc = await connect({ servers: nats.url });
  });

  after(async () => {
    await nc?.close();
    await fleet?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('values from the config file and drop-ins are mined, signed and read with mine get', async () => {
    assert.ok(await until(async () => (await getJson(['role'])).j.stats.fresh === 5), 'all five nodes mine role');
    const { r, j } = await getJson(['role', '-F', 'role=web']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Object.keys(j).sort(), ['function', 'stats', 'values']);
    assert.equal(j.function, 'role');
    assert.deepEqual(j.values.map((v) => v.identity), ['n1', 'n2']);
    for (const v of j.values) {
      assert.equal(v.state, 'fresh');
      assert.equal(v.stale, false);
      assert.equal(v.statuscode, 0);
      assert.equal(v.interval, 3);
      assert.deepEqual(v.data, { fact: 'role', value: 'web' });
      assert.equal(typeof v.time, 'number');
      assert.equal(typeof v.age_s, 'number');
    }
    assert.deepEqual(j.stats, { matched: 2, fresh: 2, stale: 0, missing: 0, failed: 0 });
    const text = await run(['mine', 'get', 'role', '-F', 'role=db']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^n3\s+\d+s\s+\{"fact":"role","value":"db"\}$/);
    assert.match(lines[1] ?? '', /^n4\s+\d+s\s+/);
    assert.match(text.stdout, /role: 2 matched, 2 fresh, 0 stale, 0 missing, 0 failed/);
    assert.ok(await until(async () => (await getJson(['check_mk'])).j.stats.fresh === 5), 'the drop-in command function runs on every node');
  });

  test('mine get exit codes: 0 all fresh, 1 some missing, 3 nothing matched, 2 bad usage', async () => {
    assert.equal((await run(['mine', 'get', 'role', '-I', 'n1'])).code, 0);
    const missing = await getJson(['role', '-I', 'n1', '-I', 'ghost']);
    assert.equal(missing.r.code, 1);
    assert.deepEqual(missing.j.stats, { matched: 2, fresh: 1, stale: 0, missing: 1, failed: 0 });
    assert.equal(missing.j.values.find((v) => v.identity === 'ghost')?.state, 'missing');
    const none = await run(['mine', 'get', 'role', '-F', 'role=nosuch']);
    assert.equal(none.code, 3);
    assert.match(none.stderr, /No node matched/);
    assert.equal((await run(['mine', 'get', 'no.dots'])).code, 2);
    // Without trusted node keys nothing can be verified: refused up front.
    const untrusting = await run(['mine', 'get', 'role'], { COHORT_KEY: '' });
    assert.equal(untrusting.code, 2);
    assert.match(untrusting.stderr, /trusted node keys/);
    // --max-age shorter than any value's age: stale, exit 1.
    const old = await getJson(['role', '-I', 'n1', '--max-age', '1ms']);
    assert.equal(old.r.code, 1);
    assert.equal(old.j.values[0]?.state, 'stale');
  });

  test('a value planted on the bus without the node key is refused by readers', async () => {
    const kv = await nc.jetstream().views.kv(mineBucket('cohort'), { bindOnly: true });
    const forger = generateKeyPair();
    const { createSigner, sealDataBytes } = await import('@cohort/core');
    const fake: MineValue = { function: 'planted', identity: 'n1', time: Date.now(), interval: 60, duration_ms: 1, statuscode: 0, statusmsg: 'OK', source: 'config', output: 'evil' };
    await kv.put(mineKey('planted', 'n1'), sealDataBytes('mine', fake, createSigner(forger.privateKey, 'n1'), fake.time));
    const { r, j } = await getJson(['planted']);
    assert.equal(r.code, 1);
    assert.equal(j.values[0]?.state, 'refused');
    assert.match(j.values[0]?.statusmsg ?? '', /value refused: unknown key/);
    assert.equal(j.values[0]?.output, undefined);
    await kv.delete(mineKey('planted', 'n1'));
  });

  test('config and drop-in changes apply live: new interval in the values, same pid', async () => {
    const n1 = fleet.nodes.get('n1');
    assert.ok(n1);
    const pid = n1.process.pid;
    // A new drop-in file: picked up without a restart.
    writeFileSync(join(dir, 'n1', 'mine.d', 'extra.yaml'), yaml.dump({ extra: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'role' }, interval: '2s' } }));
    // Present and successful (fresh or not: on a loaded machine a 2 s value may be read after 4 s).
    assert.ok(await until(async () => (await getJson(['extra', '-I', 'n1'])).j.values[0]?.statuscode === 0), 'the drop-in function appears');
    // The config file's role interval: 2s -> 6s, then back to 1s; the values carry the interval and show the spacing.
    const watched = await watchValues('role', 'n1');
    try {
      const config = yaml.load(readFileSync(configOf('n1'), 'utf8')) as { mine: Record<string, Record<string, unknown>> };
      const setInterval = (i: string) => {
        const role = config.mine['role'];
        assert.ok(role);
        role['interval'] = i;
        writeFileSync(configOf('n1'), yaml.dump(config));
      };
      setInterval('6s');
      assert.ok(await until(() => watched.values.filter((v) => v.interval === 6).length >= 2), 'two values at the 6 s interval');
      setInterval('1s');
      assert.ok(await until(() => watched.values.filter((v) => v.interval === 1).length >= 4), 'four values at the 1 s interval');
      const six = watched.values.filter((v) => v.interval === 6).map((v) => v.time);
      const one = watched.values.filter((v) => v.interval === 1).map((v) => v.time);
      const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - (ts[i] ?? t));
      // The spacing follows the interval: the 6 s values are further apart than any two 1 s values.
      assert.ok(Math.min(...gaps(six)) > Math.max(...gaps(one)), `6 s gaps ${gaps(six).join(',')} vs 1 s gaps ${gaps(one).join(',')}`);
    } finally {
      watched.stop();
    }
    // Removing the drop-in removes the function and its value.
    rmSync(join(dir, 'n1', 'mine.d', 'extra.yaml'));
    assert.ok(await until(async () => (await run(['mine', 'get', 'extra', '-I', 'n1'])).code === 1), 'the value is removed with the function');
    assert.equal(n1.process.pid, pid);
    assert.equal(n1.process.exitCode, null, 'the node kept running');
    assert.match(n1.log(), /mine: 'extra' added/);
    assert.match(n1.log(), /mine: 'role' changed/);
  });

  test('command functions: output kept as text, output cap and timeout reported in the value', async (t) => {
    t.after(() => rmSync(join(dir, 'n2', 'mine.d', 'bad.yaml'), { force: true }));
    writeFileSync(
      join(dir, 'n2', 'mine.d', 'bad.yaml'),
      yaml.dump({
        big: { command: ['/bin/sh', '-c', 'head -c 5000 /dev/zero | tr "\\0" x'], interval: '2s', timeout: '30s', max_output: 1000 },
        slow: { command: ['/bin/sleep', '30'], interval: '2s', timeout: '1s' },
        broken: { command: ['/nonexistent/agent'], interval: '2s' },
      }),
    );
    let big: GetJson['values'][number] | undefined;
    assert.ok(await until(async () => (big = (await getJson(['big', '-I', 'n2'])).j.values[0])?.state === 'failed'));
    assert.match(big?.statusmsg ?? '', /output exceeded max_output \(1000 bytes\)/);
    assert.equal(big?.output, undefined);
    let slow: GetJson['values'][number] | undefined;
    assert.ok(await until(async () => (slow = (await getJson(['slow', '-I', 'n2'])).j.values[0])?.state === 'failed'));
    assert.match(slow?.statusmsg ?? '', /exceeded its 1 s timeout/);
    let broken: GetJson['values'][number] | undefined;
    assert.ok(await until(async () => (broken = (await getJson(['broken', '-I', 'n2'])).j.values[0])?.state === 'failed'));
    assert.match(broken?.statusmsg ?? '', /cannot run \/nonexistent\/agent/);
    const ok = (await getJson(['check_mk', '-I', 'n2'])).j.values[0];
    assert.equal(ok?.output, execFileSync(agentScript, ['n2'], { encoding: 'utf8' }));
  });

  test('mine define: picked up from a trusted, authorized caller; refused and audited otherwise; commands never from the bus', async () => {
    const define = await run(['mine', 'define', 'dbrole', '--agent', 'rpcutil', '--action', 'get_fact', 'fact=role', '--interval', '3s', '-F', 'role=db']);
    assert.equal(define.code, 0, define.stderr);
    assert.ok(await until(async () => (await getJson(['dbrole'])).j.values.filter((v) => v.statuscode === 0).length === 2), 'the db nodes mine it');
    const { j } = await getJson(['dbrole']);
    assert.deepEqual(j.values.map((v) => [v.identity, v.data?.['value']]), [['n3', 'db'], ['n4', 'db']]);
    assert.ok(audit('n3').some((a) => a.request_id === 'mine-definition:dbrole' && a.outcome === 'allowed' && a.callerid === 'user=operator'));
    assert.ok(!audit('n1').some((a) => a.request_id === 'mine-definition:dbrole'), 'nodes outside the filter ignore it');
    const ls = await run(['mine', 'ls', '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    const row = (JSON.parse(ls.stdout) as Array<{ function: string; nodes: number; defined: string[] }>).find((r) => r.function === 'dbrole');
    assert.equal(row?.nodes, 2);
    assert.ok(row?.defined.some((d) => /defined by user=operator/.test(d)));

    // mallory: certified by the fleet's issuer (trusted), but actionpolicy does not allow her rpcutil.
    const issuer = readPrivateKey(join(dir, 'security', 'issuer.key'));
    const mallory = generateKeyPair();
    const { keyFile: malloryKey } = writeKeyPair(join(dir, 'security', 'mallory'), mallory, { overwrite: true });
    writeCertificate(join(dir, 'security', 'mallory.cert'), issueCertificate(issuer, { kind: 'caller', subject: 'user=mallory', publicKey: publicKeyHex(mallory.publicKey), expiresAt: Date.now() + 3_600_000 }));
    const denied = await run(['mine', 'define', 'sneaky', '--agent', 'rpcutil', '--action', 'get_fact', 'fact=role', '--interval', '1s'], { COHORT_KEY: malloryKey });
    assert.equal(denied.code, 0, denied.stderr);
    assert.ok(await until(() => identities.every((id) => audit(id).some((a) => a.request_id === 'mine-definition:sneaky' && a.outcome === 'denied' && a.callerid === 'user=mallory'))), 'denied and audited on every node');

    // eve: a key nobody trusts.
    const eve = generateKeyPair();
    const { keyFile: eveKey } = writeKeyPair(join(dir, 'security', 'eve'), eve, { overwrite: true });
    const untrusted = await run(['mine', 'define', 'evil', '--agent', 'rpcutil', '--action', 'get_fact', 'fact=role', '--interval', '1s', '--issuer', join(dir, 'security', 'issuer.pub')], { COHORT_KEY: eveKey });
    assert.equal(untrusted.code, 0, untrusted.stderr);
    assert.ok(await until(() => identities.every((id) => audit(id).some((a) => a.request_id === 'mine-definition:evil' && a.outcome === 'refused' && /unknown key/.test(a.reason ?? '')))), 'refused and audited on every node');

    // A hand-made definition carrying a command, signed by the trusted operator: refused all the same.
    const { loadSigner, sealDataBytes } = await import('@cohort/core');
    const operator = loadSigner({ kind: 'caller', keyFile: join(dir, 'security', 'operator.key') });
    const defs = await nc.jetstream().views.kv('cohort_mine_defs_cohort', { bindOnly: true });
    await defs.put('cmd', sealDataBytes('mine-definition', { name: 'cmd', agent: 'rpcutil', action: 'ping', inputs: {}, interval: 1, command: ['/bin/touch', join(dir, 'pwned')], filter: { fact: [], cf_class: [], agent: [], identity: [], compound: [] } }, operator));
    assert.ok(await until(() => identities.every((id) => audit(id).some((a) => a.request_id === 'mine-definition:cmd' && a.outcome === 'refused' && /commands can never be defined from the bus/.test(a.reason ?? '')))));

    // Nothing refused ever ran.
    for (const fn of ['sneaky', 'evil', 'cmd']) assert.equal((await getJson([fn])).j.stats.matched, 0, `${fn} has no values`);
    assert.equal(existsSync(join(dir, 'pwned')), false);

    // Undefine: the nodes stop and remove their values.
    assert.equal((await run(['mine', 'undefine', 'dbrole'])).code, 0);
    assert.ok(await until(async () => (await getJson(['dbrole'])).j.stats.matched === 0), 'values removed after undefine');
    for (const name of ['sneaky', 'evil', 'cmd']) await defs.delete(name);
  });

  test('mine update runs functions now through the mine agent', async () => {
    const before = (await getJson(['role', '-I', 'n5'])).j.values[0]?.time ?? 0;
    const r = await run(['mine', 'update', 'role', '-I', 'n5', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const reply = (JSON.parse(r.stdout) as { replies: Array<{ data: { ran: string[] } }> }).replies[0];
    assert.deepEqual(reply?.data.ran, ['role']);
    const after = (await getJson(['role', '-I', 'n5'])).j.values[0]?.time ?? 0;
    assert.ok(after > before, 'a newer value was written before the reply');
    const unknown = await run(['mine', 'update', 'nosuch', '-I', 'n5']);
    assert.equal(unknown.code, 1);
  });

  test('the export mirror: 20 concurrent readers through cohort-mine-cat never see a partial or torn file', async () => {
    const mirror = join(dir, 'mirror-gen');
    const exporter = spawn(process.execPath, [cohortBin, 'mine', 'export', 'gen', '--dir', mirror], { env: { ...process.env, ...env, COHORT_NATS: nats.url }, stdio: ['ignore', 'ignore', 'pipe'] });
    let exportLog = '';
    exporter.stderr.on('data', (d: Buffer) => (exportLog += d));
    try {
      assert.ok(await until(() => identities.every((id) => existsSync(join(mirror, id)))), `mirror files appear: ${exportLog}`);
      const seen = new Map<string, Set<string>>(identities.map((id) => [id, new Set()]));
      let reads = 0;
      const reader = async (n: number): Promise<void> => {
        for (let i = 0; ; i++) {
          const id = identities[(n + i) % identities.length] ?? 'n1';
          const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            const c = spawn(catBin, ['--dir', mirror, '--max-age', '1h', id]);
            let stdout = '';
            let stderr = '';
            c.stdout.on('data', (d: Buffer) => (stdout += d));
            c.stderr.on('data', (d: Buffer) => (stderr += d));
            c.on('close', (code) => resolve({ code, stdout, stderr }));
          });
          reads++;
          assert.equal(out.code, 0, `read of ${id} failed: ${out.stderr}`);
          const lines = out.stdout.split('\n');
          const gen = /^end (\d+)$/.exec(lines[300] ?? '')?.[1];
          assert.ok(gen, `read of ${id} is complete (${lines.length} lines)`);
          assert.equal(lines.length, 301);
          lines.slice(0, 300).forEach((l, k) => assert.equal(l, `line ${k} ${gen}`, `read of ${id} is from one value`));
          seen.get(id)?.add(gen);
          if ([...seen.values()].every((s) => s.size >= 3)) return;
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, n) => reader(n)));
      assert.ok(reads >= 20);
    } finally {
      exporter.kill('SIGTERM');
      await new Promise((r) => exporter.once('close', r));
    }
    assert.match(exportLog, /mirroring gen into/);
  });

  test('check_mk sections from five nodes read back byte for byte through the datasource program', async () => {
    const mirror = join(dir, 'mirror-cmk');
    const exporter = spawn(process.execPath, [cohortBin, 'mine', 'export', 'check_mk', '--dir', mirror], { env: { ...process.env, ...env, COHORT_NATS: nats.url }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      assert.ok(await until(() => identities.every((id) => existsSync(join(mirror, id)))));
      for (const id of identities) {
        const expected = execFileSync(agentScript, [id]);
        const got = execFileSync(catBin, ['--dir', mirror, '--max-age', '5m', id]);
        assert.ok(got.equals(expected), `${id}: datasource output equals the agent's output byte for byte`);
        assert.match(got.toString(), /^<<<check_mk>>>\nVersion: 2\.2\.0p1\n/);
        // The README's rule, as Checkmk runs it (`sh -c`): the shell reads the script itself.
        const sourced = execFileSync('/bin/sh', ['-c', `set -- --dir ${mirror} --max-age 3m ${id}; . ${catBin}`]);
        assert.ok(sourced.equals(expected), `${id}: the sourced rule's output equals the agent's output byte for byte`);
      }
      // Missing host: non-zero exit and a reason on stderr, nothing on stdout.
      const missing = spawnSyncCat(['--dir', mirror, 'nosuchhost']);
      assert.equal(missing.status, 2);
      assert.equal(missing.stdout, '');
      assert.match(missing.stderr, /no mined value for nosuchhost/);
    } finally {
      exporter.kill('SIGTERM');
      await new Promise((r) => exporter.once('close', r));
    }
  });

  test('a SIGKILLed node: its values turn stale (get exit 1), the mirror marks them and the datasource refuses them', async () => {
    const mirror = join(dir, 'mirror-stale');
    const exporter: ChildProcess = spawn(process.execPath, [cohortBin, 'mine', 'export', 'check_mk', '--dir', mirror], { env: { ...process.env, ...env, COHORT_NATS: nats.url }, stdio: 'ignore' });
    try {
      assert.ok(await until(() => existsSync(join(mirror, 'n5'))));
      await fleet.kill('n5', 'SIGKILL');
      assert.ok(await until(async () => (await getJson(['check_mk', '-I', 'n5'])).j.values[0]?.state === 'stale'), 'stale after twice the interval');
      const { r, j } = await getJson(['check_mk', '-I', 'n5']);
      assert.equal(r.code, 1);
      assert.equal(j.values[0]?.stale, true);
      assert.deepEqual(j.stats, { matched: 1, fresh: 0, stale: 1, missing: 0, failed: 0 });
      const text = await run(['mine', 'get', 'check_mk']);
      assert.equal(text.code, 1);
      assert.match(text.stdout, /^n5\s+\d+s \[stale\]/m);
      assert.ok(await until(() => readFileSync(join(mirror, 'n5'), 'utf8').startsWith('cohort-mine/1 stale ')), 'the mirror marks it stale');
      const cat = spawnSyncCat(['--dir', mirror, 'n5']);
      assert.equal(cat.status, 1);
      assert.equal(cat.stdout, '');
      assert.match(cat.stderr, /stale/);
      // The others are still fresh.
      assert.equal(spawnSyncCat(['--dir', mirror, 'n4']).status, 0);
    } finally {
      exporter.kill('SIGTERM');
    }
  });

  test('a node that stops cleanly removes its values', async () => {
    const before = await getJson(['role', '-I', 'n4']);
    assert.equal(before.j.stats.fresh, 1);
    await fleet.kill('n4', 'SIGTERM');
    const after = await getJson(['role', '-I', 'n4']);
    assert.equal(after.j.stats.missing, 1, 'removed on a clean leave');
  });
});

function spawnSyncCat(args: string[]): { status: number | null; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(catBin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number | null; stdout: string; stderr: string };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}
