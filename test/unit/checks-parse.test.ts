// Check definitions from the config file, drop-ins and the bus: defaults,
// every kind, and errors naming the check and the setting; the perfdata
// parser; the check() filter function in the -S grammar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOfSpec, expandCheckVars, matchFilter, emptyFilter, parseCheckDefinition, parseCheckDefinitions, parseCompound, parsePerfdata, type CheckDefinition } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('defaults: nagios, 60s interval, 30s timeout, splay, 3 retries, no handlers', () => {
  const d = parseCheckDefinition('load', { command: ['/usr/lib/nagios/plugins/check_load', '-w', '$warn$'], vars: { warn: '1,2,3' } }, 'config');
  assert.ok(typeof d !== 'string', String(d));
  assert.equal(d.kind, 'nagios');
  assert.equal(d.intervalMs, 60_000);
  assert.equal(d.timeoutMs, 30_000);
  assert.equal(d.splay, true);
  assert.equal(d.retries, 3);
  assert.deepEqual(d.handlers, []);
  assert.equal(d.apply_on, undefined);
  assert.deepEqual(expandCheckVars(d.command ?? [], d.vars), ['/usr/lib/nagios/plugins/check_load', '-w', '1,2,3']);
});

test('a short interval caps the default timeout; nrpe, expression and graphite kinds', () => {
  const d = parseCheckDefinition('x', { nrpe: 'check_load', interval: 5, apply_on: 'role=web and /base/', handlers: ['mail'], retries: 1, splay: false }, 'config');
  assert.ok(typeof d !== 'string', String(d));
  assert.equal(d.timeoutMs, 5000);
  assert.equal(d.nrpe, 'check_load');
  assert.equal(d.apply_on, 'role=web and /base/');
  const e = parseCheckDefinition('mem', { critical_if: 'memory.used_pct > $crit$', vars: { crit: 90 }, output: 'memory {{ memory.used_pct }}%' }, 'config');
  assert.ok(typeof e !== 'string', String(e));
  assert.equal(e.kind, 'expression');
  assert.equal(e.critical_if, 'memory.used_pct > $crit$');
  const g = parseCheckDefinition('web', { graphite: { target: 'sumSeries(web.*.load)', window: '5m' } }, 'config');
  assert.ok(typeof g !== 'string', String(g));
  assert.equal(g.kind, 'graphite');
  assert.deepEqual(g.graphite, { target: 'sumSeries(web.*.load)', window: 300 });
});

test('every bad setting is named with the check', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['Bad', { command: ['/bin/true'] }, /check 'Bad': the name must be/],
    ['a', 'x', /check 'a': must be a map/],
    ['a', { command: ['/bin/true'], intervl: 5 }, /check 'a': unknown setting 'intervl'/],
    ['a', { kind: 'snmp', command: ['/bin/true'] }, /check 'a': kind must be one of nagios, expression, graphite/],
    ['a', { command: ['/bin/true'], interval: 'soon' }, /check 'a': interval must be a duration/],
    ['a', { command: ['/bin/true'], interval: '500ms' }, /check 'a': interval must be at least 1s/],
    ['a', { command: ['/bin/true'], interval: '10s', timeout: '20s' }, /check 'a': timeout \(20 s\) must not be longer than the interval/],
    ['a', { command: ['/bin/true'], retries: 0 }, /check 'a': retries must be a whole number/],
    ['a', { command: ['/bin/true'], handlers: 'mail' }, /check 'a': handlers must be a list/],
    ['a', { command: ['/bin/true'], apply_on: 'role=' }, /check 'a': apply_on: /],
    ['a', { command: ['/bin/true'], vars: { w: [1] } }, /check 'a': vars.w must be a string, number or boolean/],
    ['a', { command: ['/bin/true', '$warn$'] }, /check 'a': command uses \$warn\$ but vars has no 'warn'/],
    ['a', { command: ['check_load'] }, /check 'a': command: the plugin must be an absolute path/],
    ['a', { command: [] }, /check 'a': command must be a non-empty list/],
    ['a', {}, /check 'a': give either command .* or nrpe/],
    ['a', { command: ['/bin/true'], nrpe: 'x' }, /not both/],
    ['a', { command: ['/bin/true'], critical_if: 'x > 1', kind: 'nagios' }, /check 'a': 'critical_if' does not apply to nagios checks/],
    ['a', { kind: 'expression' }, /check 'a': an expression check needs critical_if or warning_if/],
    ['a', { graphite: { target: 'x', url: 'ftp://x' } }, /check 'a': graphite.url must be an http/],
  ];
  for (const [name, raw, pattern] of cases) {
    const d = parseCheckDefinition(name, raw, 'config');
    assert.equal(typeof d, 'string', `${JSON.stringify(raw)} should be refused`);
    assert.match(d as string, pattern);
  }
});

