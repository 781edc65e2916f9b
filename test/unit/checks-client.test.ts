// The client side of checks without NATS: verifying state records and events
// (forged, unsigned, another node's key, moved, malformed), staleness, rows,
// stats, state selection, rendering, exit codes; `cohort checks` run
// in-process over an in-memory bucket; the cached Nagios check's hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildFilter,
  checkEventSubject,
  checkEventTag,
  checkKey,
  checksBucket,
  createSigner,
  generateKeyPair,
  issueCertificate,
  publicKeyHex,
  sealDataBytes,
  TrustStore,
  writeKeyPair,
  type CheckEvent,
  type CheckStateRecord,
} from '@cohort/core';
import { checks, mine, type Bus } from '@cohort/client';
import { main, memoryIo } from '@cohort/cli';
import { FakeBus } from './client-fakes.js';
import { eventLine, formatAge, renderChecksTable, rowOutputText } from '../../packages/cli/src/render/checks.ts';
import { checksAgentInputs } from '../../packages/cli/src/run/checks-agent.ts';
import { cachedHosts, hostFromState } from '../../packages/nagios/src/cached.ts';
import { parseCheckArgs } from '../../packages/nagios/src/options.ts';

const now = 1_800_000_000_000;
const issuer = generateKeyPair();
const keys = new Map(['n1', 'n2', 'n3'].map((id) => [id, generateKeyPair()]));
const signerOf = (id: string, as = id) => {
  const pair = keys.get(id)!;
  const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: id, publicKey: publicKeyHex(pair.publicKey), expiresAt: now + 86_400_000 });
  return createSigner(pair.privateKey, as, cert);
};
const trust = new TrustStore('node', new Map(), new Set([publicKeyHex(issuer.publicKey)]));

function record(identity: string, check: string, extra: Partial<CheckStateRecord> = {}): CheckStateRecord {
  return {
    identity,
    check,
    kind: 'nagios',
    state: 'ok',
    hard: true,
    attempt: 0,
    retries: 3,
    output: `${check} fine on ${identity}\nmore`,
    perfdata: [{ label: 'load1', value: 0.5, warn: '2', crit: '4' }],
    since: now - 3_600_000,
    last_run: now - 10_000,
    interval: 60,
    history: [{ state: 'ok', output: 'fine', perfdata: [], time: now - 10_000, duration_ms: 12, exit_code: 0 }],
    source: 'config',
    sequence: 1,
    ...extra,
  };
}
const seal = (r: CheckStateRecord, signer = signerOf(r.identity), time = now - 5000) => sealDataBytes('check-state', r, signer, time);

