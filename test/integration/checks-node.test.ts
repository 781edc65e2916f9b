// Checks on a real fleet: three cohortd processes in signed mode on a
// JetStream nats-server, running real monitoring-plugins (check_dummy) in
// mixed states (OK, WARNING, CRITICAL, a hanging plugin, a missing plugin)
// from the config file and per-node drop-ins. Shows: states in the checks
// bucket signed by each node and verified with the fleet's issuer; events
// in the events stream; apply_on; a bad check logged while the others run;
// a check changed and removed live by rewriting a drop-in file (same pid);
// maintenance via `cohort rpc checks maintenance` and its expiry; `cohort find
// -S "check('x').state=critical"`; fleet-wide definitions accepted from a
// trusted, authorized caller and refused otherwise.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect, type JetStreamManager, type KV, type NatsConnection } from 'nats';
import {
  checkDefinitionsBucket,
  checkEventsStream,
  CheckKind,
  checkKey,
  checksBucket,
  generateKeyPair,
  issueCertificate,
  loadSigner,
  publicKeyHex,
  readData,
  readPrivateKey,
  sealDataBytes,
  TrustStore,
  writeCertificate,
  writeKeyPair,
  type AuditRecord,
  type CheckEvent,
  type CheckStateRecord,
} from '@cohort/core';
import { cohort, repoRoot, startFleet, startNatsServer, type CliResult, type Fleet, type NatsServer, until as waitUntil } from '../harness/index.js';
import { describe, test } from '../harness/skip.js';

const plugins = '/usr/lib/nagios/plugins';
const dummy = join(plugins, 'check_dummy');
const skip = existsSync(dummy) ? undefined : 'needs monitoring-plugins-basic (/usr/lib/nagios/plugins/check_dummy)';
const hang = join(repoRoot, 'test/fixtures/checks/hang');
const identities = ['n1', 'n2', 'n3'];
const roles: Record<string, string> = { n1: 'web', n2: 'web', n3: 'db' };

const policies = {
  'rpcutil.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
  'checks.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
};

function until(check: () => Promise<boolean> | boolean, what: string, ms = 120_000, everyMs = 250): Promise<void> {
  return waitUntil(what, check, { timeoutMs: ms, everyMs });
}

const fast = { interval: '2s', retries: 1, splay: false };

