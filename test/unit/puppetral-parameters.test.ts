import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlIn, forbiddenParameters, parameterRefusal, typeParameters } from '@cohort/agents';
import { serverConfigSpec } from '@cohort/agents';

const targets = serverConfigSpec.puppetral.targets.default;

test('the review attacks are refused, naming the parameter', () => {
  assert.match(parameterRefusal({ type: 'service', title: 'x', parameters: { provider: 'base', start: '/bin/sh -c id', ensure: 'running' } }, targets) ?? '', /refuses parameter 'provider' for service resources.*never allowed/);
  assert.match(parameterRefusal({ type: 'service', title: 'x', parameters: { start: '/bin/sh -c id' } }, targets) ?? '', /refuses parameter 'start'.*command Puppet runs as root/);
  assert.match(parameterRefusal({ type: 'mailalias', parameters: { name: 'x\n* * * * * root id', recipient: 'a@b', target: '/etc/cron.d/x' } }, targets) ?? '', /refuses parameter 'name'.*U\+000A, a newline/);
  assert.match(parameterRefusal({ type: 'mailalias', parameters: { name: 'x', recipient: 'a@b', target: '/etc/cron.d/x' } }, targets) ?? '', /refuses target='\/etc\/cron\.d\/x'.*puppetral\.targets/);
  assert.match(parameterRefusal({ type: 'mailalias', parameters: { target: '/etc/shadow' } }, targets) ?? '', /refuses target='\/etc\/shadow'/);
});

test('every forbidden parameter is refused for every type, listed or not', () => {
  for (const name of Object.keys(forbiddenParameters)) {
    for (const type of ['service', 'package', 'exec', 'cron', 'file']) {
      assert.match(parameterRefusal({ type, title: 't', parameters: { [name]: 'x' } }, targets) ?? '', new RegExp(`'${name}'.*never allowed`), `${type} ${name}`);
    }
  }
});

test('listed types take only their allow-listed parameters; others pass except the forbidden ones', () => {
  assert.match(parameterRefusal({ type: 'host', title: 'h', parameters: { bogus: 1 } }, targets) ?? '', /does not allow parameter 'bogus' for host resources \(allowed: name, ensure, ip/);
  assert.match(parameterRefusal({ type: 'user', title: 'u', parameters: { allowdupe: true } }, targets) ?? '', /'allowdupe'/);
  assert.equal(parameterRefusal({ type: 'host', title: 'h', parameters: { ip: '10.0.0.1', host_aliases: ['a', 'b'], target: '/etc/hosts' } }, targets), undefined);
  assert.equal(parameterRefusal({ type: 'user', title: 'rip', parameters: { password: '$1$xxx', ensure: 'present' } }, targets), undefined);
  assert.equal(parameterRefusal({ type: 'exec', title: '/bin/date', parameters: { creates: '/tmp/x', timeout: 5 } }, targets), undefined);
  assert.equal(parameterRefusal({ type: 'file', title: '/tmp/motd', parameters: { content: 'hi\n'.trim(), mode: '0640' } }, targets), undefined);
  for (const [type, names] of Object.entries(typeParameters)) for (const name of names) assert.equal(forbiddenParameters[name], undefined, `${type} allows forbidden ${name}`);
});

test('target: only listed absolute paths, no tricks with . or ..', () => {
  const list = ['/srv/hosts.local'];
  assert.equal(parameterRefusal({ type: 'host', title: 'h', parameters: { target: '/srv/hosts.local' } }, list), undefined);
  for (const bad of ['/srv/../etc/shadow', '/srv/./hosts.local', '//srv/hosts.local', 'hosts.local', '/srv/hosts.local/', '/etc/hosts', '']) {
    assert.ok(parameterRefusal({ type: 'host', title: 'h', parameters: { target: bad } }, list), `target=${bad}`);
  }
  assert.match(parameterRefusal({ type: 'host', title: 'h', parameters: { target: 42 } }, list) ?? '', /must be a file path/);
  assert.match(parameterRefusal({ type: 'host', title: 'h', parameters: { target: '/etc/hosts' } }, []) ?? '', /\(now: none\)/);
});

test('control characters anywhere: title, names, values, nested values and hash keys', () => {
  assert.match(parameterRefusal({ type: 'host', title: 'a\rb', parameters: {} }, targets) ?? '', /the title.*U\+000D, a carriage return/);
  assert.match(parameterRefusal({ type: 'host', title: 'h', parameters: { host_aliases: ['ok', 'x\ty'] } }, targets) ?? '', /'host_aliases'.*tab/);
  assert.match(parameterRefusal({ type: 'exec', title: 'h', parameters: { environment: { 'A\nB': 'x' } } }, targets) ?? '', /'environment'.*newline/);
  assert.match(parameterRefusal({ type: 'exec', title: 'h', parameters: { 'x\u001b[2J': 1 } }, targets) ?? '', /parameter 'x\?\[2J'.*escape/);
  assert.match(parameterRefusal({ type: 'host', title: 'h', parameters: { comment: 'a\u2028b' } }, targets) ?? '', /line separator/);
  assert.equal(controlIn({ a: [1, true, null, 'plain text ü'] }), undefined);
  assert.equal(controlIn('\u0085'), '\u0085');
  // A file's content is text: lines and tabs, but no other control characters.
  assert.equal(parameterRefusal({ type: 'file', title: '/tmp/motd', parameters: { content: 'a\n\tb\n' } }, targets), undefined);
  assert.match(parameterRefusal({ type: 'file', title: '/tmp/motd', parameters: { content: 'a\u001b[2J' } }, targets) ?? '', /'content'.*escape/);
  assert.match(parameterRefusal({ type: 'exec', title: '/bin/true', parameters: { content: 'a\nb' } }, targets) ?? '', /'content'.*newline/);
});

test('mail aliases: a name the aliases file cannot hold, or a recipient that runs or writes, is refused', () => {
  assert.match(parameterRefusal({ type: 'mailalias', title: 'evil: |/bin/sh', parameters: {} }, targets) ?? '', /mail alias name/);
  for (const r of ['|/usr/bin/id', ' "|/usr/bin/id"', '/etc/passwd', ':include:/tmp/list', ['ok@example.net', '|x']]) {
    assert.match(parameterRefusal({ type: 'mailalias', title: 'postmaster', parameters: { recipient: r } }, targets) ?? '', /refuses parameter 'recipient'/, JSON.stringify(r));
  }
  assert.equal(parameterRefusal({ type: 'mailalias', title: 'cohort-foo', parameters: { recipient: ['rip@devco.net', 'root'] } }, targets), undefined);
});

test('packages: names from the repositories only, never a local file', () => {
  assert.match(parameterRefusal({ type: 'package', title: '/tmp/evil.deb', parameters: { ensure: 'present' } }, targets) ?? '', /refuses package name '\/tmp\/evil\.deb'/);
  assert.match(parameterRefusal({ type: 'package', parameters: { name: './x.deb' } }, targets) ?? '', /refuses package name/);
  for (const ok of ['unix2dos', 'libc6:amd64', 'g++', 'python3.11', 'lib-foo0']) assert.equal(parameterRefusal({ type: 'package', title: ok, parameters: { ensure: 'present' } }, targets), undefined, ok);
});
