// Mine functions as declared in cohortd's config, drop-ins and fleet-wide
// definitions: durations, the action/command choice, and the rule that a
// command never comes from the bus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definitionFunction, formatMineDuration, isMineValueStale, mineDefinitionProblem, mineKey, mineValueProblem, parseMineDuration, parseMineFunction, parseMineFunctions, parseMineKey, ConfigError, emptyFilter } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('durations: seconds as numbers, or with ms/s/m/h/d; bad ones are reasons', () => {
  assert.equal(parseMineDuration(60), 60_000);
  assert.equal(parseMineDuration('60s'), 60_000);
  assert.equal(parseMineDuration('5m'), 300_000);
  assert.equal(parseMineDuration('1h'), 3_600_000);
  assert.equal(parseMineDuration('500ms'), 500);
  assert.equal(parseMineDuration('1.5s'), 1500);
  assert.match(String(parseMineDuration('soon')), /duration such as 60s/);
  assert.match(String(parseMineDuration(-1)), /positive/);
  assert.match(String(parseMineDuration('0s')), /above zero/);
  assert.equal(formatMineDuration(90_000), '1m30s');
  assert.equal(formatMineDuration(300_000), '5m');
});

test('the issue example parses: a DDL action and a command', () => {
  const { functions, errors } = parseMineFunctions(
    {
      os_release: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'os.release' }, interval: '5m' },
      check_mk: { command: ['/usr/bin/check_mk_agent'], interval: '60s', timeout: '20s' },
    },
    'config',
  );
  assert.deepEqual(errors, []);
  const [os, cmk] = functions;
  assert.equal(os?.kind, 'action');
  assert.equal(os?.intervalMs, 300_000);
  assert.deepEqual(os?.inputs, { fact: 'os.release' });
  assert.equal(os?.splay, true);
  assert.equal(cmk?.kind, 'command');
  assert.deepEqual(cmk?.command, ['/usr/bin/check_mk_agent']);
  assert.equal(cmk?.timeoutMs, 20_000);
  assert.equal(cmk?.maxOutputBytes, 128 * 1024);
});

test('bad functions are refused with a reason naming the function and setting', () => {
  const bad = (raw: unknown) => String(parseMineFunction('f', raw, 'config'));
  assert.match(bad({ agent: 'a', action: 'b' }), /mine function 'f': interval is required/);
  assert.match(bad({ agent: 'a', action: 'b', command: ['x'], interval: 1 }), /not both/);
  assert.match(bad({ interval: 1 }), /not neither/);
  assert.match(bad({ command: [], interval: 1 }), /non-empty list/);
  assert.match(bad({ command: ['x'], interval: '0.5s' }), /at least 1s/);
  assert.match(bad({ command: ['x'], interval: 1, shell: true }), /unknown setting 'shell'/);
  assert.match(bad({ command: ['x'], interval: 1, max_output: 10_000_000 }), /max_output/);
  assert.match(String(parseMineFunction('a.b', { command: ['x'], interval: 1 }, 'config')), /name must be/);
});

test('a command never comes from the bus', () => {
  assert.match(String(parseMineFunction('f', { command: ['/bin/true'], interval: 1 }, 'bus user=alice')), /only be declared in the node's own config/);
  const def = { name: 'f', agent: 'rpcutil', action: 'ping', inputs: {}, interval: 5, filter: emptyFilter() };
  assert.equal(mineDefinitionProblem(def), undefined);
  assert.match(String(mineDefinitionProblem({ ...def, command: ['/bin/sh'] })), /commands can never be defined from the bus/);
  assert.match(String(mineDefinitionProblem({ ...def, filter: {} })), /filter/);
  const fn = definitionFunction(def, 'user=alice');
  assert.ok(typeof fn !== 'string');
  assert.equal(fn.kind, 'action');
  assert.equal(fn.source, 'bus user=alice');
});

test('the config file: mine and mine_dir load and a bad function is a ConfigError naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mine-config-'));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'mine:\n  uptime: { agent: rpcutil, action: get_fact, inputs: { fact: uptime }, interval: 60s }\nmine_dir: mine.d\n');
  const { config } = loadServerConfig({ file: good });
  assert.deepEqual(Object.keys(config.mine), ['uptime']);
  assert.equal(config.mine_dir, join(dir, 'mine.d'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'mine:\n  uptime: { agent: rpcutil, interval: never }\n');
  assert.throws(() => loadServerConfig({ file: bad }), (err: unknown) => err instanceof ConfigError && /uptime/.test(err.message) && /interval/.test(err.message));
});

test('keys: <function>.<identity>, identities escaped, and back', () => {
  assert.equal(mineKey('check_mk', 'web1.example.net'), 'check_mk.web1.example.net');
  assert.equal(mineKey('f', 'lab:7@edge'), 'f.lab=3A7=40edge');
  assert.deepEqual(parseMineKey('f.lab=3A7=40edge'), { function: 'f', identity: 'lab:7@edge' });
  assert.equal(parseMineKey('nodot'), undefined);
});

test('values: shape checks and staleness at twice the interval (or max age)', () => {
  const v = { function: 'f', identity: 'n1', time: 1000, interval: 60, duration_ms: 5, statuscode: 0, statusmsg: 'OK', source: 'config', output: 'x' };
  assert.equal(mineValueProblem(v), undefined);
  assert.match(String(mineValueProblem({ ...v, time: 'now' })), /time/);
  assert.match(String(mineValueProblem({ ...v, output: 3 })), /output/);
  assert.equal(isMineValueStale(v, 1000 + 120_000), false);
  assert.equal(isMineValueStale(v, 1000 + 120_001), true);
  assert.equal(isMineValueStale(v, 1000 + 5001, 5000), true);
});