describe('checks on a signed fleet of three nodes', { skip }, () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  let kv: KV;
  let jsm: JetStreamManager;
  let trust: TrustStore;
  let env: Record<string, string>;
  const run = (args: string[]): Promise<CliResult> => cohort([...args, '--connect-timeout', '30'], { nats: nats.url, env, timeoutMs: 120_000 });
  const dropIns = (id: string) => join(dir, id, 'checks.d');

  /** The verified state of `check` on `id`, undefined when absent; throws when present but not verifying. */
  const state = async (check: string, id: string): Promise<CheckStateRecord | undefined> => {
    const e = await kv.get(checkKey(check, id));
    if (e === null || e.operation !== 'PUT') return undefined;
    const v = readData<CheckStateRecord>(e.value, trust, { kind: CheckKind.State, subject: id, now: Date.now() });
    if (typeof v === 'string') throw new Error(`state ${check}@${id} does not verify: ${v}`);
    return v.value;
  };
  /** Every event in the stream, verified. */
  const events = async (): Promise<CheckEvent[]> => {
    const info = await jsm.streams.info(checkEventsStream('cohort'));
    const out: CheckEvent[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(checkEventsStream('cohort'), { seq }).catch(() => undefined);
      if (!m) continue;
      const v = readData<CheckEvent>(m.data, trust, { kind: CheckKind.Event, now: Date.now() });
      if (typeof v === 'string') throw new Error(`event ${seq} on ${m.subject} does not verify: ${v}`);
      assert.equal(v.subject, v.value.identity, 'an event is signed by the node it is about');
      out.push(v.value);
    }
    return out;
  };
  const audit = (id: string): AuditRecord[] => {
    const file = join(dir, id, 'audit.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord) : [];
  };

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'cohort-checks-'));
    writeFileSync(join(dir, 'nrpe.cfg'), `command[check_fleet]=${dummy} 2 "fleet-wide critical"\n`);
    for (const id of identities) mkdirSync(join(dir, id, 'checks.d'), { recursive: true });
    writeFileSync(join(dropIns('n1'), 'crit.yaml'), yaml.dump({ crit: { command: [dummy, '$code$', '$text$'], vars: { code: 2, text: 'on fire' }, ...fast } }));
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
        nrpe: { conf_file: join(dir, 'nrpe.cfg'), conf_dir: null },
        checks: {
          fine: { command: [dummy, '0', 'all good'], ...fast },
          hanging: { command: [hang], ...fast, interval: '3s', timeout: '1s' },
          gone: { command: [join(plugins, 'check_not_installed'), '-w', '1'], ...fast },
          db_lag: { command: [dummy, '1', 'replication lag'], ...fast, retries: 2, apply_on: 'role=db' },
          broken: { command: [dummy, '0'], interval: 'soon' },
        },
        checks_dir: 'checks.d',
      },
    });
    env = fleet.clientEnv;
    trust = TrustStore.load({ kind: 'node', issuers: [fleet.issuer as string] });
    nc = await connect({ servers: nats.url });
    await until(async () => {
      try {
        kv = await nc.jetstream().views.kv(checksBucket('cohort'), { bindOnly: true });
        return true;
      } catch {
        return false;
      }
    }, 'the checks bucket exists');
    jsm = await nc.jetstreamManager();
  });

  after(async () => {
    await nc?.close();
    await fleet?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('mixed states in the bucket, each signed by its node and verified with the fleet issuer', async () => {
    await until(async () => (await state('crit', 'n1'))?.state === 'critical', 'n1 crit is critical');
    await until(async () => (await state('hanging', 'n2'))?.state === 'unknown', 'n2 hanging is unknown');
    await until(async () => (await state('db_lag', 'n3'))?.hard === true, 'n3 db_lag is hard');
    for (const id of identities) {
      await until(async () => (await state('fine', id))?.state === 'ok', `${id} fine is ok`);
      await until(async () => (await state('gone', id))?.state === 'unknown', `${id} gone is unknown`);
    }
    const crit = await state('crit', 'n1');
    assert.ok(crit);
    assert.equal(crit.identity, 'n1');
    assert.equal(crit.hard, true);
    assert.equal(crit.output, 'CRITICAL: on fire');
    assert.equal(crit.interval, 2);
    assert.match(crit.source, /^drop-in .*checks\.d\/crit\.yaml$/);
    assert.ok(crit.history.length >= 1 && crit.history.length <= 15);
    assert.equal(crit.history[0]?.exit_code, 2);
    const hanging = await state('hanging', 'n2');
    assert.match(hanging?.output ?? '', /^plugin timed out after 1 s and was killed: .*\/hang$/);
    assert.equal((await state('gone', 'n3'))?.output, `plugin not found: ${plugins}/check_not_installed`);
    const lag = await state('db_lag', 'n3');
    assert.equal(lag?.state, 'warning');
    assert.equal(lag?.retries, 2);
    // apply_on: only the db node has db_lag; the bad check runs nowhere, and the log names it and its setting.
    assert.equal(await state('db_lag', 'n1'), undefined);
    assert.equal(await state('db_lag', 'n2'), undefined);
    assert.equal(await state('crit', 'n2'), undefined);
    for (const id of identities) {
      assert.equal(await state('broken', id), undefined);
      assert.match(fleet.nodes.get(id)?.log() ?? '', /check 'broken': interval must be a duration/);
    }
    // A state signed by a key the issuer never certified is not believed.
    const forger = generateKeyPair();
    writeKeyPair(join(dir, 'forger'), forger, { overwrite: true });
    const forged = sealDataBytes(CheckKind.State, { ...crit, state: 'ok' }, loadSigner({ kind: 'node', keyFile: join(dir, 'forger.key'), subject: 'n1' }));
    assert.equal(typeof readData(forged, trust, { kind: CheckKind.State, subject: 'n1', now: Date.now() }), 'string');
  });

  test('every state change is a signed event in the stream: soft then hard, with ids and sequences', async () => {
    await until(async () => (await events()).some((e) => e.check === 'db_lag' && e.hard), 'the db_lag hard event');
    const all = await events();
    const crit = all.filter((e) => e.identity === 'n1' && e.check === 'crit');
    assert.ok(crit.length >= 1);
    assert.equal(crit[0]?.previous, 'pending');
    assert.equal(crit[0]?.state, 'critical');
    assert.equal(crit[0]?.hard, true);
    assert.equal(crit[0]?.protocol, 'cohort:check-event:1');
    assert.equal(crit[0]?.collective, 'cohort');
    assert.equal(crit[0]?.id, `n1:crit:${crit[0]?.sequence}`);
    const lag = all.filter((e) => e.identity === 'n3' && e.check === 'db_lag');
    assert.deepEqual(lag.slice(0, 2).map((e) => `${e.previous}->${e.state}:${e.hard ? 'hard' : 'soft'}:${e.sequence}`), ['pending->warning:soft:1', 'warning->warning:hard:2']);
    // A check that stays in its state publishes nothing more: one event for `fine` per node.
    for (const id of identities) assert.equal(all.filter((e) => e.identity === id && e.check === 'fine').length, 1);
  });

  test("cohort find -S \"check('crit').state=critical\" finds the node whose check is critical", async () => {
    const r = await run(['find', '-S', "check('crit').state=critical"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['n1']);
    const lag = await run(['find', '-S', "check('db_lag').state=warning and check('db_lag').hard=true"]);
    assert.equal(lag.code, 0, lag.stderr);
    assert.deepEqual(lag.stdout.trim().split('\n'), ['n3']);
    const fine = await run(['find', '-S', "check('fine')=ok"]);
    assert.deepEqual(fine.stdout.trim().split('\n').sort(), identities);
  });

  test('a check changed and removed live by rewriting its drop-in file (same pid)', async () => {
    const pid = fleet.nodes.get('n1')?.process.pid;
    const since = (await state('crit', 'n1'))?.sequence ?? 0;
    writeFileSync(join(dropIns('n1'), 'crit.yaml'), yaml.dump({ crit: { command: [dummy, '0', 'recovered'], ...fast, interval: '3s' } }));
    await until(async () => (await state('crit', 'n1'))?.state === 'ok', 'crit recovers after the drop-in changed');
    const now = await state('crit', 'n1');
    assert.equal(now?.output, 'OK: recovered');
    assert.equal(now?.interval, 3);
    assert.equal(now?.sequence, since + 1, 'history and sequence carry over the change');
    assert.ok((now?.history.length ?? 0) >= 2);
    await until(async () => (await events()).some((e) => e.identity === 'n1' && e.check === 'crit' && e.previous === 'critical' && e.state === 'ok'), 'the recovery event');
    // A new drop-in appears, the old one goes: its key is deleted.
    writeFileSync(join(dropIns('n1'), 'warn.yaml'), yaml.dump({ warn: { command: [dummy, '1', 'new check'], ...fast } }));
    unlinkSync(join(dropIns('n1'), 'crit.yaml'));
    await until(async () => (await state('warn', 'n1'))?.state === 'warning', 'the new drop-in check runs');
    await until(async () => (await state('crit', 'n1')) === undefined, 'the removed check is deleted from the bucket');
    assert.equal(fleet.nodes.get('n1')?.process.pid, pid);
    assert.equal(fleet.nodes.get('n1')?.process.exitCode, null);
  });

  test('maintenance via cohort rpc checks maintenance: recorded with the caller, an event, and it expires by itself', async () => {
    const r = await run(['rpc', 'checks', 'maintenance', 'check=fine', 'for=4', 'reason=kernel upgrade', '-I', 'n2', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const m = await state('fine', 'n2');
    assert.equal(m?.state, 'maintenance');
    assert.equal(m?.maintenance?.by, 'user=operator');
    assert.equal(m?.maintenance?.reason, 'kernel upgrade');
    assert.ok((m?.maintenance?.until ?? 0) > Date.now() - 10_000);
    assert.equal((await state('fine', 'n1'))?.state, 'ok', 'only n2 was asked');
    await until(async () => (await events()).some((e) => e.identity === 'n2' && e.check === 'fine' && e.state === 'maintenance' && e.maintenance?.by === 'user=operator'), 'the maintenance event');
    // It ends by itself: back to the latest result, with an event.
    await until(async () => (await state('fine', 'n2'))?.state === 'ok', 'maintenance expires', 60_000);
    assert.equal((await state('fine', 'n2'))?.maintenance, undefined);
    await until(async () => (await events()).some((e) => e.identity === 'n2' && e.check === 'fine' && e.previous === 'maintenance' && e.state === 'ok'), 'the end-of-maintenance event');
    // resume ends it early; an unknown check is an error naming it.
    assert.equal((await run(['rpc', 'checks', 'maintenance', 'check=gone', 'for=600', '-I', 'n3'])).code, 0);
    assert.equal((await state('gone', 'n3'))?.state, 'maintenance');
    assert.equal((await run(['rpc', 'checks', 'resume', 'check=gone', '-I', 'n3'])).code, 0);
    assert.equal((await state('gone', 'n3'))?.state, 'unknown');
    const bad = await run(['rpc', 'checks', 'status', 'check=nosuch', '-I', 'n3']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout + bad.stderr, /no check 'nosuch' on this node/);
  });

  test('cohort rpc checks run runs a check now and replies with its state', async () => {
    const r = await run(['rpc', 'checks', 'run', 'check=fine', '-I', 'n1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"state": ?"ok"/);
    assert.match(r.stdout, /all good/);
  });

  test('fleet-wide definitions: accepted from a trusted, authorized caller (apply_on kept); refused unsigned-by-policy or carrying a command', async () => {
    const defs = await nc.jetstream().views.kv(checkDefinitionsBucket('cohort'));
    const operator = loadSigner({ kind: 'caller', keyFile: join(dir, 'security', 'operator.key') });
    await defs.put('fleet', sealDataBytes(CheckKind.Definition, { name: 'fleet', nrpe: 'check_fleet', ...fast, apply_on: 'role=web' }, operator));
    await defs.put('sneaky', sealDataBytes(CheckKind.Definition, { name: 'sneaky', command: ['/bin/sh', '-c', 'id'], ...fast }, operator));
    // mallory is certified by the issuer, but the policy does not allow her checks#define.
    const issuerKey = readPrivateKey(join(dir, 'security', 'issuer.key'));
    const mallory = generateKeyPair();
    writeKeyPair(join(dir, 'mallory'), mallory, { overwrite: true });
    writeCertificate(join(dir, 'mallory.cert'), issueCertificate(issuerKey, { kind: 'caller', subject: 'user=mallory', publicKey: publicKeyHex(mallory.publicKey), expiresAt: Date.now() + 86_400_000 }));
    await defs.put('mallory', sealDataBytes(CheckKind.Definition, { name: 'mallory', nrpe: 'check_fleet', ...fast }, loadSigner({ kind: 'caller', keyFile: join(dir, 'mallory.key') })));
    await until(async () => (await state('fleet', 'n1'))?.state === 'critical' && (await state('fleet', 'n2'))?.state === 'critical', 'the fleet-wide check runs on the web nodes');
    const f = await state('fleet', 'n2');
    assert.equal(f?.output, 'CRITICAL: fleet-wide critical');
    assert.equal(f?.source, 'bus user=operator');
    await until(() => audit('n3').some((a) => a.request_id === 'check-definition:mallory' && a.outcome === 'denied'), 'the refusal of mallory is audited');
    assert.equal(await state('fleet', 'n3'), undefined, 'apply_on role=web');
    for (const id of identities) {
      assert.equal(await state('sneaky', id), undefined);
      assert.equal(await state('mallory', id), undefined);
    }
    assert.ok(audit('n1').some((a) => a.request_id === 'check-definition:sneaky' && a.outcome === 'refused' && /plugin commands are declared only in the node's own config/.test(a.reason ?? '')));
    assert.ok(audit('n1').some((a) => a.request_id === 'check-definition:fleet' && a.outcome === 'allowed' && a.callerid === 'user=operator'));
    // Deleting the definition removes the check and its state.
    await defs.delete('fleet');
    await until(async () => (await state('fleet', 'n1')) === undefined && (await state('fleet', 'n2')) === undefined, 'the withdrawn definition is removed');
  });
});
