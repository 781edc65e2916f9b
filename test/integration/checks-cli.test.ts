// The client side of checks against a private JetStream nats-server and a
// registered three-node fleet (real cohortd, node keys certified by a
// throwaway issuer). The test writes the nodes' signed state records and
// events itself, exactly as the contract says (the node side is another
// part): `cohort checks` (JSON, table, filters on the registry, --state,
// exit codes, stale records), forged records (an uncertified key; one node's
// key signing another node's record) that must be refused, `cohort checks
// history`, `cohort events watch --json` receiving events published after it
// starts (forged ones ignored), and `check_cohort_nrpe --cached`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, DiscardPolicy, RetentionPolicy, StorageType, type KV, type NatsConnection } from 'nats';
import {
  checkEventsMaxAgeSeconds,
  checkEventsStream,
  checkEventSubject,
  checkEventTag,
  checkKey,
  checksBucket,
  createSigner,
  generateKeyPair,
  loadSigner,
  sealDataBytes,
  SignatureFile,
  type CheckEvent,
  type CheckStateRecord,
  type Signer,
} from '@cohort/core';
import { cohort, cohortBin, repoRoot, startFleet, startNatsServer, type CliResult, type Fleet, type NatsServer } from '../harness/index.js';

const checkBin = join(repoRoot, 'packages/nagios/bin/check_cohort_nrpe.js');
const identities = ['n1', 'n2', 'n3'];
const roles: Record<string, string> = { n1: 'web', n2: 'web', n3: 'db' };

interface ChecksJson {
  checks: Array<{ identity: string; check: string; state: string; output: string; perfdata: unknown[]; since: number; last_run: number | null; hard: boolean; stale: boolean }>;
  stats: Record<string, number>;
}

function record(identity: string, check: string, extra: Partial<CheckStateRecord> = {}): CheckStateRecord {
  const now = Date.now();
  return {
    identity,
    check,
    kind: 'nagios',
    state: 'ok',
    hard: true,
    attempt: 0,
    retries: 3,
    output: `${check.toUpperCase()} OK - fine on ${identity}`,
    perfdata: [{ label: 'load1', value: 0.25, warn: '4', crit: '8', min: 0 }],
    since: now - 600_000,
    last_run: now - 2000,
    interval: 60,
    history: [{ state: 'ok', output: 'fine', perfdata: [], time: now - 2000, duration_ms: 15, exit_code: 0 }],
    source: 'config',
    sequence: 1,
    ...extra,
  };
}