test('a map with bad checks keeps the good ones and reports the bad with their source', () => {
  const { checks, errors } = parseCheckDefinitions({ good: { command: ['/bin/true'] }, bad: { command: ['/bin/true'], retries: -1 } }, 'drop-in /etc/cohort/checks.d/x.yaml');
  assert.deepEqual(checks.map((c) => c.name), ['good']);
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /^drop-in \/etc\/cohort\/checks.d\/x.yaml: check 'bad': retries/);
});

test('a fleet-wide definition may not carry a plugin command, but may name an NRPE command', () => {
  const refused = checkOfSpec({ name: 'evil', command: ['/bin/sh', '-c', 'rm -rf /'] }, 'user=mallory');
  assert.match(refused as string, /check 'evil': command: plugin commands are declared only in the node's own config/);
  const ok = checkOfSpec({ name: 'load', nrpe: 'check_load', interval: 30 }, 'user=operator');
  assert.ok(typeof ok !== 'string');
  assert.equal(ok.definedBy, 'user=operator');
  assert.equal(ok.source, 'bus user=operator');
});

test('the server config takes checks: and checks_dir; one bad check does not stop the config from loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checks-config-'));
  const file = join(dir, 'server.yaml');
  writeFileSync(file, 'checks:\n  load: { command: [/bin/true], interval: 10s }\n  broken: { interval: never }\nchecks_dir: checks.d\n');
  const { config } = loadServerConfig({ file });
  assert.deepEqual(Object.keys(config.checks), ['load', 'broken']);
  assert.equal(config.checks_dir, join(dir, 'checks.d'));
  writeFileSync(file, 'checks: [1, 2]\n');
  assert.throws(() => loadServerConfig({ file }), /checks/);
});

test('perfdata: label=value[UOM];warn;crit;min;max, quoted labels, bad items left out', () => {
  assert.deepEqual(parsePerfdata("load1=0.150;5.000;10.000;0; load5=0.2;;; 'disk /var'=81%;80;90;0;100 time=0.01s bad U=U novalue"), [
    { label: 'load1', value: 0.15, warn: '5.000', crit: '10.000', min: 0 },
    { label: 'load5', value: 0.2 },
    { label: 'disk /var', value: 81, uom: '%', warn: '80', crit: '90', min: 0, max: 100 },
    { label: 'time', value: 0.01, uom: 's' },
  ]);
  assert.deepEqual(parsePerfdata("'it''s'=1KB"), [{ label: "it's", value: 1, uom: 'KB' }]);
  assert.deepEqual(parsePerfdata(''), []);
});

test("check('name').state in -S filters: parsed, fields checked, answered by the node's data function", () => {
  parseCompound("check('load').state=critical");
  parseCompound("check('load').hard=true and check('disk')=ok");
  assert.throws(() => parseCompound("check('load').colour=red"), /check\(\) has no field "colour"/);
  const view = (state: string) => ({
    identity: 'n1',
    facts: {},
    classes: [],
    agents: [],
    data: (name: string, arg: string) => (name === 'check' ? (arg === 'load' ? { exists: true, state, hard: true, output: 'x' } : { exists: false }) : undefined),
  });
  const f = (expr: string) => ({ ...emptyFilter(), compound: [expr] });
  assert.equal(matchFilter(f("check('load').state=critical"), view('critical')), true);
  assert.equal(matchFilter(f("check('load').state=critical"), view('ok')), false);
  assert.equal(matchFilter(f("check('load')=critical"), view('critical')), true);
  assert.equal(matchFilter(f("check('disk').state=critical"), view('critical')), false);
  assert.equal(matchFilter(f("check('disk').exists=false"), view('ok')), true);
});

test('the example checks (examples/checks) parse without errors', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const yaml = (await import('js-yaml')).default;
  const dir = new URL('../../examples/checks/', import.meta.url).pathname;
  const files = [join(dir, 'server.yaml'), ...readdirSync(join(dir, 'checks.d')).map((f) => join(dir, 'checks.d', f))];
  let count = 0;
  for (const file of files) {
    const raw = yaml.load(readFileSync(file, 'utf8'), { schema: yaml.CORE_SCHEMA }) as Record<string, unknown>;
    const { checks, errors } = parseCheckDefinitions(file.endsWith('server.yaml') ? raw['checks'] : raw, `drop-in ${file}`);
    assert.deepEqual(errors, []);
    count += checks.length;
  }
  assert.equal(count, 5);
});

test('$identity$ needs no var: the node fills it; a var of that name wins', () => {
  const def = parseCheckDefinition('own', { command: ['/bin/true', '/var/lib/x/$identity$'] }, 'config');
  assert.notEqual(typeof def, 'string', String(def));
  assert.deepEqual(expandCheckVars((def as CheckDefinition).command!, { identity: 'web1' }), ['/bin/true', '/var/lib/x/web1']);
  assert.match(String(parseCheckDefinition('own', { command: ['/bin/true', '$nosuch$'] }, 'config')), /uses \$nosuch\$ but vars has no 'nosuch'/);
});
