// The Debian control file and versions of scripts/package (pnpm package).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conffilesFile, controlFile, debianVersionOf, nodejsDepends } from '../../scripts/package/control.mjs';

const base = { package: 'cohort-node', version: '0.1.0', summary: 'Cohort node daemon', installedSize: 1572, depends: [nodejsDepends] };

test('a control file has the fields dpkg needs, in order, with the nodejs dependency', () => {
  const text = controlFile({ ...base, description: 'First line.\n\nSecond paragraph.' });
  assert.equal(
    text,
    [
      'Package: cohort-node',
      'Version: 0.1.0',
      'Architecture: all',
      'Maintainer: Cohort maintainers <cohort@localhost>',
      'Installed-Size: 1572',
      'Depends: nodejs (>= 20.19)',
      'Section: admin',
      'Priority: optional',
      'Description: Cohort node daemon',
      ' First line.',
      ' .',
      ' Second paragraph.',
      '',
    ].join('\n'),
  );
});

test('the nodejs minimum is the one package.json engines states', async () => {
  const { readFileSync } = await import('node:fs');
  const engines = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;
  assert.equal(nodejsDepends, `nodejs (${engines.replace('>=', '>= ')})`);
});

test('several dependencies are comma-separated; none is not a Depends line', () => {
  assert.match(controlFile({ ...base, depends: ['nodejs (>= 20.19)', 'openssl'] }), /^Depends: nodejs \(>= 20\.19\), openssl$/m);
  assert.doesNotMatch(controlFile({ ...base, depends: [] }), /^Depends:/m);
});

test('bad fields are refused, naming the field', () => {
  assert.throws(() => controlFile({ ...base, package: 'Cohort_Node' }), /package name "Cohort_Node"/);
  assert.throws(() => controlFile({ ...base, version: 'v0.1' }), /version "v0\.1"/);
  assert.throws(() => controlFile({ ...base, summary: 'two\nlines' }), /summary .* one line/);
  assert.throws(() => controlFile({ ...base, installedSize: 1.5 }), /installedSize/);
  assert.throws(() => controlFile({ ...base, depends: ['a, b'] }), /one dependency per entry/);
});

test('npm versions become Debian versions; a pre-release sorts before its release', () => {
  assert.equal(debianVersionOf('0.1.0'), '0.1.0');
  assert.equal(debianVersionOf('v1.2.3'), '1.2.3');
  assert.equal(debianVersionOf('0.2.0-rc.1'), '0.2.0~rc.1');
  assert.equal(debianVersionOf('0.1.0+citest2'), '0.1.0+citest2');
  assert.throws(() => debianVersionOf('latest'), /"latest" is not usable as a Debian package version/);
  assert.throws(() => debianVersionOf('1.0 beta'), /not usable/);
});

test('conffiles are absolute paths under /etc', () => {
  assert.equal(conffilesFile(['/etc/cohort/server.yaml']), '/etc/cohort/server.yaml\n');
  assert.throws(() => conffilesFile(['/usr/share/cohort/x']), /not under \/etc/);
});