function runCheck(args: string[], env: Record<string, string>): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [checkBin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('checks: reading states and events from the bus', () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  let kv: KV;
  let env: Record<string, string>;
  const signers = new Map<string, Signer>();
  const run = (args: string[]): Promise<CliResult> => cohort([...args, '--connect-timeout', '30'], { nats: nats.url, env, timeoutMs: 120_000 });
  const checksJson = async (args: string[] = []): Promise<{ r: CliResult; j: ChecksJson }> => {
    const r = await run(['checks', ...args, '--json']);
    return { r, j: JSON.parse(r.stdout || '{"checks":[],"stats":{}}') as ChecksJson };
  };
  const put = (r: CheckStateRecord, signer = signers.get(r.identity)!) => kv.put(checkKey(r.check, r.identity), sealDataBytes('check-state', r, signer));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-checks-cli-'));
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir,
      nodes: identities.map((identity) => ({ identity, facts: { role: roles[identity] }, classes: [] })),
      registry: true,
      readyTimeoutMs: 300_000,
    });
    // A signatures file of this suite's own: every read after the first finds what it verified there, and the
    // forged records below are read with it warm (and still refused).
    env = { ...fleet.clientEnv, XDG_CACHE_HOME: join(dir, 'xdg-cache') };
    for (const id of identities) signers.set(id, loadSigner({ kind: 'node', keyFile: join(dir, id, 'node.key') }));
    nc = await connect({ servers: nats.url });
    // The bucket and stream as the nodes create them (the node side's part of the contract).
    kv = await nc.jetstream().views.kv(checksBucket('cohort'), { history: 1 });
    await (await nc.jetstreamManager()).streams.add({
      name: checkEventsStream('cohort'),
      subjects: ['cohort.check-event.>'],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: checkEventsMaxAgeSeconds * 1e9,
    });
    await put(record('n1', 'load'));
    await put(record('n2', 'load', { state: 'critical', output: 'CRITICAL - load average 9.1', since: Date.now() - 60_000 }));
    await put(record('n3', 'load'));
    await put(record('n1', 'disk', { state: 'warning', hard: false, attempt: 1, output: 'DISK WARNING - 85% used' }));
    // n3's disk check has not reported for 10 minutes at a 60 s interval: stale.
    await put(record('n3', 'disk', { last_run: Date.now() - 600_000 }));
  });

  after(async () => {
    await nc?.close();
    await fleet?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('cohort checks --json: every state, stale counted unknown, exit 1 when not all OK', async () => {
    const { r, j } = await checksJson();
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(Object.keys(j).sort(), ['checks', 'stats']);
    assert.deepEqual(j.checks.map((c) => `${c.identity}/${c.check}=${c.state}${c.stale ? ' stale' : ''}`), ['n1/disk=warning', 'n1/load=ok', 'n2/load=critical', 'n3/disk=unknown stale', 'n3/load=ok']);
    const n2 = j.checks.find((c) => c.identity === 'n2')!;
    assert.equal(n2.output, 'CRITICAL - load average 9.1');
    assert.deepEqual(n2.perfdata, [{ label: 'load1', value: 0.25, warn: '4', crit: '8', min: 0 }]);
    assert.equal(n2.hard, true);
    assert.equal(typeof n2.since, 'number');
    assert.equal(typeof n2.last_run, 'number');
    assert.deepEqual(j.stats, { ok: 2, warning: 1, critical: 1, unknown: 1, pending: 0, maintenance: 0, stale: 1, total: 5, refused: 0 });
  });

  test('filters on the registry, --check, --state; exit 0 all OK, 3 nothing matched', async () => {
    const web = await checksJson(['-F', 'role=web', '--check', 'load']);
    assert.deepEqual(web.j.checks.map((c) => c.identity), ['n1', 'n2']);
    assert.equal(web.r.code, 1);
    const ok = await checksJson(['-I', 'n1', '--check', 'load']);
    assert.equal(ok.r.code, 0, ok.r.stderr);
    assert.deepEqual(ok.j.stats.total, 1);
    const db = await checksJson(['-F', 'role=db', '--state', 'stale']);
    assert.deepEqual(db.j.checks.map((c) => `${c.identity}/${c.check}`), ['n3/disk']);
    const none = await run(['checks', '--state', 'pending']);
    assert.equal(none.code, 3);
    assert.match(none.stderr, /No check state matched/);
    const table = await run(['checks', '-F', 'role=web']);
    assert.match(table.stdout, /^identity +check +state +since +output$/m);
    assert.match(table.stdout, /^n2 +load +CRITICAL +1m +CRITICAL - load average 9\.1$/m);
    assert.match(table.stdout, /^n1 +disk +WARNING \(soft\) +10m +DISK WARNING - 85% used$/m);
    assert.match(table.stdout, /^3 checks: 1 ok, 1 warning, 1 critical, 0 unknown$/m);
    // check('name') answered from the states read (no request to the fleet).
    const critical = await checksJson(['-S', "check('load').state=critical"]);
    assert.deepEqual(critical.j.checks.map((c) => `${c.identity}/${c.check}`), ['n2/load']);
    const disks = await checksJson(['--check', 'disk', '-S', "check('load').state=ok and role=web"]);
    assert.deepEqual(disks.j.checks.map((c) => `${c.identity}/${c.check}`), ['n1/disk']);
    const other = await run(['checks', '-T', 'elsewhere']);
    assert.equal(other.code, 3);
    assert.match(other.stderr, /no check states on this bus yet: there is no bucket cohort_checks_elsewhere/);
  });

  test('forged records are refused: an uncertified key, and one node signing another node\'s record', async () => {
    // A key no issuer certified, claiming n3: a forged OK hiding a problem.
    await kv.put(checkKey('forged', 'n3'), sealDataBytes('check-state', record('n3', 'forged'), createSigner(generateKeyPair().privateKey, 'n3')));
    // n1's real key writing a CRITICAL for n2 (a node may speak only for itself).
    await kv.put(checkKey('forged', 'n2'), sealDataBytes('check-state', record('n2', 'forged', { state: 'critical' }), signers.get('n1')!));
    // Unsigned.
    await kv.put(checkKey('forged', 'n1'), new TextEncoder().encode(JSON.stringify(record('n1', 'forged'))));
    try {
      const { r, j } = await checksJson(['-v']);
      assert.ok(!j.checks.some((c) => c.check === 'forged'), 'no forged record is shown');
      assert.equal(j.stats['refused'], 3);
      assert.equal(j.stats['total'], 5);
      assert.match(r.stderr, /ignored 3 check state record\(s\) that did not verify/);
      assert.match(r.stderr, /forged\.n2: data for 'n1' where data for 'n2' was expected/);
      assert.match(r.stderr, /forged\.n3: .*(unknown|not trusted|certificate)/i);
      assert.match(r.stderr, /forged\.n1: signed data has protocol/);
      const only = await run(['checks', '--check', 'forged']);
      assert.equal(only.code, 3, 'nothing believable matched');
      const nagios = await runCheck(['--nats', nats.url, '--cached', 'forged'], env);
      assert.equal(nagios.code, 3, nagios.stdout);
      assert.match(nagios.stdout, /^forged: OK: 0 WARNING: 0 CRITICAL: 0 UNKNOWN: 3\|/);
      assert.match(nagios.stdout, /^UNKNOWN: n2: state record refused: data for 'n1' where data for 'n2' was expected$/m);
    } finally {
      for (const id of identities) await kv.purge(checkKey('forged', id));
    }
  });

  test('cohort checks history NODE CHECK: the state and its results', async () => {
    const r = await run(['checks', 'history', 'n2', 'load']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^n2 load: CRITICAL since \S+ \(1m\)$/m);
    assert.match(r.stdout, /^kind nagios, every 1m, last run .* from config$/m);
    assert.match(r.stdout, /^ {2}\S+Z {2}OK +15 ms exit 0 {2}fine$/m);
    const j = await run(['checks', 'history', 'n3', 'disk', '--json']);
    const rec = JSON.parse(j.stdout) as CheckStateRecord & { stale: boolean };
    assert.equal(rec.stale, true);
    assert.equal(rec.history.length, 1);
    assert.equal((await run(['checks', 'history', 'n1', 'nosuch'])).code, 3);
  });

  test('cohort events watch --json: events published after it starts, filtered on the registry, forged ones ignored', async () => {
    const child = spawn(process.execPath, [cohortBin, 'events', 'watch', '--json', '-v', '-F', 'role=web', '--count', '2', '--connect-timeout', '30'], {
      env: { ...process.env, NO_COLOR: '1', COHORT_NATS: nats.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    try {
      while (!/watching check events/.test(stderr)) {
        if (child.exitCode !== null) assert.fail(`events watch exited: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const js = nc.jetstream();
      const ev = (identity: string, check: string, state: CheckEvent['state'], sequence: number): CheckEvent => ({
        protocol: checkEventTag,
        id: `${identity}:${check}:${sequence}`,
        collective: 'cohort',
        identity,
        check,
        sequence,
        previous: 'ok',
        state,
        hard: true,
        output: `${state.toUpperCase()} - on ${identity}`,
        perfdata: [],
        time: Date.now(),
        interval: 60,
        handlers: [],
      });
      await js.publish(checkEventSubject('cohort', 'n1', 'load'), sealDataBytes('check-event', ev('n1', 'load', 'critical', 2), signers.get('n1')!));
      // Not a web server: filtered out.
      await js.publish(checkEventSubject('cohort', 'n3', 'load'), sealDataBytes('check-event', ev('n3', 'load', 'critical', 2), signers.get('n3')!));
      // n1's key speaking for n2: ignored.
      await js.publish(checkEventSubject('cohort', 'n2', 'load'), sealDataBytes('check-event', ev('n2', 'load', 'ok', 7), signers.get('n1')!));
      await js.publish(checkEventSubject('cohort', 'n2', 'load'), sealDataBytes('check-event', ev('n2', 'load', 'warning', 3), signers.get('n2')!));
      assert.equal(await exited, 0, stderr);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as CheckEvent);
      assert.deepEqual(lines.map((e) => `${e.identity} ${e.check} ${e.previous}->${e.state} #${e.sequence}`), ['n1 load ok->critical #2', 'n2 load ok->warning #3']);
      assert.equal(lines[0]?.protocol, checkEventTag);
      assert.match(stderr, /ignored an event on cohort\.check-event\.n2\.load: data for 'n1' where data for 'n2' was expected/);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
    const missing = await run(['events', 'watch', '-T', 'elsewhere']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no check events on this bus yet: there is no stream cohort_check_events_elsewhere/);
  });

  test('check_cohort_nrpe --cached CHECK: the aggregated check over the cached states, stale UNKNOWN', async () => {
    const load = await runCheck(['--nats', nats.url, '--cached', 'load'], env);
    assert.equal(load.code, 2, load.stdout);
    // What it verified is kept for the next check (the user's signatures file, as the CLI's).
    assert.ok(statSync(join(env['XDG_CACHE_HOME']!, 'cohort', 'verified-signatures')).size > SignatureFile.header.length);
    assert.match(load.stdout, /^load: OK: 2 WARNING: 0 CRITICAL: 1 UNKNOWN: 0\|total=3 ok=2 warning=0 critical=1 unknown=0 checktime=\d+\.\d{3}s$/m);
    assert.match(load.stdout, /^CRITICAL: n2: CRITICAL - load average 9\.1$/m);
    const ok = await runCheck(['--nats', nats.url, '--cached', '-I', 'n1', '-I', 'n3', 'load'], env);
    assert.equal(ok.code, 0, ok.stdout);
    const threshold = await runCheck(['--nats', nats.url, '--cached', '--critical-percent', '50', 'load'], env);
    assert.equal(threshold.code, 1, `one CRITICAL of three is under 50%: WARNING\n${threshold.stdout}`);
    const disk = await runCheck(['--nats', nats.url, '--cached', '-F', 'role=db', 'disk'], env);
    assert.equal(disk.code, 3, disk.stdout);
    assert.match(disk.stdout, /^UNKNOWN: n3: stale: no result for 10m \(interval 1m\); last said OK: DISK OK - fine on n3$/m);
    const elsewhere = await runCheck(['--nats', nats.url, '--cached', '-T', 'elsewhere', 'load'], env);
    assert.equal(elsewhere.code, 3);
    assert.match(elsewhere.stdout, /^load: UNKNOWN: no check states on this bus yet: there is no bucket cohort_checks_elsewhere/);
    const healthyLoad = await runCheck(['--nats', nats.url, '--cached', '-S', "check('load').state=ok", 'disk'], env);
    assert.match(healthyLoad.stdout, /^disk: OK: 0 WARNING: 1 CRITICAL: 0 UNKNOWN: 1\|total=2 /, healthyLoad.stdout);
    const nothing = await runCheck(['--nats', nats.url, '--cached', 'nosuch'], env);
    assert.equal(nothing.code, 3);
    assert.match(nothing.stdout, /^nosuch: UNKNOWN: no node holds a state of check nosuch/);
  });
});
