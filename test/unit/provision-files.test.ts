// Pure text editing of the provision agent: the marked hosts line and puppet.conf's [main].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setHostsEntry } from '../../packages/agents/src/provision/hosts-file.ts';
import { mainSetting, setPuppetServer } from '../../packages/agents/src/provision/puppet-conf.ts';

test('hosts: the marked line is appended once, replaced on change, other lines untouched', () => {
  const base = '127.0.0.1 localhost\n# comment\n10.1.1.1 db1\n';
  const first = setHostsEntry(base, '10.0.0.5', 'puppet1.example.net');
  assert.equal(first.changed, true);
  assert.equal(first.text, `${base}10.0.0.5 puppet1.example.net puppet  # cohort-provision\n`);
  assert.deepEqual(setHostsEntry(first.text, '10.0.0.5', 'puppet1.example.net'), { text: first.text, changed: false });
  const moved = setHostsEntry(first.text, '2001:db8::7', 'puppet2.example.net');
  assert.equal(moved.text, `${base}2001:db8::7 puppet2.example.net puppet  # cohort-provision\n`);
  assert.equal(setHostsEntry('', '10.0.0.5', 'p').text, '10.0.0.5 p puppet  # cohort-provision\n');
  assert.equal(setHostsEntry('127.0.0.1 localhost', '10.0.0.5', 'p').text, '127.0.0.1 localhost\n10.0.0.5 p puppet  # cohort-provision\n', 'a missing final newline is handled');
});

test('puppet.conf: server (and masterport unless 8140) set in [main], other sections and settings kept', () => {
  const conf = '# managed by hand\n[main]\nlogdir = /var/log/puppet\nserver = old.example.net\n\n[agent]\nreport = true\n';
  const set = setPuppetServer(conf, 'puppet1.example.net', 8141);
  assert.equal(set.changed, true);
  assert.equal(set.text, '# managed by hand\n[main]\nlogdir = /var/log/puppet\nserver = puppet1.example.net\nmasterport = 8141\n\n[agent]\nreport = true\n');
  assert.equal(mainSetting(set.text, 'server'), 'puppet1.example.net');
  assert.equal(mainSetting(set.text, 'masterport'), '8141');
  assert.equal(mainSetting(set.text, 'report'), undefined, '[agent] is not [main]');
  assert.deepEqual(setPuppetServer(set.text, 'puppet1.example.net', 8141), { text: set.text, changed: false });
  const back = setPuppetServer(set.text, 'puppet1.example.net', 8140);
  assert.equal(mainSetting(back.text, 'masterport'), undefined, 'the default port removes masterport');
});

test('puppet.conf: [main] is created when missing, at the top', () => {
  assert.equal(setPuppetServer('', 'p.example.net', 8140).text, '[main]\nserver = p.example.net\n');
  assert.equal(setPuppetServer('[agent]\nnoop = true\n', 'p', 8140).text, '[main]\nserver = p\n[agent]\nnoop = true\n');
  assert.equal(mainSetting('[agent]\nserver = x\n', 'server'), undefined);
});
