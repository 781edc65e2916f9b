import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusal, type GuardRails } from '@cohort/agents';
import { serverConfigSpec } from '@cohort/agents';

const defaults: GuardRails = { manage: serverConfigSpec.puppetral.manage.default, readOnly: serverConfigSpec.puppetral.read_only.default };

test('defaults: the seed types may change; file may only be read; exec is neither', () => {
  for (const type of ['host', 'mailalias', 'user', 'group', 'package', 'service']) {
    assert.equal(refusal(type, 'change', defaults), undefined, type);
    assert.equal(refusal(type, 'read', defaults), undefined, type);
  }
  assert.equal(refusal('file', 'read', defaults), undefined);
  assert.match(refusal('file', 'change', defaults) ?? '', /may only read 'file'.*remove 'file' from puppetral\.read_only and add it to puppetral\.manage/);
  assert.match(refusal('exec', 'change', defaults) ?? '', /may not change 'exec'.*add 'exec' to puppetral\.manage/);
  assert.match(refusal('exec', 'read', defaults) ?? '', /may not read 'exec'.*add 'exec' to puppetral\.read_only \(or puppetral\.manage\)/);
});

test('read_only wins over manage, and the message then only asks to remove it from read_only', () => {
  const rails: GuardRails = { manage: ['host', 'user'], readOnly: ['user'] };
  const why = refusal('user', 'change', rails) ?? '';
  assert.match(why, /may only read 'user'.*remove 'user' from puppetral\.read_only in its cohortd config/);
  assert.doesNotMatch(why, /add it to puppetral\.manage/);
  assert.equal(refusal('user', 'read', rails), undefined);
  assert.equal(refusal('host', 'change', rails), undefined);
});

test('* stands for every type in either list', () => {
  assert.equal(refusal('exec', 'change', { manage: ['*'], readOnly: [] }), undefined);
  assert.match(refusal('file', 'change', { manage: ['*'], readOnly: ['file'] }) ?? '', /may only read 'file'/);
  assert.equal(refusal('anything', 'read', { manage: [], readOnly: ['*'] }), undefined);
  assert.match(refusal('anything', 'change', { manage: ['*'], readOnly: ['*'] }) ?? '', /list the types in puppetral\.read_only instead of '\*'/);
  assert.match(refusal('host', 'change', { manage: [], readOnly: [] }) ?? '', /add 'host' to puppetral\.manage/);
});
