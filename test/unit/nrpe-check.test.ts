import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus } from '@cohort/client';
import { checkMain } from '../../packages/nagios/src/main.ts';
import { evaluateCheck, reached, type HostResult } from '../../packages/nagios/src/evaluate.ts';
import { formatCheck, formatUnknown, maxOutputBytes } from '../../packages/nagios/src/format.ts';
import { hostFromReply, noReplyHost } from '../../packages/nagios/src/hosts.ts';
import { CheckUsageError, parseCheckArgs } from '../../packages/nagios/src/options.ts';

const host = (name: string, state: 0 | 1 | 2 | 3, output = `${name} says ${state}`, replied = true): HostResult => ({ host: name, state, output, replied });
const fleet = (ok: number, warning: number, critical: number, unknown: number): HostResult[] => [
  ...Array.from({ length: ok }, (_, i) => host(`ok${i}`, 0)),
  ...Array.from({ length: warning }, (_, i) => host(`warn${i}`, 1)),
  ...Array.from({ length: critical }, (_, i) => host(`crit${i}`, 2)),
  ...Array.from({ length: unknown }, (_, i) => host(`unk${i}`, 3)),
];

test('options: filters, nats, thresholds, --opt=value, defaults', () => {
  const r = parseCheckArgs(['-W', 'role=web country=de', '-F', 'a=1', '--nats=nats://a:1,nats://b:2', '--timeout', '12', '--expect', '5', '--critical-percent', '10', '-a', '1!2', 'check_load']);
  assert.equal(r.kind, 'check');
  if (r.kind !== 'check') return;
  assert.equal(r.args.command, 'check_load');
  assert.deepEqual(r.args.filter.with, ['role=web country=de']);
  assert.deepEqual(r.args.filter.fact, ['a=1']);
  assert.deepEqual(r.args.nats, ['nats://a:1', 'nats://b:2']);
  assert.equal(r.args.timeout, 12);
  assert.equal(r.args.expect, 5);
  assert.equal(r.args.args, '1!2');
  assert.deepEqual(r.args.thresholds, { criticalPercent: 10 });
  const d = parseCheckArgs(['check_x']);
  assert.ok(d.kind === 'check' && d.args.timeout === 30 && d.args.discoveryTimeout === 2 && d.args.expect === undefined);
  assert.deepEqual(parseCheckArgs(['--help']), { kind: 'help' });
});

test('options: mistakes are CheckUsageErrors saying what is wrong', () => {
  const bad: Array<[string[], RegExp]> = [
    [[], /NRPE command not specified/],
    [['a', 'b'], /give one NRPE command/],
    [['--bogus', 'x'], /unknown option '--bogus'/],
    [['check', '--timeout'], /--timeout needs a value/],
    [['--timeout', '0', 'c'], /above 0/],
    [['--expect', '1.5', 'c'], /whole number/],
    [['--warning-percent', '101', 'c'], /percentage/],
    [['bad;name'], /not an NRPE command name/],
  ];
  for (const [argv, message] of bad) assert.throws(() => parseCheckArgs(argv), (e: unknown) => e instanceof CheckUsageError && message.test(e.message), argv.join(' '));
});

test('evaluate without thresholds: 2 if any CRITICAL, else the worst state (UNKNOWN above WARNING)', () => {
  const state = (hosts: HostResult[]) => evaluateCheck(hosts, { thresholds: {} }).state;
  assert.equal(state(fleet(5, 0, 0, 0)), 0);
  assert.equal(state(fleet(5, 1, 0, 0)), 1);
  assert.equal(state(fleet(5, 1, 0, 1)), 3);
  assert.equal(state(fleet(5, 1, 1, 1)), 2);
  assert.deepEqual(evaluateCheck(fleet(5, 1, 1, 1), { thresholds: {} }).counts, { ok: 5, warning: 1, critical: 1, unknown: 1, total: 8 });
});

test('evaluate with thresholds: counts or percentages; CRITICAL below its threshold counts as WARNING', () => {
  const hosts = fleet(18, 0, 2, 0);
  assert.equal(evaluateCheck(hosts, { thresholds: { criticalCount: 3 } }).state, 1);
  assert.equal(evaluateCheck(hosts, { thresholds: { criticalCount: 2 } }).state, 2);
  assert.equal(evaluateCheck(hosts, { thresholds: { criticalPercent: 10 } }).state, 2);
  assert.equal(evaluateCheck(hosts, { thresholds: { criticalPercent: 11 } }).state, 1);
  assert.equal(evaluateCheck(hosts, { thresholds: { criticalPercent: 50, warningCount: 3 } }).state, 0);
  assert.equal(evaluateCheck(hosts, { thresholds: { criticalCount: 5, criticalPercent: 10 } }).state, 2, 'either limit is enough');
  assert.equal(evaluateCheck(fleet(9, 0, 0, 1), { thresholds: { unknownPercent: 20 } }).state, 0);
  assert.equal(evaluateCheck(fleet(8, 0, 0, 2), { thresholds: { unknownPercent: 20 } }).state, 3);
  assert.equal(reached(0, 10, { percent: 0.0001 }), false, 'zero hosts never reach a threshold');
});

