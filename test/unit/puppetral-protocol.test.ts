import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReady, decodeReply, encodeRequest, PuppetHelperError } from '@cohort/agents';
import { caught } from '../harness/messages.js';

test('a request is one JSON line, whatever its values hold', () => {
  const line = encodeRequest({ id: 7, op: 'apply', type: 'exec', title: '/bin/echo a\nb > /tmp/x', parameters: { creates: '/tmp/x' }, noop: true });
  assert.ok(line.endsWith('\n'));
  assert.equal(line.indexOf('\n'), line.length - 1, 'no newline inside the line');
  assert.deepEqual(JSON.parse(line), { id: 7, op: 'apply', type: 'exec', title: '/bin/echo a\nb > /tmp/x', parameters: { creates: '/tmp/x' }, noop: true });
});

test('the ready line: loaded with a version, or the reason Puppet did not load', () => {
  assert.deepEqual(decodeReady('{"ready":true,"puppet":"7.23.0"}'), { ready: true, puppet: '7.23.0' });
  assert.deepEqual(decodeReady('{"ready":false,"error":"LoadError: no puppet"}'), { ready: false, error: 'LoadError: no puppet' });
  assert.deepEqual(decodeReady('{"ready":false}'), { ready: false, error: 'no reason given' });
  assert.match(caught(PuppetHelperError, () => decodeReady('Notice: hello')).message, /start-up line that is not JSON: Notice: hello/);
  assert.match(caught(PuppetHelperError, () => decodeReady('{"ready":"yes"}')).message, /no ready flag/);
});

test('replies: results, errors by kind (unknown kinds are internal), and garbage refused', () => {
  assert.deepEqual(decodeReply('{"id":3,"ok":true,"result":{"parameters":{"ensure":"present"}}}'), {
    id: 3,
    ok: true,
    result: { parameters: { ensure: 'present' } },
  });
  assert.deepEqual(decodeReply('{"id":4,"ok":false,"error":{"kind":"invalid","message":"no parameter named \'bogus\'"}}'), {
    id: 4,
    ok: false,
    kind: 'invalid',
    message: "no parameter named 'bogus'",
  });
  assert.equal((decodeReply('{"id":5,"ok":false,"error":{"kind":"weird","message":"m"}}') as { kind: string }).kind, 'internal');
  assert.equal(decodeReply('{"id":null,"ok":false,"error":{"kind":"internal","message":"not JSON"}}').id, null);
  assert.equal(decodeReply('{"id":1.5,"ok":true,"result":{}}').id, null);
  for (const bad of ['[1]', '{"id":1,"ok":true}', '{"id":1,"ok":false,"error":"x"}', '{"id":1}', 'nope']) {
    caught(PuppetHelperError, () => decodeReply(bad));
  }
});
