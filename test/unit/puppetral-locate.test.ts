import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCommand, locatePuppet, readSettings, settingsArgs, shebangInterpreter } from '@cohort/agents';
import { serverConfigSpec } from '@cohort/agents';
import { puppetralNode } from './puppetral-fakes.js';

const scratch = mkdtempSync(join(tmpdir(), 'cohort-locate-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const tempDir = () => mkdtempSync(join(scratch, 'case-'));

function script(dir: string, name: string, text: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

test('findCommand: PATH lookup skips non-executables; a path is checked as given', () => {
  const root = tempDir();
  script(join(root, 'a'), 'puppet', 'not executable', 0o644);
  const real = script(join(root, 'b'), 'puppet', '#!/bin/sh\n');
  assert.equal(findCommand('puppet', `${join(root, 'a')}:relative:${join(root, 'b')}`), real);
  assert.equal(findCommand('puppet', join(root, 'a')), undefined);
  assert.equal(findCommand(real, undefined), real);
  assert.equal(findCommand(join(root, 'nope'), undefined), undefined);
});

test('shebangInterpreter: direct, via env (with flags), and none', () => {
  const dir = tempDir();
  assert.equal(shebangInterpreter(script(dir, 'a', '#!/usr/bin/ruby\nrequire "puppet"\n')), '/usr/bin/ruby');
  assert.equal(shebangInterpreter(script(dir, 'b', '#! /usr/bin/env ruby -w\n')), 'ruby');
  assert.equal(shebangInterpreter(script(dir, 'c', 'puts 1\n')), undefined);
  assert.equal(shebangInterpreter(join(dir, 'missing')), undefined);
});

test('locatePuppet: Ruby from the #! line, else configured, else a reason naming the setting', () => {
  const root = tempDir();
  const bin = join(root, 'bin');
  const ruby = script(bin, 'ruby', '#!/bin/sh\n');
  const puppet = script(bin, 'puppet', '#!/usr/bin/env ruby\n');
  assert.deepEqual(locatePuppet({ puppet: 'puppet', ruby: null, pathEnv: bin }), { puppet, ruby });
  assert.deepEqual(locatePuppet({ puppet, ruby, pathEnv: '' }), { puppet, ruby });
  assert.match(String(locatePuppet({ puppet: 'puppet', ruby: null, pathEnv: join(root, 'empty') })), /Puppet is not installed \(no 'puppet' command on PATH\).*puppetral\.puppet/);
  assert.match(String(locatePuppet({ puppet: join(root, 'none'), ruby: null, pathEnv: bin })), /Puppet is not installed \(.*none is missing or not executable\)/);
  assert.match(String(locatePuppet({ puppet, ruby: join(root, 'no-ruby'), pathEnv: bin })), /puppetral\.ruby .*no-ruby is missing/);
  const shell = script(join(root, 'sh'), 'puppet', '#!/bin/sh\nexec ruby "$@"\n');
  const found = locatePuppet({ puppet: shell, ruby: null, pathEnv: bin });
  // Only an all-in-one install has a Ruby to fall back on.
  if (typeof found === 'string') assert.match(found, /cannot tell which Ruby runs .*set puppetral\.ruby/);
  else assert.equal(found.ruby, '/opt/puppetlabs/puppet/bin/ruby');
});

test('readSettings: the loaded puppetral section (spec defaults where missing); settingsArgs: --name=value', () => {
  const defaults = readSettings(puppetralNode({}));
  assert.deepEqual(defaults, {
    manage: serverConfigSpec.puppetral.manage.default,
    readOnly: serverConfigSpec.puppetral.read_only.default,
    targets: ['/etc/hosts', '/etc/aliases'],
    puppet: 'puppet',
    ruby: null,
    settings: {},
  });
  const set = readSettings(puppetralNode({ manage: ['exec'], read_only: [], targets: ['/srv/h'], puppet: '/opt/p', ruby: '/opt/r', settings: { vardir: '/v', noop: false } }));
  assert.deepEqual(set, { manage: ['exec'], readOnly: [], targets: ['/srv/h'], puppet: '/opt/p', ruby: '/opt/r', settings: { vardir: '/v', noop: false } });
  // Bad values never reach the agent: cohortd refuses the config, naming the key.
  assert.throws(() => puppetralNode({ manage: [1, 2] }), /key 'puppetral\.manage' must be a list of Puppet type names/);
  assert.throws(() => puppetralNode({ settings: { bad: {} } }), /key 'puppetral\.settings' must be a mapping/);
  assert.deepEqual(settingsArgs({ vardir: '/tmp/v', noop: false, splay: 3 }), ['--vardir=/tmp/v', '--noop=false', '--splay=3']);
});