test('a state record verifies only when signed by the node its key names, for that check (sync and thread-pool checks agree)', async () => {
  const cases: Array<[string, Uint8Array, RegExp | string]> = [];
  const expect = (key: string, bytes: Uint8Array, want: RegExp | string) => cases.push([key, bytes, want]);
  expect(checkKey('load', 'n1'), seal(record('n1', 'load')), 'load fine on n1\nmore');
  // n2's (trusted) key signing a record for n1.
  expect(checkKey('load', 'n1'), seal(record('n1', 'load'), signerOf('n2')), /data for 'n2' where data for 'n1' was expected/);
  // n2's key claiming to be n1: the certificate binds the key to n2.
  expect(checkKey('load', 'n1'), seal(record('n1', 'load'), signerOf('n2', 'n1')), /bound to 'n2'/);
  // A key nobody certified.
  expect(checkKey('load', 'n1'), seal(record('n1', 'load'), createSigner(generateKeyPair().privateKey, 'n1')), /unknown key|not trusted|no certificate/i);
  // A certificate the trusted issuer did not sign (another key signed it, claiming the issuer).
  const rogue = generateKeyPair();
  const n1key = keys.get('n1')!;
  const forgedCert = issueCertificate(rogue.privateKey, { kind: 'node', subject: 'n1', publicKey: publicKeyHex(n1key.publicKey), expiresAt: now + 86_400_000 });
  const claimed = { ...forgedCert, certificate: forgedCert.certificate.replace(publicKeyHex(rogue.publicKey), publicKeyHex(issuer.publicKey)) };
  expect(checkKey('load', 'n1'), seal(record('n1', 'load'), createSigner(n1key.privateKey, 'n1', claimed)), /certificate for n1 has a signature that does not verify/);
  // Unsigned: the bare record.
  expect(checkKey('load', 'n1'), new TextEncoder().encode(JSON.stringify(record('n1', 'load'))), /protocol/);
  // n1's own record moved to another check's key, or to n2's key.
  expect(checkKey('disk', 'n1'), seal(record('n1', 'load')), /stored under disk\.n1/);
  expect(checkKey('load', 'n2'), seal(record('n1', 'load')), /where data for 'n2' was expected/);
  // Another kind of signed data (a mined value) under a checks key.
  expect(checkKey('load', 'n1'), sealDataBytes('mine', record('n1', 'load'), signerOf('n1')), /signed mine data where check-state data was expected/);
  // Signed but malformed.
  expect(checkKey('load', 'n1'), seal({ ...record('n1', 'load'), state: 'fine' as never }), /state 'fine' is not one of/);
  expect(checkKey('load', 'n1'), seal({ ...record('n1', 'load'), interval: 0 }), /interval/);
  expect('nodot', seal(record('n1', 'load')), /not a checks key/);
  // A signature that does not cover the text (the signed text changed afterwards).
  const tampered = JSON.parse(new TextDecoder().decode(seal(record('n1', 'load')))) as { data: string };
  tampered.data = tampered.data.replace('"state":"ok"', '"state":"critical"');
  expect(checkKey('load', 'n1'), new TextEncoder().encode(JSON.stringify(tampered)), /the signature does not verify/);
  for (const [key, bytes, want] of cases) {
    // Fresh trust stores: each path checks the node certificate itself (none from the other's cache).
    const fresh = () => new TrustStore('node', new Map(), new Set([publicKeyHex(issuer.publicKey)]));
    const pooled = await checks.verifyCheckEntryAsync(key, bytes, fresh(), now);
    const sync = checks.verifyCheckEntry(key, bytes, fresh(), now);
    assert.deepEqual(pooled, sync, key);
    const text = typeof sync === 'string' ? sync : sync.output;
    if (typeof want === 'string') assert.equal(text, want);
    else assert.match(text, want);
  }
  assert.equal(cases.length, 13);
});

function event(identity: string, check: string, extra: Partial<CheckEvent> = {}): CheckEvent {
  return { protocol: checkEventTag, id: `${identity}:${check}:2`, collective: 'cohort', identity, check, sequence: 2, previous: 'ok', state: 'critical', hard: true, output: 'CRITICAL - load 9', perfdata: [], time: now - 1000, interval: 60, handlers: [], ...extra };
}

test('an event verifies only when signed by the node its subject names, for that check and collective', () => {
  const subject = checkEventSubject('cohort', 'n1', 'load');
  const e = checks.verifyCheckEvent('cohort', subject, sealDataBytes('check-event', event('n1', 'load'), signerOf('n1')), trust, now);
  assert.equal(typeof e === 'string' ? e : e.state, 'critical');
  assert.match(String(checks.verifyCheckEvent('cohort', subject, sealDataBytes('check-event', event('n1', 'load'), signerOf('n2')), trust, now)), /where data for 'n1' was expected/);
  assert.match(String(checks.verifyCheckEvent('cohort', subject, sealDataBytes('check-event', event('n1', 'disk'), signerOf('n1')), trust, now)), /published on/);
  assert.match(String(checks.verifyCheckEvent('cohort', subject, sealDataBytes('check-event', event('n1', 'load', { collective: 'other' }), signerOf('n1')), trust, now)), /in other/);
  assert.match(String(checks.verifyCheckEvent('cohort', subject, sealDataBytes('check-state', event('n1', 'load'), signerOf('n1')), trust, now)), /check-state data where check-event/);
  assert.match(String(checks.verifyCheckEvent('cohort', subject, sealDataBytes('check-event', { ...event('n1', 'load'), protocol: 'x' }, signerOf('n1')), trust, now)), /protocol/);
  assert.match(String(checks.verifyCheckEvent('cohort', 'cohort.other.n1.load', new Uint8Array(), trust, now)), /not a check event subject/);
});

