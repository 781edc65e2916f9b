// The systemd unit of the cohort-node package (packaging/debian/node/cohortd.service)
// and the unit-file reader the packaging test starts cohortd with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseUnit, splitExec, unitEnvironment, unitValue } from '../../scripts/package/unit-file.mjs';

const unitText = readFileSync(new URL('../../packaging/debian/node/cohortd.service', import.meta.url), 'utf8');
const unit = parseUnit(unitText);
const service = (key: string) => unitValue(unit, 'Service', key);

test('the unit runs /usr/bin/cohortd with the packaged config, as an exec service restarted on failure', () => {
  assert.equal(service('Type'), 'exec');
  assert.deepEqual(splitExec(service('ExecStart')!), ['/usr/bin/cohortd', '--config', '/etc/cohort/server.yaml']);
  assert.equal(service('Restart'), 'on-failure');
  assert.equal(service('RestartSec'), '5');
  assert.equal(service('RestartPreventExitStatus'), '2', 'a configuration error (exit 2) is not retried every 5 s');
  assert.equal(unitValue(unit, 'Install', 'WantedBy'), 'multi-user.target');
  assert.match(unitValue(unit, 'Unit', 'After') ?? '', /network-online\.target/);
});

test('the unit keeps agent children alive across restarts and has its directories, limits and log name', () => {
  assert.equal(service('KillMode'), 'process');
  assert.equal(service('StateDirectory'), 'cohort');
  assert.equal(service('LogsDirectory'), 'cohort');
  assert.equal(service('ConfigurationDirectory'), 'cohort');
  assert.ok(Number(service('LimitNOFILE')) >= 65536);
  assert.equal(service('SyslogIdentifier'), 'cohortd');
  assert.equal(service('EnvironmentFile'), '-/etc/default/cohortd', 'secrets from an optional root-only file');
});

test('hardening that leaves root agents working: no new privileges, nothing that hides the system', () => {
  assert.equal(service('User'), 'root', 'puppetral, nrpe and provision manage the machine');
  assert.equal(service('NoNewPrivileges'), 'yes');
  for (const key of ['ProtectSystem', 'ProtectHome', 'PrivateTmp', 'ReadOnlyPaths', 'MemoryDenyWriteExecute', 'CapabilityBoundingSet']) {
    assert.equal(service(key), undefined, `${key} would break puppetral/nrpe/provision or V8 (docs/packaging.md)`);
  }
});

test('parseUnit: sections, repeated keys (last wins), comments, continuation lines', () => {
  const u = parseUnit('# c\n[Service]\nEnvironment=A=1\nEnvironment="B=two words" C=3\nExecStart=/bin/x \\\n  --flag\n; note\n[Install]\nWantedBy=a\nWantedBy=b\n');
  assert.deepEqual(unitEnvironment(u), { A: '1', B: 'two words', C: '3' });
  assert.deepEqual(splitExec(unitValue(u, 'Service', 'ExecStart')!), ['/bin/x', '--flag']);
  assert.equal(unitValue(u, 'Install', 'WantedBy'), 'b');
  assert.throws(() => parseUnit('Key=outside'), /line 1: not "Key=Value" inside a \[Section\]/);
});

test('splitExec: quotes, escapes and prefixes; refuses what it cannot expand', () => {
  assert.deepEqual(splitExec(`-/usr/bin/x 'a b' "c \\"d\\"" e\\ f`), ['/usr/bin/x', 'a b', 'c "d"', 'e f']);
  assert.throws(() => splitExec('/usr/bin/x $HOME'), /variables/);
  assert.throws(() => splitExec('/usr/bin/x %i'), /specifiers/);
  assert.throws(() => splitExec('/usr/bin/x "open'), /unterminated quote/);
});
