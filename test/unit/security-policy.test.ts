// actionpolicy: parsing every rule form, evaluation (first match wins,
// defaults, groups, regex callers, facts, classes, compound filters), the
// file-backed store (missing file, default.policy, default-deny, broken files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluatePolicy, parseGroups, parsePolicy, PolicyError, PolicyStore, type NodeView, type PolicyGroups } from '@cohort/core';

const web: NodeView = { identity: 'web1', facts: { role: 'web', country: 'de', cpus: 8, os: { family: 'debian' } }, classes: ['apache', 'base'], agents: ['echo'] };
const db: NodeView = { identity: 'db1', facts: { role: 'db', country: 'fr', cpus: 32, os: { family: 'redhat' } }, classes: ['mysql', 'base'], agents: ['echo'] };
const noGroups: PolicyGroups = new Map();
const T = '\t';

function decide(text: string, callerid: string, action: string, node: NodeView, groups = noGroups, fallback: 'allow' | 'deny' = 'deny') {
  return evaluatePolicy(parsePolicy(text, 'test.policy'), { callerid, action }, node, groups, fallback).effect;
}

test('policy default applies when no rule matches; the first matching rule wins', () => {
  const text = ['# comment', '', 'policy default deny', `allow${T}user=alice${T}*${T}*${T}*`, `deny${T}user=bob${T}*${T}*${T}*`, `allow${T}user=bob${T}status${T}*${T}*`].join('\n');
  assert.equal(decide(text, 'user=alice', 'restart', web), 'allow');
  assert.equal(decide(text, 'user=bob', 'status', web), 'deny', 'the earlier deny wins over the later allow');
  assert.equal(decide(text, 'user=carol', 'status', web), 'deny');
  assert.equal(decide(text.replace('policy default deny', 'policy default allow'), 'user=carol', 'status', web), 'allow');
  const policy = parsePolicy(text, 'x.policy');
  assert.equal(policy.rules.length, 3);
  assert.equal(policy.rules[0]?.line, 4);
});

test('without a policy default line the configured fallback applies', () => {
  const text = `allow${T}user=alice${T}*${T}*${T}*`;
  assert.equal(decide(text, 'user=bob', 'x', web, noGroups, 'deny'), 'deny');
  assert.equal(decide(text, 'user=bob', 'x', web, noGroups, 'allow'), 'allow');
});

test('callers: several per rule, /regex/, and groups from the groups file', () => {
  const groups = parseGroups('# groups\nadmins user=alice /^user=ops-/\nciusers deploy=ci\n', 'groups');
  const text = [`policy default deny`, `allow${T}user=carol user=dave${T}*${T}*${T}*`, `allow${T}/^user=sre\\d+$/${T}*${T}*${T}*`, `allow${T}admins ciusers${T}restart${T}*${T}*`].join('\n');
  assert.equal(decide(text, 'user=dave', 'x', web, groups), 'allow');
  assert.equal(decide(text, 'user=sre42', 'x', web, groups), 'allow');
  assert.equal(decide(text, 'user=sre42x', 'x', web, groups), 'deny');
  assert.equal(decide(text, 'user=alice', 'restart', web, groups), 'allow', 'group member');
  assert.equal(decide(text, 'user=ops-jo', 'restart', web, groups), 'allow', 'regex member of a group');
  assert.equal(decide(text, 'deploy=ci', 'restart', web, groups), 'allow');
  assert.equal(decide(text, 'user=alice', 'stop', web, groups), 'deny', 'group rule is for restart only');
  assert.equal(decide(text, 'user=alice', 'restart', web, noGroups), 'deny', 'an unknown group matches nobody');
});

test('actions: * or a space-separated list', () => {
  const text = `policy default deny\nallow${T}*${T}status info${T}*${T}*`;
  assert.equal(decide(text, 'user=x', 'info', web), 'allow');
  assert.equal(decide(text, 'user=x', 'restart', web), 'deny');
});

test('facts and classes: every listed fact and class must match the node', () => {
  const text = `policy default deny\nallow${T}*${T}*${T}role=web cpus>=4 os.family=/deb/${T}apache base`;
  assert.equal(decide(text, 'user=x', 'a', web), 'allow');
  assert.equal(decide(text, 'user=x', 'a', db), 'deny');
  assert.equal(decide(`policy default deny\nallow${T}*${T}*${T}*${T}mysql`, 'user=x', 'a', db), 'allow');
  assert.equal(decide(`policy default deny\nallow${T}*${T}*${T}*${T}/^my/`, 'user=x', 'a', db), 'allow');
  assert.equal(decide(`policy default deny\nallow${T}*${T}*${T}role!=db${T}*`, 'user=x', 'a', web), 'allow', '!= is a fact operator, not a compound');
  assert.equal(decide(`policy default deny\nallow${T}*${T}*${T}role!=db${T}*`, 'user=x', 'a', db), 'deny');
});