test('staleness: last run older than twice the interval (pending: since), counted unknown', () => {
  assert.equal(checks.isCheckStale(record('n1', 'load', { last_run: now - 120_000 }), now), false);
  assert.equal(checks.isCheckStale(record('n1', 'load', { last_run: now - 120_001 }), now), true);
  assert.equal(checks.isCheckStale(record('n1', 'load', { state: 'pending', last_run: null, since: now - 60_000 }), now), false);
  assert.equal(checks.isCheckStale(record('n1', 'load', { state: 'pending', last_run: null, since: now - 200_000 }), now), true);
  const row = checks.checkRow(record('n1', 'load', { state: 'ok', last_run: now - 600_000 }), now);
  assert.equal(row.state, 'unknown');
  assert.equal(row.stale, true);
  assert.equal(row.reported_state, 'ok');
  assert.match(rowOutputText(row, now), /^stale: no result for 10m \(interval 1m\); last said OK: load fine on n1$/);
});

const fleetRecords = [
  record('n2', 'load', { state: 'critical', output: 'CRITICAL - load 9' }),
  record('n1', 'load'),
  record('n1', 'disk', { state: 'warning', hard: false, attempt: 1 }),
  record('n3', 'load', { last_run: now - 3_600_000 }),
  record('n3', 'disk', { state: 'maintenance', maintenance: { until: now + 3_600_000, reason: 'new disk', by: 'user=alice' } }),
  record('n2', 'disk', { state: 'pending', last_run: null, since: now - 1000 }),
];

test('rows: sorted, selected by node, check and state, with stats and exit codes', () => {
  const all = checks.checkRows(fleetRecords, {}, now, 2);
  assert.deepEqual(all.checks.map((r) => `${r.identity}/${r.check}=${r.state}`), ['n1/disk=warning', 'n1/load=ok', 'n2/disk=pending', 'n2/load=critical', 'n3/disk=maintenance', 'n3/load=unknown']);
  assert.deepEqual(all.stats, { ok: 1, warning: 1, critical: 1, unknown: 1, pending: 1, maintenance: 1, stale: 1, total: 6, refused: 2 });
  assert.equal(checks.checksExitCode(all.stats), 1);
  const sel = (s: checks.RowSelection) => checks.checkRows(fleetRecords, s, now).checks.map((r) => `${r.identity}/${r.check}`);
  assert.deepEqual(sel({ states: checks.parseStateSelectors(['unknown']) }), ['n3/load'], 'unknown includes stale records');
  assert.deepEqual(sel({ states: checks.parseStateSelectors(['stale']) }), ['n3/load']);
  assert.deepEqual(sel({ states: checks.parseStateSelectors(['ok']) }), ['n1/load'], 'a stale OK is not OK');
  assert.deepEqual(sel({ states: checks.parseStateSelectors(['critical,WARNING']) }), ['n1/disk', 'n2/load']);
  assert.deepEqual(sel({ checks: new Set(['disk']), identities: new Set(['n1', 'n3']) }), ['n1/disk', 'n3/disk']);
  // Exit codes: all OK 0; maintenance counts as OK; pending, warning, stale 1; nothing 3.
  const code = (s: checks.RowSelection) => checks.checksExitCode(checks.checkRows(fleetRecords, s, now).stats);
  assert.equal(code({ identities: new Set(['n1']), checks: new Set(['load']) }), 0);
  assert.equal(code({ identities: new Set(['n3']), checks: new Set(['disk']) }), 0);
  assert.equal(code({ identities: new Set(['n2']), checks: new Set(['disk']) }), 1);
  assert.equal(code({ identities: new Set(['n3']), checks: new Set(['load']) }), 1);
  assert.equal(code({ identities: new Set(['n9']) }), 3);
  // check('name') from the records: stale counts unknown; a node without the check does not exist for it.
  const answers = checks.checkDataAnswers(fleetRecords, now);
  assert.deepEqual(answers['check']?.('n2', 'load'), { exists: true, state: 'critical', hard: true, output: 'CRITICAL - load 9', since: Math.floor((now - 3_600_000) / 1000), attempt: 0, stale: false });
  assert.equal(answers['check']?.('n3', 'load')?.['state'], 'unknown');
  assert.deepEqual(answers['check']?.('n9', 'load'), { exists: false });
  const registered = ['n1', 'n2'].map((id) => ({ identity: id, updatedAt: now, record: {} as never, verified: true, view: { identity: id, facts: { role: 'web' }, classes: [], agents: [] } }));
  assert.deepEqual(checks.registryTargets(buildFilter({ select: ["check('load').state=critical"] }), registered, ['n1', 'n2', 'n3'], 'x', answers), ['n2']);
  assert.deepEqual(checks.registryTargets(buildFilter({ select: ["check('load').state=unknown"] }), registered, ['n1', 'n2', 'n3'], 'x', answers), ['n3'], 'unregistered holders answer too');
  assert.throws(() => checks.registryTargets(buildFilter({ select: ["check('load').state=critical"] }), registered, [], 'cohort events watch'), /needs node-side data \(check\(\)\)/);
  assert.throws(() => checks.parseStateSelectors(['fine']), /--state 'fine' is not a check state: use ok, warning, critical, unknown, pending, maintenance, stale/);
});