test('evaluate with --expect: missing nodes are UNKNOWN, and too few answers is UNKNOWN whatever the thresholds', () => {
  const e = evaluateCheck(fleet(3, 0, 0, 0), { expect: 5, thresholds: { unknownCount: 10 } });
  assert.deepEqual([e.state, e.missing, e.counts.unknown, e.counts.total], [3, 2, 2, 5]);
  const silent = [...fleet(4, 0, 0, 0), noReplyHost('late', 9000)];
  const s = evaluateCheck(silent, { expect: 5, thresholds: { unknownCount: 10 } });
  assert.deepEqual([s.state, s.missing, s.counts.unknown], [3, 0, 1], 'addressed but silent nodes are not answers');
  assert.equal(evaluateCheck(fleet(5, 0, 0, 0), { expect: 5, thresholds: {} }).state, 0);
  assert.equal(evaluateCheck(fleet(4, 0, 1, 0), { expect: 9, thresholds: {} }).state, 2, 'CRITICAL still wins');
});

test('format: summary line with perfdata, then CRITICAL, WARNING, UNKNOWN hosts sorted, no | in host lines', () => {
  const hosts = [host('b', 2, 'CRITICAL - x|y=1\nlong'), host('a', 2, 'CRITICAL - z'), host('w', 1), host('o', 0), noReplyHost('gone', 4200)];
  const text = formatCheck('check_x', hosts, evaluateCheck(hosts, { expect: 6, thresholds: {} }), 1234.5, 6);
  assert.equal(
    text,
    [
      'check_x: OK: 1 WARNING: 1 CRITICAL: 2 UNKNOWN: 2|total=6 ok=1 warning=1 critical=2 unknown=2 checktime=1.234s',
      'CRITICAL: a: CRITICAL - z',
      'CRITICAL: b: CRITICAL - x/y=1',
      'WARNING: w: w says 1',
      'UNKNOWN: gone: no reply within 4.2 s',
      'UNKNOWN: 1 more node(s) expected (--expect 6) did not answer',
      '',
    ].join('\n'),
  );
  assert.equal(formatUnknown('c', 'bad | thing\nhere'), 'c: UNKNOWN: bad / thing here\n');
});

test('format: output stays under the 8 KiB Nagios keeps, saying how much was left out', () => {
  const hosts = Array.from({ length: 500 }, (_, i) => host(`node-${String(i).padStart(4, '0')}.example.com`, 2, 'CRITICAL - '.padEnd(200, 'x')));
  const text = formatCheck('c', hosts, evaluateCheck(hosts, { thresholds: {} }), 10);
  assert.ok(Buffer.byteLength(text) <= maxOutputBytes, String(Buffer.byteLength(text)));
  assert.match(text, /\n\.\.\. and \d+ more line\(s\) not shown\n$/);
});

test('hostFromReply: status 0/1 read exitcode and output; other statuses are UNKNOWN with the message', () => {
  assert.deepEqual(hostFromReply({ sender: 'a', statuscode: 1, statusmsg: 'WARNING', data: { exitcode: 1, output: 'W' } }), { host: 'a', state: 1, output: 'W', replied: true });
  assert.deepEqual(hostFromReply({ sender: 'a', statuscode: 0, statusmsg: 'OK', data: { exitcode: 'x' } }), { host: 'a', state: 3, output: '', replied: true });
  assert.deepEqual(hostFromReply({ sender: 'a', statuscode: 4, statusmsg: 'Invalid data: args', data: {} }), { host: 'a', state: 3, output: 'request failed: Invalid data: args', replied: true });
});

function io(bus?: Bus) {
  let out = '';
  return { write: (t: string) => void (out += t), env: {}, homedir: '/nonexistent', out: () => out, ...(bus ? { bus } : {}) };
}

test('checkMain: usage problems and --help are UNKNOWN (3)', async () => {
  const a = io();
  assert.equal(await checkMain([], a), 3);
  assert.match(a.out(), /^UNKNOWN: NRPE command not specified.*\nUsage: check_cohort_nrpe/s);
  const h = io();
  assert.equal(await checkMain(['--help'], h), 3);
  assert.match(h.out(), /--critical-percent P/);
});

// No wall-clock bound (a busy machine would fail it): the bus never flushes or
// closes, so checkMain resolving at all, with the deadline's own message, is
// the proof; the test's timeout only guards against a hang.
test('checkMain: the deadline holds even when the bus never flushes or closes', { timeout: 60_000 }, async () => {
  const never = new Promise<void>(() => undefined);
  const bus: Bus = { servers: ['nats://stuck:4222'], publish: () => undefined, subscribe: () => ({ unsubscribe: () => undefined }), flush: () => never, close: () => never };
  const out = io(bus);
  const code = await checkMain(['-I', 'web1', '--timeout', '0.8', 'check_load'], out);
  assert.equal(code, 3);
  assert.match(out.out(), /^check_load: UNKNOWN: no result within the 0\.8 s deadline \(--timeout\) while (waiting for replies|closing the NATS connection|discovering nodes)/);
});