test('compound filters: a 4-field rule, or and/or/not in the facts field', () => {
  const four = `policy default deny\nallow${T}*${T}*${T}(role=web and country=de) or fact('os.family')=redhat`;
  assert.equal(decide(four, 'user=x', 'a', web), 'allow');
  assert.equal(decide(four, 'user=x', 'a', db), 'allow');
  assert.equal(decide(four, 'user=x', 'a', { ...db, facts: { ...db.facts, os: { family: 'suse' } } }), 'deny');
  const deny = `policy default allow\ndeny${T}*${T}restart${T}not country=de${T}*`;
  assert.equal(decide(deny, 'user=x', 'restart', db), 'deny');
  assert.equal(decide(deny, 'user=x', 'restart', web), 'allow');
  assert.equal(decide(`policy default deny\nallow${T}*${T}*${T}apache and cpus>4`, 'user=x', 'a', web), 'allow', 'classes inside a compound');
});

test('parse errors name the file and line, and say what is wrong', () => {
  const bad = (text: string, pattern: RegExp) =>
    assert.throws(() => parsePolicy(text, '/etc/cohort/policies/echo.policy'), (err: unknown) => err instanceof PolicyError && /echo\.policy line \d/.test(err.message) && pattern.test(err.message));
  bad('policy default maybe', /allow or deny/);
  bad('permit\tuser=a\t*\t*\t*', /starting with allow or deny/);
  bad('allow user=a * * *', /spaces instead of tabs/);
  bad('allow\tuser=a\t*', /4 or 5 TAB-separated fields/);
  bad('allow\t/[/\t*\t*\t*', /regex/);
  bad('allow\t*\t*\trole==\t*', /invalid facts field/);
  bad('allow\t*\t*\t(role=web and\t*', /invalid facts field/);
  assert.throws(() => parseGroups('admins user=a other', 'groups'), /do not nest/);
});

test('the store: agent file, then default.policy, then security.default_policy; broken files deny', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-policies-'));
  writeFileSync(join(dir, 'echo.policy'), `policy default deny\nallow${T}admins${T}*${T}*${T}*\n`);
  writeFileSync(join(dir, 'groups'), 'admins user=alice\n');
  const deny = new PolicyStore({ dir, defaultEffect: 'deny' });
  const allowed = deny.decide('echo', 'touch', 'user=alice', web);
  assert.equal(allowed.allowed, true);
  assert.match(allowed.reason, /echo\.policy line 2/);
  const denied = deny.decide('echo', 'touch', 'user=bob', web);
  assert.equal(denied.allowed, false);
  assert.match(denied.reason, /echo\.policy \(policy default deny\)/);
  assert.match(denied.reason, /user=bob calling echo#touch/);
  // No file for rpcutil: default deny, unless the store default is allow.
  assert.equal(deny.decide('rpcutil', 'ping', 'user=alice', web).allowed, false);
  assert.match(deny.decide('rpcutil', 'ping', 'user=alice', web).reason, /no rpcutil\.policy or default\.policy.*default_policy is deny/);
  assert.equal(new PolicyStore({ dir, defaultEffect: 'allow' }).decide('rpcutil', 'ping', 'user=alice', web).allowed, true);
  // default.policy covers agents without their own file.
  const dir2 = mkdtempSync(join(tmpdir(), 'cohort-policies-'));
  writeFileSync(join(dir2, 'default.policy'), `policy default deny\nallow${T}*${T}ping${T}*${T}*\n`);
  const store2 = new PolicyStore({ dir: dir2, defaultEffect: 'allow' });
  assert.equal(store2.decide('rpcutil', 'ping', 'user=x', web).allowed, true);
  assert.equal(store2.decide('rpcutil', 'inventory', 'user=x', web).allowed, false);
  // A broken policy file denies everything it covers, and is reported.
  const errors: unknown[] = [];
  writeFileSync(join(dir2, 'echo.policy'), 'this is not a policy\n');
  const store3 = new PolicyStore({ dir: dir2, defaultEffect: 'allow', onError: (e) => errors.push(e) });
  const broken = store3.decide('echo', 'echo', 'user=alice', web);
  assert.equal(broken.allowed, false);
  assert.match(broken.reason, /echo\.policy is invalid/);
  assert.equal(errors.length, 1);
});

test('the store re-reads a changed policy file (after its refresh interval)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-policies-'));
  const file = join(dir, 'echo.policy');
  writeFileSync(file, 'policy default deny\n');
  const store = new PolicyStore({ dir, defaultEffect: 'deny', refreshMs: 1000 });
  const t0 = Date.now();
  assert.equal(store.decide('echo', 'echo', 'user=a', web, t0).allowed, false);
  writeFileSync(file, 'policy default allow\n# longer, so the size changes too\n');
  assert.equal(store.decide('echo', 'echo', 'user=a', web, t0 + 10).allowed, false, 'not re-checked within the interval');
  assert.equal(store.decide('echo', 'echo', 'user=a', web, t0 + 1500).allowed, true);
});