test('rendering: table with state marks and a summary; one line per event; ages', () => {
  const { checks: rows, stats } = checks.checkRows(fleetRecords, {}, now);
  const text = renderChecksTable(rows, stats, 200, now);
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^identity +check +state +since +output$/);
  assert.match(text, /^n1 +disk +WARNING \(soft\) +1h +disk fine on n1$/m);
  assert.match(text, /^n2 +load +CRITICAL +1h +CRITICAL - load 9$/m);
  assert.match(text, /^n2 +disk +PENDING +1s +not checked yet$/m);
  assert.match(text, /^n3 +load +UNKNOWN \(stale\) +1h +stale: no result for 1h/m);
  assert.match(text, /^n3 +disk +MAINTENANCE +1h +until .* by user=alice: new disk; last: disk fine on n3$/m);
  assert.match(text, /^6 checks: 1 ok, 1 warning, 1 critical, 1 unknown \(1 stale\), 1 pending, 1 in maintenance$/m);
  assert.equal(eventLine(event('n1', 'load')), `${new Date(now - 1000).toISOString()}  n1  load  OK -> CRITICAL (hard)  CRITICAL - load 9\n`);
  assert.deepEqual([formatAge(5000), formatAge(125_000), formatAge(3 * 3_600_000 + 60_000), formatAge(50 * 3_600_000)], ['5s', '2m', '3h1m', '2d2h']);
});

/** An in-memory checks bucket behind the bus's key-value interface. */
function memoryBus(entries: Map<string, Uint8Array> | undefined): Bus {
  const opener: mine.MineKvOpener = async (name) => {
    if (entries === undefined || name !== checksBucket('cohort')) return { missing: `there is no bucket ${name} yet (no node has written to it)` };
    return {
      put: async (k, v) => void entries.set(k, v),
      delete: async (k) => void entries.delete(k),
      watch: async (filter, onEntry) => {
        for (const [key, value] of entries) if (filter === '>' || key === filter || (filter.endsWith('.>') && key.startsWith(filter.slice(0, -1)))) onEntry({ key, value, created: now });
        return { stop: async () => undefined };
      },
    };
  };
  return { servers: ['memory'], publish: () => undefined, subscribe: () => ({ unsubscribe: () => undefined }), flush: async () => undefined, close: async () => undefined, mineKv: opener };
}

const issuerFile = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-checks-unit-'));
  return writeKeyPair(join(dir, 'issuer'), issuer).publicFile;
})();

async function cli(args: string[], entries: Map<string, Uint8Array> | undefined) {
  const io = memoryIo({ env: {}, connect: async () => memoryBus(entries) });
  const code = await main([...args, '--issuer', issuerFile], io, '9.9.9');
  return { code, out: io.out(), err: io.err() };
}

test('cohort checks in-process: JSON shape, refused records counted, exit codes 0/1/3, no bucket', async () => {
  // Real time here: the CLI judges staleness on the wall clock.
  const t = Date.now();
  const fresh = (r: CheckStateRecord) => ({ ...r, since: t - 60_000, last_run: t - 1000 });
  const entries = new Map<string, Uint8Array>([
    [checkKey('load', 'n1'), seal(fresh(record('n1', 'load')), signerOf('n1'), t)],
    [checkKey('load', 'n2'), seal(fresh(record('n2', 'load', { state: 'critical' })), signerOf('n2'), t)],
    // n1 writing a (false) OK for n3: refused, never shown.
    [checkKey('load', 'n3'), seal(fresh(record('n3', 'load')), signerOf('n1'), t)],
  ]);
  const all = await cli(['checks', '--json'], entries);
  assert.equal(all.code, 1, all.err);
  const j = JSON.parse(all.out) as { checks: Array<Record<string, unknown>>; stats: Record<string, number> };
  assert.deepEqual(j.checks.map((c) => `${String(c['identity'])}=${String(c['state'])}`), ['n1=ok', 'n2=critical']);
  for (const k of ['identity', 'check', 'state', 'output', 'perfdata', 'since', 'last_run', 'hard']) assert.ok(k in (j.checks[0] ?? {}), k);
  assert.deepEqual(j.stats, { ok: 1, warning: 0, critical: 1, unknown: 0, pending: 0, maintenance: 0, stale: 0, total: 2, refused: 1 });
  assert.match(all.err, /ignored 1 check state record\(s\) that did not verify.*-v lists them/);
  const verbose = await cli(['checks', '-v', '--json'], entries);
  assert.match(verbose.err, /load\.n3: data for 'n1' where data for 'n3' was expected/);
  assert.equal((await cli(['checks', '-I', 'n1'], entries)).code, 0);
  const table = await cli(['checks', '-I', 'n1'], entries);
  assert.match(table.out, /^n1 +load +OK +1m +load fine on n1$/m);
  assert.equal((await cli(['checks', '--state', 'warning'], entries)).code, 3);
  assert.equal((await cli(['checks', '--state', 'bogus'], entries)).code, 2);
  const none = await cli(['checks'], undefined);
  assert.equal(none.code, 3);
  assert.match(none.err, /no check states on this bus yet: there is no bucket cohort_checks_cohort/);
  const history = await cli(['checks', 'history', 'n2', 'load'], entries);
  assert.equal(history.code, 0, history.err);
  assert.match(history.out, /^n2 load: CRITICAL since /);
  assert.match(history.out, /last 1 result, newest first:\n {2}\S+ {2}OK {7}\s+12 ms exit 0 {2}fine/);
  assert.equal((await cli(['checks', 'history', 'n3', 'load'], entries)).code, 1, 'a refused record is an error, not shown');
  assert.equal((await cli(['checks', 'history', 'n1', 'disk'], entries)).code, 3);
});

test('checks agent inputs: check, for (seconds), reason; validated before sending', () => {
  assert.deepEqual(checksAgentInputs('run', { check: 'load' }), ['check=load']);
  assert.deepEqual(checksAgentInputs('run', {}), []);
  assert.deepEqual(checksAgentInputs('maintenance', { check: 'disk', for: '2h', reason: 'new disk' }), ['check=disk', 'for=7200', 'reason=new disk']);
  assert.deepEqual(checksAgentInputs('resume', { check: 'disk' }), ['check=disk']);
  assert.throws(() => checksAgentInputs('maintenance', { for: '2h' }), /--reason is required/);
  assert.throws(() => checksAgentInputs('maintenance', { reason: 'x', for: 'soon' }), /--for must be a duration/);
  assert.throws(() => checksAgentInputs('run', { check: 'Bad Name' }), /check name 'Bad Name' is not valid/);
});

test('check_cohort_nrpe --cached: arguments, and hosts from cached states (stale, pending, refused UNKNOWN; maintenance OK)', () => {
  const parsed = parseCheckArgs(['--cached', '-W', 'role=web', '--issuer', '/k.pub', 'load']);
  assert.equal(parsed.kind === 'check' && parsed.args.cached, true);
  assert.deepEqual(parsed.kind === 'check' ? parsed.args.issuers : [], ['/k.pub']);
  assert.throws(() => parseCheckArgs(['--cached', 'Check_Load']), /not a check name/);
  assert.throws(() => parseCheckArgs(['--cached', '-a', 'x', 'load']), /--args does not apply to --cached/);
  assert.throws(() => parseCheckArgs(['--cached=yes', 'load']), /takes no value/);
  assert.equal(hostFromState(record('n1', 'load', { state: 'warning', output: 'WARNING - x|a=1' }), now).output, 'WARNING - x|a=1');
  assert.equal(hostFromState(record('n1', 'load', { state: 'warning' }), now).state, 1);
  assert.equal(hostFromState(record('n1', 'load', { state: 'maintenance' }), now).state, 0);
  assert.equal(hostFromState(record('n1', 'load', { state: 'pending', last_run: null, since: now }), now).state, 3);
  const stale = hostFromState(record('n1', 'load', { state: 'ok', last_run: now - 600_000 }), now);
  assert.deepEqual([stale.state, stale.output], [3, 'stale: no result for 10m (interval 1m); last said OK: load fine on n1']);
  const hosts = cachedHosts(
    [record('n1', 'load'), record('n2', 'load', { state: 'critical' })],
    [{ key: checkKey('load', 'n3'), identity: 'n3', check: 'load', reason: 'forged' }],
    new Set(['n1', 'n3', 'n4']),
    ['n1', 'n3', 'n4'],
    'load',
    now,
  );
  assert.deepEqual(hosts.map((h) => [h.host, h.state, h.replied]), [
    ['n1', 0, true],
    ['n3', 3, true],
    ['n4', 3, false],
  ]);
  assert.match(hosts[1]?.output ?? '', /state record refused: forged/);
  assert.deepEqual(checks.registryTargets(buildFilter({}), [], ['b', 'a', 'b'], 'x'), ['a', 'b']);
});

test('cohort checks run|maintenance|resume: requests to the checks agent with its inputs', async () => {
  // A stand-in for the node side's ddl/checks.json (run, maintenance, resume; inputs check, for, reason).
  const ddlDir = mkdtempSync(join(tmpdir(), 'cohort-checks-ddl-'));
  const input = (type: string, optional: boolean) => ({ prompt: 'x', description: 'x', type, optional, ...(type === 'string' ? { validation: '.*', maxlength: 256 } : {}) });
  const action = (name: string, inputs: Record<string, unknown>) => ({ action: name, description: name, display: 'failed', input: inputs, output: {} });
  writeFileSync(
    join(ddlDir, 'checks.json'),
    JSON.stringify({
      metadata: { name: 'checks', description: 'checks', author: 'test', license: 'Apache-2.0', version: '0.0.1', url: 'https://example.net', timeout: 10 },
      actions: [
        action('run', { check: input('string', true) }),
        action('maintenance', { check: input('string', true), for: input('integer', false), reason: input('string', false) }),
        action('resume', { check: input('string', true) }),
      ],
    }),
  );
  const sent = async (args: string[]) => {
    const bus = new FakeBus([{ identity: 'db1', agents: ['rpcutil', 'checks'] }]);
    const io = memoryIo({ env: {}, connect: async () => bus });
    const code = await main([...args, '-I', 'db1', '--ddl-dir', ddlDir, '--dt', '1'], io, '9.9.9');
    const req = bus.published.find((p) => p.request.agent === 'checks')?.request;
    return { code, err: io.err(), action: req?.action, data: req?.data };
  };
  const run = await sent(['checks', 'run', 'load']);
  assert.equal(run.code, 0, run.err);
  assert.deepEqual([run.action, run.data], ['run', { check: 'load' }]);
  const m = await sent(['checks', 'maintenance', 'disk', '--for', '2h', '--reason', 'new disk']);
  assert.equal(m.code, 0, m.err);
  assert.deepEqual([m.action, m.data], ['maintenance', { check: 'disk', for: 7200, reason: 'new disk' }]);
  const all = await sent(['checks', 'resume']);
  assert.deepEqual([all.action, all.data], ['resume', {}]);
  const bad = await sent(['checks', 'maintenance', 'disk', '--for', '2h']);
  assert.equal(bad.code, 2);
  assert.equal(bad.action, undefined, 'nothing sent');
});
